// Package pdfa makes the records Repère keeps for years (signed reports,
// signed consents) archival files in the PDF/A-2b form: the file header's
// binary comment, an XMP metadata stream with the PDF/A identification that
// agrees with the document information dictionary, an sRGB output intent,
// and a file identifier in the trailer. The fonts are embedded already by the
// PDF writer (DejaVu).
//
// Written by hand because no Go library converts to PDF/A: it reads the
// simple layout our PDF writer (gofpdf, under maroto) produces — one
// cross-reference table, a trailer with /Root and /Info — and writes the
// file again with the new objects and a rebuilt table. The result is
// checked with qpdf and by reading the XMP back in the tests; no PDF/A
// validator installs on the build machine, so the files are checked, not
// validated. Equal inputs give equal bytes.
package pdfa

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Meta is what the document information dictionary and the XMP both say.
type Meta struct {
	Title   string
	Author  string // who signed
	Creator string // the application that made the content
	Created time.Time
}

// producer names this conversion in the metadata.
const producer = "Repère"

var (
	startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	trailerRE   = regexp.MustCompile(`(?s)trailer\s*<<(.*?)>>\s*startxref`)
	refRE       = func(key string) *regexp.Regexp { return regexp.MustCompile(`/` + key + `\s+(\d+)\s+0\s+R`) }
	sizeRE      = regexp.MustCompile(`/Size\s+(\d+)`)
)

// Convert returns the PDF/A-2b form of a PDF written by our PDF writer.
func Convert(in []byte, m Meta) ([]byte, error) {
	if !bytes.HasPrefix(in, []byte("%PDF-1.")) {
		return nil, errors.New("pdfa: not a PDF")
	}
	sx := startxrefRE.FindSubmatch(in)
	if sx == nil {
		return nil, errors.New("pdfa: no startxref")
	}
	xrefAt, _ := strconv.Atoi(string(sx[1]))
	offsets, err := readXref(in, xrefAt)
	if err != nil {
		return nil, err
	}
	tr := trailerRE.FindSubmatch(in[xrefAt:])
	if tr == nil {
		return nil, errors.New("pdfa: no trailer")
	}
	root, info, size := number(refRE("Root"), tr[1]), number(refRE("Info"), tr[1]), number(sizeRE, tr[1])
	if root == 0 || info == 0 || size != len(offsets) {
		return nil, errors.New("pdfa: trailer without /Root, /Info or a consistent /Size")
	}
	pages, err := catalogPages(in, offsets[root])
	if err != nil {
		return nil, err
	}
	// The document information and catalogue are written again: cut them
	// off when they end the file (as our writer places them), so the file
	// holds no stale copy.
	end := xrefAt
	if cut := min(offsets[root], offsets[info]); cut > otherThan(offsets, root, info) {
		end = cut
	}
	headerEnd := bytes.IndexByte(in, '\n') + 1
	var out bytes.Buffer
	out.Write(in[:headerEnd])
	out.WriteString("%\xe2\xe3\xcf\xd3\n") // binary comment: PDF/A-2 6.1.2
	shift := out.Len() - headerEnd
	out.Write(in[headerEnd:end])
	for n := range offsets {
		if offsets[n] > 0 && n != root && n != info {
			offsets[n] += shift
		}
	}
	metadata, icc, intent := size, size+1, size+2
	offsets = append(offsets, 0, 0, 0)
	obj := func(n int, body string) {
		offsets[n] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", n, body)
	}
	obj(info, infoDict(m))
	obj(root, fmt.Sprintf("<<\n/Type /Catalog\n/Pages %d 0 R\n/Metadata %d 0 R\n/OutputIntents [%d 0 R]\n>>", pages, metadata, intent))
	xmp := xmpPacket(m)
	obj(metadata, fmt.Sprintf("<<\n/Type /Metadata\n/Subtype /XML\n/Length %d\n>>\nstream\n%s\nendstream", len(xmp), xmp))
	profile := sRGBProfile()
	obj(icc, fmt.Sprintf("<<\n/N 3\n/Length %d\n>>\nstream\n%s\nendstream", len(profile), profile))
	obj(intent, "<<\n/Type /OutputIntent\n/S /GTS_PDFA1\n/OutputConditionIdentifier (sRGB IEC61966-2.1)\n/Info (sRGB IEC61966-2.1)\n/RegistryName (http://www.color.org)\n/DestOutputProfile "+strconv.Itoa(icc)+" 0 R\n>>")
	sum := sha256.Sum256(in)
	id := hex.EncodeToString(sum[:16])
	xrefOut := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets))
	for _, off := range offsets[1:] {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<<\n/Size %d\n/Root %d 0 R\n/Info %d 0 R\n/ID [<%s> <%s>]\n>>\nstartxref\n%d\n%%%%EOF\n", len(offsets), root, info, id, id, xrefOut)
	return out.Bytes(), nil
}

// readXref reads a classic cross-reference table of one subsection from 0.
func readXref(in []byte, at int) ([]int, error) {
	if at <= 0 || at >= len(in) || !bytes.HasPrefix(in[at:], []byte("xref")) {
		return nil, errors.New("pdfa: no cross-reference table where startxref points")
	}
	lines := strings.Split(string(in[at:]), "\n")
	head := strings.Fields(lines[1])
	if len(head) != 2 || head[0] != "0" {
		return nil, errors.New("pdfa: cross-reference table not in one subsection from 0")
	}
	n, err := strconv.Atoi(head[1])
	if err != nil || n < 2 || n > len(lines)-2 {
		return nil, errors.New("pdfa: bad cross-reference table size")
	}
	offsets := make([]int, n)
	for i := 1; i < n; i++ {
		f := strings.Fields(lines[2+i])
		if len(f) != 3 || f[2] != "n" {
			return nil, fmt.Errorf("pdfa: cross-reference entry %d is not an object in use", i)
		}
		if offsets[i], err = strconv.Atoi(f[0]); err != nil {
			return nil, err
		}
	}
	return offsets, nil
}

// catalogPages reads the page tree's object number from the catalogue.
func catalogPages(in []byte, at int) (int, error) {
	end := bytes.Index(in[at:], []byte("endobj"))
	if end < 0 {
		return 0, errors.New("pdfa: catalogue not found")
	}
	body := in[at : at+end]
	if !bytes.Contains(body, []byte("/Catalog")) {
		return 0, errors.New("pdfa: /Root is not a catalogue")
	}
	if p := number(refRE("Pages"), body); p > 0 {
		return p, nil
	}
	return 0, errors.New("pdfa: catalogue without /Pages")
}

func number(re *regexp.Regexp, b []byte) int {
	m := re.FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// otherThan is the largest offset of the objects other than a and b.
func otherThan(offsets []int, a, b int) int {
	rest := make([]int, 0, len(offsets))
	for n, off := range offsets {
		if n != a && n != b {
			rest = append(rest, off)
		}
	}
	sort.Ints(rest)
	return rest[len(rest)-1]
}

// infoDict is the document information dictionary, in step with the XMP.
func infoDict(m Meta) string {
	date := "D:" + m.Created.UTC().Format("20060102150405") + "Z"
	return fmt.Sprintf("<<\n/Title %s\n/Author %s\n/Creator %s\n/Producer %s\n/CreationDate (%s)\n/ModDate (%s)\n>>",
		pdfText(m.Title), pdfText(m.Author), pdfText(m.Creator), pdfText(producer), date, date)
}

// pdfText writes a text string as UTF-16BE with its byte order mark, in hex.
func pdfText(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// xmpPacket is the metadata stream: PDF/A-2b identification and the same
// title, author, tools and dates as the information dictionary.
func xmpPacket(m Meta) string {
	date := m.Created.UTC().Format("2006-01-02T15:04:05Z")
	esc := func(s string) string {
		return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
	}
	return `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="2" pdfaid:conformance="B"/>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + esc(m.Title) + `</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>` + esc(m.Author) + `</rdf:li></rdf:Seq></dc:creator>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="` + date + `" xmp:ModifyDate="` + date + `" xmp:MetadataDate="` + date + `" xmp:CreatorTool="` + esc(m.Creator) + `"/>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" pdf:Producer="` + producer + `"/>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`
}
