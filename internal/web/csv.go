package web

import (
	"net/http"

	"repere/internal/spreadsheet"
)

// csvHeaders are the headers of every CSV download: UTF-8 text, offered as
// a file named filename, never cached (the figures come from patient data).
func csvHeaders(w http.ResponseWriter, filename string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// badExportPeriod refuses the download of a dashboard whose filters were
// refused (errs from period): the page says what is wrong, the file would
// hold another period than the one asked for.
func badExportPeriod(errs map[string]string) error {
	if len(errs) > 0 {
		return errStatus(http.StatusUnprocessableEntity, "export.err.period")
	}
	return nil
}

// csvDownload starts a CSV download of a table written here: the headers,
// then a writer in the dialect of every export (semicolons, as a French
// spreadsheet reads them). The caller flushes it.
func csvDownload(w http.ResponseWriter, filename string) *spreadsheet.Writer {
	csvHeaders(w, filename)
	return spreadsheet.NewWriter(w)
}
