package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"repere/internal/actrecord"
	"repere/internal/audit"
	"repere/internal/billing"
	"repere/internal/catalog"
	"repere/internal/screening"
)

// pregnancyQuestion is the questionnaire's question whose "yes" says the
// patient is, or may be, pregnant: the estimate then asks for the dates
// that decide the flat contribution's exemption.
const pregnancyQuestion = "pregnancy_possible"

// TariffTable is the tariff table estimates read: the built-in tariffs
// overlaid by those the practice imported, for codes (all when empty).
func (a *App) TariffTable(ctx context.Context, codes ...string) (*billing.Table, error) {
	builtin, err := billing.BuiltinTable()
	if err != nil {
		return nil, err
	}
	imported, err := a.store.ImportedTariffs(ctx, codes)
	if err != nil {
		return nil, err
	}
	return builtin.With(imported), nil
}

// Estimate computes the cost of an appointment for its patient: the act's
// codes (with the options performed), the tariffs in force on the act's day
// on the radiologist's grid, the patient's cover and case (age on 1 January,
// pregnancy dates recorded with the cover, a pregnancy declared in the
// questionnaire).
func (a *App) Estimate(ctx context.Context, f AppointmentFile, options []string) (billing.Estimate, error) {
	codes, _, err := f.Act.BillingFor(f.Appointment.VariantID, options)
	if err != nil {
		return billing.Estimate{}, err
	}
	var ids []string
	for _, c := range codes {
		if c.Code != "" {
			ids = append(ids, c.Code)
		}
	}
	table := billing.NewTable() // no code to look up: nothing to read
	if len(ids) > 0 {
		if table, err = a.TariffTable(ctx, ids...); err != nil {
			return billing.Estimate{}, err
		}
	}
	radiologists, err := a.store.RadiologistBilling(ctx)
	if err != nil {
		return billing.Estimate{}, err
	}
	p := billing.Patient{BirthDate: f.Patient.BirthDate, Cover: CoverOf(f.Referral.Cover),
		PregnancyStart: f.Referral.PregnancyStart, DeliveryDate: f.Referral.DeliveryDate,
		PregnancyDeclared: f.Screening.Answers.Values[pregnancyQuestion] == screening.Yes}
	return billing.Compute(billing.Request{Act: f.Act, Variant: f.Appointment.VariantID, Options: options,
		Day: f.Appointment.Start.In(a.loc).Format(time.DateOnly), Patient: p, Radiologist: radiologists[f.Appointment.RadiologistID]}, table)
}

// performedOptions lists the act's options the record shows were done: an
// option is performed when the record fills one of its fields (the biopsy
// sent for analysis).
func (a *App) performedOptions(f AppointmentFile, rec actrecord.Record) []string {
	base := map[string]bool{}
	for _, field := range a.records.FieldsFor(f.Act, f.Appointment.VariantID, nil) {
		base[field.ID] = true
	}
	var out []string
	for _, option := range f.Act.OptionIDs() {
		for _, field := range a.records.FieldsFor(f.Act, f.Appointment.VariantID, []string{option}) {
			if !base[field.ID] && rec.Uses(field) && !slices.Contains(out, option) {
				out = append(out, option)
			}
		}
	}
	return out
}

// maxModifiers is the number of CCAM modifiers one act may carry (article I-9,
// clinical-facts A.4).
const maxModifiers = 4

// billedCodes are the codes a saved record bills: the act's (variant's)
// codes and those of the options performed, priced on the act's day and the
// radiologist's grid; the modifiers typed apply to the main code. An unknown
// modifier is an error for the form.
func (a *App) billedCodes(ctx context.Context, f AppointmentFile, rec actrecord.Record) ([]actrecord.Billed, string, error) {
	mods := strings.ToUpper(strings.Join(strings.Fields(rec.Modifiers), ""))
	if len(mods) > maxModifiers {
		return nil, "record.err.modifiers", nil
	}
	for _, m := range mods {
		if _, ok := billing.ModifierOf(string(m)); !ok {
			return nil, "record.err.modifiers", nil
		}
	}
	e, err := a.Estimate(ctx, f, a.performedOptions(f, rec))
	if err != nil {
		return nil, "", err
	}
	var out []actrecord.Billed
	for i, l := range e.Lines {
		b := actrecord.Billed{Code: l.Code, Label: l.Label, Activity: l.Activity, Phase: l.Phase, Percent: l.Percent,
			TariffCents: int64(l.Tariff), BaseCents: int64(l.Base), Priced: l.Priced, Grid: e.Grid, TariffFrom: l.From}
		if i == 0 {
			b.Modifiers = mods
		}
		out = append(out, b)
	}
	return out, "", nil
}

// TariffImport is what importing a tariff file did, or would do (DryRun).
type TariffImport struct {
	billing.Import
	Diff   billing.Diff
	DryRun bool
}

// ImportTariffs reads a tariff extract in Repère's format (billing.ParseCSV)
// and stores its rows over the built-in ones, reporting what it added and
// changed; DryRun reports without storing. A file with any error imports
// nothing: the refusal lists every line at fault (a billing.LineErrors).
func (a *App) ImportTariffs(ctx context.Context, r io.Reader, fileName, source string, dryRun bool) (TariffImport, error) {
	data, err := io.ReadAll(io.LimitReader(r, billing.MaxImportBytes+1))
	if err != nil {
		return TariffImport{}, err
	}
	source = strings.TrimSpace(source)
	if source == "" {
		source = "import " + a.Now().In(a.loc).Format(time.DateOnly) + " " + fileName
	}
	rows, err := billing.ParseCSV(bytes.NewReader(data), source)
	if err != nil {
		return TariffImport{}, err
	}
	table, err := a.TariffTable(ctx)
	if err != nil {
		return TariffImport{}, err
	}
	sum := sha256.Sum256(data)
	out := TariffImport{Diff: table.Diff(rows), DryRun: dryRun}
	actor, _ := audit.ActorFrom(ctx)
	out.Import = billing.Import{At: a.Now(), ActorLogin: actor.Login, FileName: fileName, SHA256: hex.EncodeToString(sum[:]), Source: source,
		Rows: len(rows), Added: len(out.Diff.Added), Changed: len(out.Diff.Changed), Unchanged: out.Diff.Unchanged}
	if dryRun {
		return out, nil
	}
	out.ID, err = a.store.SaveTariffImport(ctx, out.Import, rows)
	return out, err
}

// CodeTariffs is one code of the catalogue with its tariffs on a day and
// the next change already known, per grid.
type CodeTariffs struct {
	Code, Label string
	Acts        []string // names of the acts that bill it, in French
	Now, Next   map[string]billing.Tariff
}

// CatalogueTariffs lists every code the catalogue bills with its tariffs on
// day (YYYY-MM-DD) and the next known change, per grid.
func (a *App) CatalogueTariffs(ctx context.Context, day string) ([]CodeTariffs, error) {
	table, err := a.TariffTable(ctx)
	if err != nil {
		return nil, err
	}
	byCode := map[string]*CodeTariffs{}
	add := func(act *catalog.Act, codes []catalog.BillingCode) {
		for _, c := range codes {
			if c.Code == "" {
				continue
			}
			ct, ok := byCode[c.Code]
			if !ok {
				ct = &CodeTariffs{Code: c.Code, Label: c.Label, Now: map[string]billing.Tariff{}, Next: map[string]billing.Tariff{}}
				for _, grid := range []string{billing.GridOPTAM, billing.GridNonOPTAM} {
					if t, ok := table.On(c.Code, grid, day); ok {
						ct.Now[grid] = t
					}
					if t, ok := table.Next(c.Code, grid, day); ok {
						ct.Next[grid] = t
					}
				}
				byCode[c.Code] = ct
			}
			if name := act.Name.In("fr"); !slices.Contains(ct.Acts, name) {
				ct.Acts = append(ct.Acts, name)
			}
		}
	}
	for _, act := range a.catalog.Acts() {
		add(act, act.Billing)
		for _, v := range act.Variants {
			add(act, v.Billing)
		}
		for _, o := range act.Options {
			add(act, o.Billing)
		}
	}
	out := make([]CodeTariffs, 0, len(byCode))
	for _, ct := range byCode {
		out = append(out, *ct)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// ErrNoBillingDay is returned for a day that cannot be read.
var ErrNoBillingDay = errors.New("app: billing day must be YYYY-MM-DD")

// BilledCodes are the codes the record bills, as they would be frozen if it
// were saved now (the record page shows them before the first save).
func (a *App) BilledCodes(ctx context.Context, f AppointmentFile, rec actrecord.Record) ([]actrecord.Billed, error) {
	if len(rec.Billing) > 0 {
		return rec.Billing, nil
	}
	rec.Modifiers = "" // a stored record's modifiers are already in its billing
	billed, _, err := a.billedCodes(ctx, f, rec)
	return billed, err
}

// text is an interface message in every language, for the errors a form shows.
func (a *App) text(key string) catalog.Text {
	t := catalog.Text{}
	for _, l := range catalog.Languages {
		t[l] = a.i18n.For(l).T(key)
	}
	return t
}

// Covers are the covers a secretary may record, "" being the general case.
var Covers = []string{"", billing.CoverALD, billing.CoverATMP, billing.CoverC2S, billing.CoverAME, billing.CoverExempt}

// CoverChange is the cover form of a referral.
type CoverChange struct {
	Cover          string
	PregnancyStart string // YYYY-MM-DD or ""
	DeliveryDate   string // YYYY-MM-DD or ""
}

// SetCover records a referral's cover and pregnancy dates. A date must be a
// real day, neither in the future (a delivery is recorded once it happened),
// the start of pregnancy within the last eleven months, a delivery not
// before the start.
func (a *App) SetCover(ctx context.Context, referralID int64, c CoverChange) error {
	if !slices.Contains(Covers, c.Cover) {
		return invalid("appointment.err.cover")
	}
	today := a.today()
	var start, delivery time.Time
	var err error
	if c.PregnancyStart != "" {
		if start, err = time.ParseInLocation(time.DateOnly, c.PregnancyStart, a.loc); err != nil || start.After(today) || start.Before(today.AddDate(0, -11, 0)) {
			return invalid("cover.err.pregnancy_start")
		}
	}
	if c.DeliveryDate != "" {
		if delivery, err = time.ParseInLocation(time.DateOnly, c.DeliveryDate, a.loc); err != nil || (!start.IsZero() && delivery.Before(start)) ||
			delivery.After(today) {
			return invalid("cover.err.delivery")
		}
	}
	return a.store.SetReferralBilling(ctx, referralID, c.Cover, c.PregnancyStart, c.DeliveryDate)
}
