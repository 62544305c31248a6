package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/catalog"
	"repere/internal/dimse"
	"repere/internal/mpps"
	"repere/internal/screening"
	"repere/internal/store"
	"repere/internal/worklist"
)

// dicomConfig holds the worklist server's options.
type dicomConfig struct {
	addr, aeTitle, charset string
	allowedCalling         string // comma-separated calling AE titles; empty allows any
	stationByCalling       string // CALLING=STATION pairs, comma-separated
	allowUnmappedAll       bool   // an unmapped console querying without a station gets every room
}

func dicomFlags(fs *flag.FlagSet, c *dicomConfig) {
	fs.StringVar(&c.addr, "dicom-addr", envDefault("dicom-addr", ":11112"), `DICOM worklist listen address, "off" to disable (env REPERE_DICOM_ADDR)`)
	fs.StringVar(&c.aeTitle, "dicom-ae", envDefault("dicom-ae", dimse.DefaultAETitle), "our called AE title")
	fs.StringVar(&c.charset, "dicom-charset", envDefault("dicom-charset", "latin1"), "worklist character set: latin1 (ISO_IR 100) or utf8 (ISO_IR 192)")
	fs.StringVar(&c.allowedCalling, "dicom-calling-aes", envDefault("dicom-calling-aes", ""), "calling AE titles allowed to connect, comma-separated (empty: any)")
	fs.StringVar(&c.stationByCalling, "dicom-stations", envDefault("dicom-stations", ""), "CALLING_AE=STATION_AE pairs: a console querying without a station gets its own room's list (each room's station AE title maps to itself by default)")
	fs.BoolVar(&c.allowUnmappedAll, "dicom-unmapped-all", envBool("dicom-unmapped-all", false), "let a console with no room mapping list every room's patients (env REPERE_DICOM_UNMAPPED_ALL=true)")
}

func (c dicomConfig) charsetValue() (dimse.Charset, error) {
	switch strings.ToLower(c.charset) {
	case "latin1", "iso_ir 100", "":
		return dimse.CharsetLatin1, nil
	case "utf8", "utf-8", "iso_ir 192":
		return dimse.CharsetUTF8, nil
	}
	return "", fmt.Errorf("--dicom-charset must be latin1 or utf8, not %q", c.charset)
}

func parsePairs(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("--dicom-stations: %q is not CALLING=STATION", pair)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

// newDicomServer builds the worklist server on the store, or nil when disabled.
func newDicomServer(c dicomConfig, st *store.Store, cat *catalog.Catalog, set *screening.Set, loc *time.Location, log *slog.Logger) (*dimse.Server, error) {
	if c.addr == "" || c.addr == "off" {
		return nil, nil
	}
	charset, err := c.charsetValue()
	if err != nil {
		return nil, err
	}
	stations, err := parsePairs(c.stationByCalling)
	if err != nil {
		return nil, err
	}
	var allowed []string
	for _, ae := range strings.Split(c.allowedCalling, ",") {
		if ae = strings.TrimSpace(ae); ae != "" {
			allowed = append(allowed, ae)
		}
	}
	// A console whose calling AE title is its room's station AE title gets
	// that room's list; --dicom-stations adds or overrides pairs.
	rooms, err := st.Rooms(context.Background())
	if err != nil {
		return nil, err
	}
	byCalling := map[string]string{}
	for _, room := range rooms {
		if room.StationAETitle != "" {
			byCalling[room.StationAETitle] = room.StationAETitle
		}
	}
	maps.Copy(byCalling, stations)
	h := worklist.NewHandler(worklist.Config{Source: &worklistSource{st: st, cat: cat, screening: set, loc: loc}, Charset: charset, StationByCallingAE: byCalling,
		AllowUnmappedAll: c.allowUnmappedAll, Location: loc, Logger: log})
	steps := mpps.NewHandler(mpps.Config{Store: dicomSteps{st.PerformedSteps()}, Location: loc, Logger: log})
	return &dimse.Server{Addr: c.addr, AETitle: c.aeTitle, AllowedCallingAEs: allowed, Find: h, MPPS: steps, Logger: log}, nil
}

// dicomActor is who the audit log names for what the scanners read and send.
var dicomActor = audit.Actor{Login: "system:dicom", Role: "system"}

// dicomSteps records the consoles' performed procedure steps as system:dicom.
type dicomSteps struct{ steps store.PerformedSteps }

func (d dicomSteps) CreateStep(ctx context.Context, s mpps.PerformedStep) error {
	return d.steps.CreateStep(audit.WithActor(ctx, dicomActor), s)
}

func (d dicomSteps) UpdateStep(ctx context.Context, uid string, apply func(cur *mpps.PerformedStep) error) error {
	return d.steps.UpdateStep(audit.WithActor(ctx, dicomActor), uid, apply)
}

// worklistSource serves booked appointments to the scanners, with what the
// console operator must see from the safety screening (alerts, contrast
// allergy, weight), evaluated at each query so it is never out of date.
type worklistSource struct {
	st        *store.Store
	cat       *catalog.Catalog
	screening *screening.Set
	loc       *time.Location
}

func (w *worklistSource) WorklistItems(ctx context.Context, r worklist.Range) ([]worklist.Item, error) {
	ctx = audit.WithActor(ctx, dicomActor)
	rows, err := w.st.WorklistRows(ctx, r.From, r.To, r.StationAETitle)
	if err != nil {
		return nil, err
	}
	items := make([]worklist.Item, 0, len(rows))
	refs := make([]int64, 0, len(rows))
	for _, row := range rows {
		refs = append(refs, row.Appointment.ReferralID)
	}
	answers, err := w.st.Screenings(ctx, refs)
	if err != nil {
		return nil, err
	}
	decisions, err := w.st.ScreeningDecisionsFor(ctx, refs)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		it := w.item(row)
		if sc, ok := answers[row.Appointment.ReferralID]; ok {
			if err := w.addSafety(&it, row, sc, decisions[row.Appointment.ReferralID]); err != nil {
				return nil, err
			}
		}
		items = append(items, it)
	}
	return items, nil
}

// addSafety puts the screening's console alerts, contrast allergy and the
// patient's weight on a worklist entry.
func (w *worklistSource) addSafety(it *worklist.Item, row store.WorklistRow, sc store.Screening, decisions []store.ScreeningDecision) error {
	act, ok := w.cat.Act(row.Appointment.ActID)
	if !ok || w.screening == nil {
		return nil
	}
	var a screening.Answers
	if err := json.Unmarshal(sc.Answers, &a); err != nil {
		return err
	}
	over := map[string]bool{}
	for _, d := range decisions {
		switch {
		case d.Kind == store.DecisionOverride:
			over[d.RuleID] = true
		case d.Kind == store.DecisionSigned && d.AnswersVersion == sc.Version:
			// The radiologist's prescription at signature, for the console.
			it.Step.PreMedication, it.Step.ContrastAgent = d.Premedication, d.ContrastAgent
		}
	}
	v := w.screening.Evaluate(screening.Input{Act: act, Variant: row.Appointment.VariantID, Answers: a, Appointment: row.Appointment.Start,
		Now: time.Now(), Loc: w.loc}).WithOverrides(over)
	it.MedicalAlerts = v.MedicalAlerts("fr")
	if allergy := v.ContrastAllergy("fr"); allergy != "" {
		it.ContrastAllergies = []string{allergy}
	}
	if kg, err := strconv.ParseFloat(a.Values["weight_kg"], 64); err == nil && kg > 0 {
		it.PatientWeightKg = kg
	}
	return nil
}

func (w *worklistSource) item(row store.WorklistRow) worklist.Item {
	a, p := row.Appointment, row.Patient
	description := a.ActID
	var code *worklist.Code
	if act, ok := w.cat.Act(a.ActID); ok {
		description = act.Name.In("fr")
		if len(act.Billing) > 0 && act.Billing[0].Code != "" && !act.Billing[0].NeedsCheck() {
			code = &worklist.Code{Value: act.Billing[0].Code, Scheme: "CCAM", Meaning: act.Billing[0].Label}
		}
	}
	if row.Levels != "" {
		description += " " + row.Levels
	}
	if row.Side != "" {
		description += " (" + row.Side + ")"
	}
	born, _ := time.Parse(time.DateOnly, p.BirthDate)
	sex := map[string]string{"F": "F", "M": "M"}[p.Sex]
	return worklist.Item{
		PatientName:                   worklist.PersonName{Family: strings.ToUpper(p.BirthName), Given: p.FirstNames},
		PatientID:                     "REP" + strconv.FormatInt(p.ID, 10),
		IssuerOfPatientID:             "REPERE",
		PatientBirthDate:              born,
		PatientSex:                    sex,
		AccessionNumber:               a.AccessionNumber,
		RequestedProcedureID:          a.AccessionNumber,
		RequestedProcedureDescription: description,
		RequestedProcedureCode:        code,
		StudyInstanceUID:              a.StudyInstanceUID,
		ReferringPhysician:            worklist.PersonName{Family: row.PhysicianName},
		Step: worklist.ScheduledStep{
			StationAETitle:      row.StationAETitle,
			StationName:         row.RoomName,
			Start:               a.Start,
			End:                 a.RoomEnd,
			PerformingPhysician: worklist.PersonName{Family: row.RadiologistName},
			PerformedStatus:     a.PerformedStatus,
			Description:         description,
			ID:                  "SPS" + strconv.FormatInt(a.ID, 10),
		},
	}
}

// dicomEcho is "repere dicom-echo": a C-ECHO to a DICOM peer, ours by default.
func dicomEcho(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dicom-echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:11112", "peer address host:port")
	called := fs.String("called", dimse.DefaultAETitle, "called AE title")
	calling := fs.String("calling", "REPERE_ECHO", "our calling AE title")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	start := time.Now()
	if err := dimse.Echo(ctx, *addr, *calling, *called); err != nil {
		var nerr net.Error
		if errors.As(err, &nerr) {
			return fmt.Errorf("C-ECHO to %s: cannot reach it: %w", *addr, err)
		}
		return fmt.Errorf("C-ECHO to %s (%s): %w", *addr, *called, err)
	}
	fmt.Fprintf(stdout, "C-ECHO to %s (%s) succeeded in %d ms\n", *addr, *called, time.Since(start).Milliseconds())
	return nil
}
