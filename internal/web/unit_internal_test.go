package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"repere/internal/audit"
	"repere/internal/storetest"
)

// TestReadUnitErrorKeepsNoDownloadHeaders: a page that set a download's
// headers and then failed leaves the real answer without them (the error
// page is not sent as an attachment), and one that succeeds sends them.
func TestReadUnitErrorKeepsNoDownloadHeaders(t *testing.T) {
	s := &Server{store: storetest.OpenSQLite(t)}
	download := func(fail bool) route {
		return route{handle: func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `attachment; filename="report.pdf"`)
			if fail {
				return errors.New("rendering failed")
			}
			_, err := w.Write([]byte("%PDF-"))
			return err
		}}
	}
	r := httptest.NewRequest("GET", "/staff/reports/1", nil)
	r = r.WithContext(audit.WithActor(r.Context(), audit.Actor{Login: "t.radiologist", Role: "radiologist"}))

	w := httptest.NewRecorder()
	w.Header().Set("X-Frame-Options", "DENY") // set by a middleware before the unit
	if err := s.inReadUnit(download(true), w, r); err == nil {
		t.Fatal("the handler's error was lost")
	}
	if got := w.Header().Get("Content-Disposition"); got != "" {
		t.Fatalf("the failed download's headers reached the answer: %q", got)
	}
	if w.Header().Get("X-Frame-Options") != "DENY" {
		t.Fatal("the middleware's header was lost")
	}

	w = httptest.NewRecorder()
	w.Header().Set("X-Frame-Options", "DENY")
	if err := s.inReadUnit(download(false), w, r); err != nil {
		t.Fatal(err)
	}
	if w.Header().Get("Content-Disposition") == "" || w.Header().Get("X-Frame-Options") != "DENY" || w.Body.String() != "%PDF-" {
		t.Fatalf("the download: %v %q", w.Header(), w.Body.String())
	}
}
