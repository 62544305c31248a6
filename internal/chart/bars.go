package chart

import (
	"fmt"
	"math"
	"strings"
)

// Bar is one labelled value.
type Bar struct {
	Label string
	Value float64
}

// Bars draws horizontal bars, one per row, with their values.
func Bars(title, unit string, bars []Bar) string {
	var b strings.Builder
	h := len(bars)*24 + axisHeight + 16
	open(&b, width, h, title)
	top := 0.0
	for _, r := range bars {
		top = math.Max(top, r.Value)
	}
	top = niceMax(top)
	x0, x1 := float64(labelWidth), float64(width-60)
	for i, r := range bars {
		y := float64(i*24) + 6
		w := (x1 - x0) * math.Max(0, r.Value) / top
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="12" text-anchor="end">%s</text>`, labelWidth-8, y+13, esc(truncate(r.Label, 32)))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="16" fill="#1f4e79"><title>%s: %s</title></rect>`, x0, y, w, esc(r.Label), number(r.Value))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">%s</text>`, x0+w+4, y+13, number(r.Value))
	}
	axis(&b, x0, x1, float64(len(bars)*24)+8, top, unit)
	b.WriteString(`</svg>`)
	return b.String()
}

// Point is one value of a time series, labelled by its period.
type Point struct {
	Label string
	Value float64
}

// TimeSeries draws a line over periods (months, weeks) with its points.
func TimeSeries(title, unit string, points []Point) string {
	var b strings.Builder
	const h = 260
	open(&b, width, h, title)
	top := 0.0
	for _, p := range points {
		top = math.Max(top, p.Value)
	}
	top = niceMax(top)
	x0, x1, y0, y1 := 50.0, float64(width-20), float64(h-40), 14.0
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#444"/>`, x0, y0, x1, y0)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#444"/>`, x0, y0, x0, y1)
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := y0 - (y0-y1)*float64(i)/4
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end">%s</text><line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`,
			x0-4, y+4, number(v), x0, y, x1, y)
	}
	if unit != "" {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">%s</text>`, x0+4, y1-2, esc(unit))
	}
	var path []string
	step := (x1 - x0) / math.Max(1, float64(len(points)-1))
	every := int(math.Ceil(float64(len(points)) / 12))
	for i, p := range points {
		x := x0 + step*float64(i)
		if len(points) == 1 {
			x = (x0 + x1) / 2
		}
		y := y0 - (y0-y1)*math.Max(0, p.Value)/top
		path = append(path, fmt.Sprintf("%.1f,%.1f", x, y))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#1f4e79"><title>%s: %s</title></circle>`, x, y, esc(p.Label), number(p.Value))
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">%s</text>`, x, y0+14, esc(p.Label))
		}
	}
	if len(path) > 1 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1f4e79" stroke-width="2"/>`, strings.Join(path, " "))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
