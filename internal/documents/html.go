package documents

import (
	"embed"
	"html/template"
	"io"
)

//go:embed templates/*.html
var templateFiles embed.FS

var templates = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// RenderConvocationHTML writes the convocation as an HTML fragment (an
// <article>) for the web layer to embed in a page or an email; every value is
// escaped by html/template.
func RenderConvocationHTML(w io.Writer, c Convocation) error {
	d, err := convocationDoc(c)
	if err != nil {
		return err
	}
	return templates.ExecuteTemplate(w, "convocation", d)
}
