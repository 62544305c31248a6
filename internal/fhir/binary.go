package fhir

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// Binary is a document the API serves: a signed report's PDF
// ("report-<id>") or a consent's frozen document ("consent-<id>").
type Binary struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	ContentType  string `json:"contentType"`
	Data         string `json:"data,omitempty"`
}

// document reads a Binary's bytes and media type.
func (h *handler) document(ctx context.Context, id string) ([]byte, string, error) {
	kind, num, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return nil, "", ErrNotFound
	}
	switch kind {
	case "report":
		pdf, err := h.src.ReportPDF(ctx, n)
		if err == nil && len(pdf) == 0 {
			err = ErrNotFound
		}
		return pdf, "application/pdf", err
	case "consent":
		return h.src.ConsentDocument(ctx, n)
	}
	return nil, "", ErrNotFound
}

func (h *handler) readBinary(ctx context.Context, id string) (any, error) {
	b, ct, err := h.document(ctx, id)
	if err != nil {
		return nil, err
	}
	return Binary{ResourceType: "Binary", ID: id, ContentType: ct, Data: base64.StdEncoding.EncodeToString(b)}, nil
}

// wantsResource tells whether a Binary read asks for the FHIR resource (a
// FHIR format in Accept or _format) rather than the document itself.
func wantsResource(r *http.Request) bool {
	if r.URL.Query().Get("_format") != "" {
		return true
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		switch mediaType(part) {
		case "application/fhir+json", "application/json", "application/json+fhir":
			return true
		}
	}
	return false
}

// rawBinary answers a Binary read with the document's bytes.
func (h *handler) rawBinary(w http.ResponseWriter, r *http.Request) {
	b, ct, err := h.document(r.Context(), r.PathValue("id"))
	if err != nil {
		h.notFoundOr(w, r, h.kinds["Binary"], err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}
