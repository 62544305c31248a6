// Package dimse is Repère's DICOM network layer: the Upper Layer protocol
// (PS3.8: association, P-DATA, release, abort) and the DIMSE services a
// Modality Worklist needs (PS3.7: C-ECHO, C-FIND, C-CANCEL) and the N-CREATE
// and N-SET of Modality Performed Procedure Step, as a server and a small
// client.
//
// Everything here is hand-written on purpose. No Go library offers DIMSE
// networking, and the part of a dataset codec we need is small: Implicit and
// Explicit VR Little Endian, a few dozen worklist tags, sequences. Writing it
// ourselves (instead of using github.com/suyashkumar/dicom, which is built
// around Part 10 files) lets us:
//
//   - bound every allocation by limits checked before reading, so a hostile or
//     broken peer can neither crash the server nor exhaust its memory;
//   - keep values as raw bytes and convert text only through the character
//     set a station is configured for (ISO_IR 100 or ISO_IR 192);
//   - encode exactly the elements a worklist answer needs, including empty
//     values and sequences, in either transfer syntax.
//
// The worklist semantics (matching, which keys to return) live in package
// worklist, the performed-step rules in package mpps; this package only
// moves datasets.
package dimse
