package report

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"

	"repere/internal/actrecord"
	"repere/internal/catalog"
	"repere/internal/i18n"
)

// Context is what the report needs besides the record.
type Context struct {
	PatientName string // display name, e.g. "Mme Jeanne Dupont"
	BirthDate   string // as printed, e.g. "12/03/1961"
	Sex         string // F, M or U: "née" or "né" in French
	Indication  string // from the referral; a placeholder when empty
	Referrer    string
	Radiologist string
	Date        time.Time // day of the act
	Lang        string    // fr (default) or en
	Location    *time.Location
	// Equipment identifies the scanner (name, model): a report of a CT-guided
	// act must name it (arrêté du 22 septembre 2006, article 1).
	Equipment string
	// Fields gives the labels of approaches, sides, complications and drugs;
	// nil uses the built-in field data.
	Fields *actrecord.Set
}

func (c Context) lang() string {
	if c.Lang == "en" {
		return "en"
	}
	return "fr"
}

func (c Context) location() *time.Location {
	if c.Location != nil {
		return c.Location
	}
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.UTC
}

// Text is a report as the radiologist edits it: a title and a plain-text body
// whose section headings are lines in capitals.
type Text struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Version is one signed (frozen) version of a report. An amendment is a new
// version naming the one it amends and why.
type Version struct {
	Number   int       `json:"number"`
	Text     Text      `json:"text"`
	SignedBy string    `json:"signed_by"`
	SignedAt time.Time `json:"signed_at"`
	Amends   int       `json:"amends"` // previous version number, 0 for the first
	Reason   string    `json:"reason"` // why the previous version was amended
}

// Hash is the SHA-256 (hex) of the version's frozen content: a versioned,
// canonical JSON of the number, text, signer, signing time (UTC), amended
// version and reason. Any change to one of them changes the hash.
func (v Version) Hash() string {
	canonical := struct {
		Format   string `json:"format"`
		Number   int    `json:"number"`
		Title    string `json:"title"`
		Body     string `json:"body"`
		SignedBy string `json:"signed_by"`
		SignedAt string `json:"signed_at"`
		Amends   int    `json:"amends"`
		Reason   string `json:"reason"`
	}{"repere-report-1", v.Number, v.Text.Title, normalise(v.Text.Body), v.SignedBy,
		v.SignedAt.UTC().Format(time.RFC3339Nano), v.Amends, v.Reason}
	data, err := json.Marshal(canonical)
	if err != nil {
		panic(err) // strings and ints always marshal
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// normalise makes the body independent of the browser's line endings.
func normalise(body string) string {
	return strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
}

//go:embed data/templates/*.yaml
var templateFiles embed.FS

// actTemplate is the wording of one act's report (data/templates/<act>.yaml).
type actTemplate struct {
	Title      catalog.Text `yaml:"title"`
	Technique  catalog.Text `yaml:"technique"`
	Result     catalog.Text `yaml:"result"`
	Conclusion catalog.Text `yaml:"conclusion"`
}

var (
	templatesOnce sync.Once
	templates     map[string]actTemplate
	templatesErr  error
)

func loadTemplates() (map[string]actTemplate, error) {
	templatesOnce.Do(func() {
		templates = map[string]actTemplate{}
		entries, err := templateFiles.ReadDir("data/templates")
		if err != nil {
			templatesErr = err
			return
		}
		for _, e := range entries {
			data, err := templateFiles.ReadFile("data/templates/" + e.Name())
			if err != nil {
				templatesErr = err
				return
			}
			var t actTemplate
			dec := yaml.NewDecoder(bytes.NewReader(data))
			dec.KnownFields(true)
			if err := dec.Decode(&t); err != nil {
				templatesErr = fmt.Errorf("report: %s: %w", e.Name(), err)
				return
			}
			templates[strings.TrimSuffix(e.Name(), ".yaml")] = t
		}
	})
	return templates, templatesErr
}

// ErrNoTemplate is returned for an act without a report template.
var ErrNoTemplate = errors.New("report: no report template for this act")

// Draft writes the first text of the report from the act's template and the
// record, in ctx.Lang. The radiologist edits it before signing.
func Draft(act *catalog.Act, variant string, rec actrecord.Record, ctx Context) (Text, error) {
	if act == nil {
		return Text{}, errors.New("report: draft without an act")
	}
	all, err := loadTemplates()
	if err != nil {
		return Text{}, err
	}
	tpl, ok := all[act.ID]
	if !ok {
		return Text{}, fmt.Errorf("%w: %s", ErrNoTemplate, act.ID)
	}
	l := ctx.lang()
	v := newView(act, variant, rec, ctx)
	var parts [3]string
	for i, snippet := range []catalog.Text{tpl.Technique, tpl.Result, tpl.Conclusion} {
		if parts[i], err = render(act.ID, snippet.In(l), v); err != nil {
			return Text{}, err
		}
	}
	return Text{Title: tpl.Title.In(l), Body: body(l, v, ctx, parts[0], parts[1], parts[2])}, nil
}

func render(actID, snippet string, v view) (string, error) {
	t, err := template.New(actID).Option("missingkey=error").Funcs(template.FuncMap{"de": de}).Parse(snippet)
	if err != nil {
		return "", fmt.Errorf("report: template %s: %w", actID, err)
	}
	var out strings.Builder
	if err := t.Execute(&out, v); err != nil {
		return "", fmt.Errorf("report: template %s: %w", actID, err)
	}
	return out.String(), nil
}

// body lays the sections out; headings are lines in capitals, which the PDF
// recognises.
func body(l string, v view, ctx Context, technique, result, conclusion string) string {
	f := &i18n.Localizer{Lang: l}
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	patient := ctx.PatientName
	if ctx.BirthDate != "" {
		born := map[string]string{"F": ", née le ", "M": ", né le "}[ctx.Sex]
		if born == "" {
			born = ", né(e) le "
		}
		patient += say(l, born, ", born ") + ctx.BirthDate
	}
	line(say(l, "Patient : ", "Patient: ") + patient)
	if !ctx.Date.IsZero() {
		line(say(l, "Date de l'examen : ", "Date of the procedure: ") + f.Date(ctx.Date.In(ctx.location())))
	}
	if ctx.Referrer != "" {
		line(say(l, "Médecin demandeur : ", "Referring physician: ") + ctx.Referrer)
	}
	if ctx.Radiologist != "" {
		line(say(l, "Radiologue : ", "Radiologist: ") + ctx.Radiologist)
	}
	section := func(heading string, lines ...string) {
		line("")
		line(heading)
		for _, s := range lines {
			if s != "" {
				line(s)
			}
		}
	}
	indication := strings.TrimSpace(ctx.Indication)
	if indication == "" {
		indication = say(l, indicationToComplete[0], indicationToComplete[1])
	}
	section(say(l, "INDICATION", "INDICATION"), indication)
	section(say(l, "TECHNIQUE", "TECHNIQUE"), technique, v.anaesthesia(l), v.dosimetry(l), v.times(l), equipment(l, ctx), v.study(l))
	section(say(l, "DÉROULEMENT", "PROCEDURE"), result, v.Notes)
	section(say(l, "COMPLICATIONS", "COMPLICATIONS"), v.complications(l))
	section(say(l, "CONCLUSION", "CONCLUSION"), conclusion)
	if lines := billingLines(l, v.rec.Billing); len(lines) > 0 {
		section(say(l, "COTATION", "BILLING"), lines...)
	}
	return b.String()
}

// billingLines writes the codes billed, as frozen in the record: code,
// modifiers, label.
func billingLines(l string, billed []actrecord.Billed) []string {
	var out []string
	for _, c := range billed {
		line := c.Code
		if c.Modifiers != "" {
			line += say(l, " (modificateurs ", " (modifiers ") + c.Modifiers + ")"
		}
		if c.Percent > 0 && c.Percent < 100 {
			line += say(l, ", associé à ", ", associated at ") + strconv.Itoa(c.Percent) + " %"
		}
		out = append(out, line+say(l, " : ", ": ")+c.Label)
	}
	return out
}

// de writes the French partitive before a product: "d'acétate", "de dexaméthasone".
func de(s string) string {
	if s != "" && strings.ContainsRune("aeéèêiîoôuhAEÉIOUH", []rune(s)[0]) {
		return "d'" + s
	}
	return "de " + s
}

// The draft's marks of what the act record or the referral lacks, in
// French and English: a report is not signed with one left in its text.
var (
	complicationsToRecord = [2]string{"[Complications à renseigner]", "[Complications to be recorded]"}
	indicationToComplete  = [2]string{"[Indication à compléter]", "[Indication to be completed]"}
)

// Placeholder returns the first of the draft's marks still in a report's
// text, or "".
func Placeholder(body string) string {
	for _, mark := range [][2]string{complicationsToRecord, indicationToComplete} {
		for _, m := range mark {
			if strings.Contains(body, m) {
				return m
			}
		}
	}
	return ""
}

func say(l, fr, en string) string {
	if l == "fr" {
		return fr
	}
	return en
}

func equipment(l string, ctx Context) string {
	if ctx.Equipment == "" {
		return ""
	}
	return say(l, "Appareil : ", "Equipment: ") + ctx.Equipment + "."
}

// Signed is one frozen version of a report, as the practice keeps it: the
// text, who signed when, and the PDF with its SHA-256.
type Signed struct {
	ID, AppointmentID, PatientID int64
	Number, Amends               int
	Title, Body, Reason          string
	SignedBy                     string
	SignedAt                     time.Time
	SHA256                       string
	PDF                          []byte
}
