package documents

import (
	"time"

	"github.com/johnfercher/maroto/v2/pkg/core"
)

// Helpers for the other packages that print frozen documents (the signed
// report): the same embedded fonts, page layout and reproducible bytes.

// FontFamily is the family name of the embedded DejaVu fonts.
const FontFamily = fontFamily

// NewPDF starts an A4 document with the embedded fonts, margins and page
// numbers; created is written as the PDF's dates.
func NewPDF(title string, created time.Time) (core.Maroto, error) { return newPDF(title, created) }

// GeneratePDF renders m and fixes its modification date to created, so equal
// inputs give equal bytes.
func GeneratePDF(m core.Maroto, created time.Time) ([]byte, error) { return generate(m, created) }
