package documents

import "bytes"

// FileType tells a received document's type by its first bytes: a PDF, a
// JPEG or a PNG image ("" for anything else, whatever its name says).
func FileType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	}
	return ""
}
