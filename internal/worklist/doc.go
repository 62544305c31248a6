// Package worklist answers DICOM Modality Worklist queries (PS3.4 Annex K)
// from the acts booked in Repère: it turns bookings, given as Items by a
// Source, into the datasets a CT console asks for.
//
// It implements the matching rules of PS3.4 C.2.2.2 (universal, single
// value, wildcard, UID list, date and time range, combined date-time of the
// scheduled start, sequence matching) and returns exactly the keys the query
// asked for, shaped as asked, in the character set configured for the
// console. Each console sees its own room by default (Config.StationByCallingAE,
// AllowUnmappedAll), and a step the console reported COMPLETED through
// MPPS (package mpps) is no longer listed. It knows nothing of SQL or of
// the network: package dimse carries the messages, package store will
// implement Source.
package worklist
