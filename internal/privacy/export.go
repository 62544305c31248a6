package privacy

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"time"
)

// ExportFormat names the layout of the export, for whoever reads it later.
const ExportFormat = "repere-patient-export/1"

// Export is all of one patient's data as stored: every table holding them,
// row by row, column by column.
type Export struct {
	PatientID  int64
	ExportedAt time.Time
	Tables     map[string][]Row // every table holding the patient, even empty
}

// Row is one row: column -> value. A []byte value is a stored document and
// a []File value a list of them (an email's attachments): both are written
// as files of the ZIP, and data.json names them.
type Row map[string]any

// File is a document held inside a row.
type File struct {
	Name, ContentType string
	Data              []byte
}

// fileRef is how data.json points at a file of the ZIP.
type fileRef struct {
	File        string `json:"file"`
	Name        string `json:"name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	SHA256      string `json:"sha256"`
	Bytes       int    `json:"bytes"`
}

// WriteZIP writes the export as a ZIP: data.json (every table, documents
// replaced by the name of their file) and files/<table>/... for the PDFs and
// images (signed reports, consents, signatures, emailed documents).
func WriteZIP(w io.Writer, x Export) error {
	zw := zip.NewWriter(w)
	add := func(name string, data []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: x.ExportedAt})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	tables := map[string][]map[string]any{}
	names := make([]string, 0, len(x.Tables))
	for name := range x.Tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, table := range names {
		tables[table] = []map[string]any{}
		for i, row := range x.Tables[table] {
			out := map[string]any{}
			for col, v := range row {
				prefix := fmt.Sprintf("files/%s/%s-%s", table, rowKey(row, i), col)
				switch v := v.(type) {
				case []byte:
					ref := refTo(prefix+extension(v), "", "", v)
					if err := add(ref.File, v); err != nil {
						return err
					}
					out[col] = ref.File
				case []File:
					refs := []fileRef{}
					for n, f := range v {
						ref := refTo(fmt.Sprintf("%s-%d-%s", prefix, n+1, safeName(f.Name)), f.Name, f.ContentType, f.Data)
						if err := add(ref.File, f.Data); err != nil {
							return err
						}
						refs = append(refs, ref)
					}
					out[col] = refs
				case string:
					out[col] = jsonOrText(v)
				default:
					out[col] = v
				}
			}
			tables[table] = append(tables[table], out)
		}
	}
	data, err := json.MarshalIndent(map[string]any{"format": ExportFormat, "patient_id": x.PatientID, "exported_at": x.ExportedAt.UTC(), "tables": tables}, "", "  ")
	if err != nil {
		return err
	}
	if err := add("data.json", data); err != nil {
		return err
	}
	return zw.Close()
}

// rowKey names a row's files by its id, or its appointment or referral for
// the tables keyed by them, or else its position.
func rowKey(row Row, i int) string {
	for _, col := range []string{"id", "appointment_id", "referral_id"} {
		if v, ok := row[col]; ok && v != nil {
			return fmt.Sprint(v)
		}
	}
	return fmt.Sprint(i + 1)
}

func refTo(file, name, contentType string, data []byte) fileRef {
	sum := sha256.Sum256(data)
	return fileRef{File: file, Name: name, ContentType: contentType, SHA256: hex.EncodeToString(sum[:]), Bytes: len(data)}
}

// extension guesses a document's file extension from its first bytes.
func extension(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF")):
		return ".pdf"
	case bytes.HasPrefix(data, []byte("\x89PNG")):
		return ".png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return ".jpg"
	case json.Valid(data):
		return ".json"
	}
	return ".bin"
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(name string) string {
	if s := unsafeChars.ReplaceAllString(name, "_"); s != "" && s != "." && s != ".." {
		return s
	}
	return "file"
}

// jsonOrText embeds a column holding JSON (questionnaire answers, act
// records) as JSON, and keeps any other text as it is.
func jsonOrText(s string) any {
	if len(s) > 1 && (s[0] == '{' || s[0] == '[') && json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return s
}
