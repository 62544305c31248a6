package chart

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// wellFormed parses an SVG as XML: a label with <, & or quotes must not
// break the page.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("SVG not well-formed: %v\n%s", err, svg)
		}
	}
}

func TestChartsAreWellFormedAndEscaped(t *testing.T) {
	ref := 400.0
	box := BoxPlot(`DLP <by> "act" & room`, "mGy·cm", []Box{{Label: "Infiltration <L4>", LowWhisker: 10, Q1: 80, Median: 120, Q3: 200, HighWhisker: 380, N: 40, Reference: &ref}})
	bars := Bars("Acts", "", []Bar{{"Salle & 1", 12}, {"Salle 2", 0}})
	series := TimeSeries("Per month", "acts", []Point{{"2026-01", 3}, {"2026-02", 7}, {"2026-03", 5}})
	one := TimeSeries("One", "", []Point{{"2026-01", 3}})
	empty := BoxPlot("Empty", "", nil)
	for _, svg := range []string{box, bars, series, one, empty} {
		wellFormed(t, svg)
	}
	if !strings.Contains(box, "Infiltration &lt;L4&gt;") || !strings.Contains(box, `stroke="#b00020"`) {
		t.Fatalf("box plot: label not escaped or reference not drawn\n%s", box)
	}
	if !strings.Contains(series, "<polyline") || strings.Contains(one, "<polyline") {
		t.Fatal("time series line")
	}
}

func TestNiceMax(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{{0, 1}, {3, 5}, {7, 10}, {12, 20}, {380, 500}, {1000, 1000}, {2037, 2500}} {
		if got := niceMax(tt.in); got != tt.want {
			t.Errorf("niceMax(%g) = %g, want %g", tt.in, got, tt.want)
		}
	}
}
