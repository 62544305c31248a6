// Package chart draws the dashboards' charts as SVG on the server: box
// plots, bars and time series, readable in print and without any script.
// Each chart has a title and a description for screen readers; the pages
// show the table of the same figures beside it.
package chart

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Box is one row of a box plot.
type Box struct {
	Label                      string
	LowWhisker, Q1, Median, Q3 float64
	HighWhisker                float64
	N                          int
	Reference                  *float64 // drawn as a mark when set
}

const (
	width      = 720
	labelWidth = 220
	rowHeight  = 34
	axisHeight = 30
)

func esc(s string) string { return html.EscapeString(s) }

// niceMax rounds the top of an axis up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func number(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func open(b *strings.Builder, w, h int, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, w, h, w, h, esc(title))
	fmt.Fprintf(b, `<title>%s</title>`, esc(title))
}

// axis draws a horizontal value axis from x0 to x1 at y with 5 ticks.
func axis(b *strings.Builder, x0, x1, y float64, top float64, unit string) {
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#444"/>`, x0, y, x1, y)
	for i := 0; i <= 5; i++ {
		v := top * float64(i) / 5
		x := x0 + (x1-x0)*float64(i)/5
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#444"/><text x="%.1f" y="%.1f" font-size="11" text-anchor="middle">%s</text>`,
			x, y, x, y+4, x, y+16, number(v))
	}
	if unit != "" {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end">%s</text>`, x1, y+28, esc(unit))
	}
}

// BoxPlot draws one horizontal box per row on a shared axis: whiskers,
// quartiles, the median as a thick line, the reference level as a red mark.
func BoxPlot(title, unit string, rows []Box) string {
	var b strings.Builder
	h := len(rows)*rowHeight + axisHeight + 20
	open(&b, width, h, title)
	top := 0.0
	for _, r := range rows {
		top = math.Max(top, r.HighWhisker)
		if r.Reference != nil {
			top = math.Max(top, *r.Reference)
		}
	}
	top = niceMax(top)
	x0, x1 := float64(labelWidth), float64(width-20)
	scale := func(v float64) float64 { return x0 + (x1-x0)*math.Max(0, math.Min(v, top))/top }
	for i, r := range rows {
		y := float64(i*rowHeight) + 8
		mid := y + rowHeight/2 - 4
		fmt.Fprintf(&b, `<g><title>%s: n=%d, Q1 %s, median %s, Q3 %s</title>`, esc(r.Label), r.N, number(r.Q1), number(r.Median), number(r.Q3))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="12" text-anchor="end">%s</text>`, labelWidth-8, mid+4, esc(truncate(r.Label, 32)))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333"/>`, scale(r.LowWhisker), mid, scale(r.HighWhisker), mid)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="#cfe0f3" stroke="#1f4e79"/>`,
			scale(r.Q1), y+4, math.Max(1, scale(r.Q3)-scale(r.Q1)), rowHeight-16)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#1f4e79" stroke-width="3"/>`, scale(r.Median), y+4, scale(r.Median), y+rowHeight-12)
		if r.Reference != nil {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#b00020" stroke-width="2" stroke-dasharray="4 2"/>`,
				scale(*r.Reference), y, scale(*r.Reference), y+rowHeight-8)
		}
		b.WriteString(`</g>`)
	}
	axis(&b, x0, x1, float64(len(rows)*rowHeight)+10, top, unit)
	b.WriteString(`</svg>`)
	return b.String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
