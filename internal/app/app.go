// Package app holds Repère's use cases: the screening of a referral, the slot
// search and booking, the appointment's documents, the day of the act (check-in,
// checklist, start, monitoring, discharge), the act record, the report, the
// follow-up, the outbox, the DICOM worklist and MPPS, and what the FHIR API
// reads. The web pages, the FHIR API, the DICOM servers and the background jobs
// all call it, and none of them re-implements a rule: a clinical invariant or
// a workflow guard lives here once and holds for every entry point.
//
// A use case that says no returns a *Refusal: message keys of the i18n
// catalogues, so each entry point tells its user why in their language. Every
// other error is a failure. The time comes from the injected clock, never
// from time.Now. Persistence is internal/store's; the rules themselves are
// the domain packages' (screening, schedule, checklist, followup, actrecord).
package app

import (
	"context"
	"errors"
	"time"

	"repere/internal/actrecord"
	"repere/internal/catalog"
	"repere/internal/checklist"
	"repere/internal/clock"
	"repere/internal/followup"
	"repere/internal/i18n"
	"repere/internal/mail"
	"repere/internal/review"
	"repere/internal/screening"
	"repere/internal/store"
)

// Config is what the application layer is built on.
type Config struct {
	Store   *store.Store
	Catalog *catalog.Catalog
	I18n    *i18n.Bundle // patient documents and emails are written in the patient's language
	// Screening, Records, Checklists and FollowUp: the rules as data; nil
	// loads the embedded ones.
	Screening  *screening.Set
	Records    *actrecord.Set
	Checklists *checklist.Set
	FollowUp   *followup.Set
	Clock      clock.Clock    // default: the machine's clock
	Location   *time.Location // the practice's time zone (default Europe/Paris)
	// PracticeName and PracticePhone stand in for a site without its own.
	PracticeName, PracticePhone string
	// BaseURL is the public address (links in emails); may be empty.
	BaseURL string
	// Host names the practice's server in calendar UIDs and Message-IDs
	// (default "repere.invalid": no host was configured).
	Host string
	// ReminderDays is how long before the act the reminder is sent (default 2).
	ReminderDays int
	// Mailer delivers the outbox; nil when email is not set up.
	Mailer Mailer
	// SMS delivers the outbox's SMS; nil when no SMS provider is set up.
	SMS SMSSender
	// BeforeDocumentWrite, for tests only: run between the read a signed
	// document (kind "report", "consent") or a follow-up email ("followup")
	// was made from and the write unit that keeps it, so a test changes
	// the appointment's file there; and in that unit once its check
	// passed, before its commit (kind "report checked", "consent checked",
	// "followup checked", and "letter checked" for a printed letter, with
	// no appointment).
	BeforeDocumentWrite func(ctx context.Context, kind string, appointmentID int64)
}

// App is the application layer; it is safe for concurrent use.
type App struct {
	cfg        Config
	store      *store.Store
	catalog    *catalog.Catalog
	i18n       *i18n.Bundle
	screening  *screening.Set
	records    *actrecord.Set
	checklists *checklist.Set
	followup   *followup.Set
	clock      clock.Clock
	loc        *time.Location
	// reviewBook and fingerprints: the review of the data without the
	// practice's decisions, built once (the data do not change while the
	// server runs), and the fingerprint of each row decisions are bound to.
	reviewBook   review.Book
	fingerprints map[string]string
	// site is the practice's site as PracticeSite last read it.
	site *siteMemo
	// answers are the questionnaire answers the worklist decoded.
	answers *answersMemo
	// beforeLetterWrite, when set (by tests), runs between the read that
	// made a letter and the write unit that queues it.
	beforeLetterWrite func(ctx context.Context, m mail.Outgoing)
}

// New checks the configuration and loads the embedded rules not given.
func New(cfg Config) (*App, error) {
	if cfg.Store == nil || cfg.Catalog == nil || cfg.I18n == nil {
		return nil, errors.New("app: a store, a catalogue and the message catalogues are needed")
	}
	var err error
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.Location == nil {
		if cfg.Location, err = time.LoadLocation("Europe/Paris"); err != nil {
			return nil, err
		}
	}
	if cfg.PracticeName == "" {
		cfg.PracticeName = "Repère"
	}
	if cfg.Host == "" {
		cfg.Host = "repere.invalid"
	}
	if cfg.ReminderDays <= 0 {
		cfg.ReminderDays = 2
	}
	if cfg.Screening == nil {
		if cfg.Screening, err = screening.Load(cfg.Catalog, ""); err != nil {
			return nil, err
		}
	}
	if cfg.Records == nil {
		if cfg.Records, err = actrecord.Load(cfg.Catalog, ""); err != nil {
			return nil, err
		}
	}
	if cfg.Checklists == nil {
		if cfg.Checklists, err = checklist.Load(""); err != nil {
			return nil, err
		}
	}
	if cfg.FollowUp == nil {
		if cfg.FollowUp, err = followup.Load(cfg.Catalog, ""); err != nil {
			return nil, err
		}
	}
	seeds, err := review.LoadSeedDifferences(cfg.Catalog)
	if err != nil {
		return nil, err
	}
	book := review.Data{Catalog: cfg.Catalog, Screening: cfg.Screening, Seeds: seeds}.Skeleton()
	return &App{cfg: cfg, store: cfg.Store, catalog: cfg.Catalog, i18n: cfg.I18n, screening: cfg.Screening, records: cfg.Records,
		checklists: cfg.Checklists, followup: cfg.FollowUp, clock: cfg.Clock, loc: cfg.Location,
		reviewBook: book, fingerprints: book.Fingerprints(), site: &siteMemo{}, answers: &answersMemo{}}, nil
}

// Now is the current time on the application's clock.
func (a *App) Now() time.Time { return a.clock.Now() }

// Location is the practice's time zone.
func (a *App) Location() *time.Location { return a.loc }

// Catalog, Screening, Records, Checklists and FollowUp expose the rules the
// pages display (the questionnaire's questions, the record's fields...).
func (a *App) Catalog() *catalog.Catalog  { return a.catalog }
func (a *App) Screening() *screening.Set  { return a.screening }
func (a *App) Records() *actrecord.Set    { return a.records }
func (a *App) Checklists() *checklist.Set { return a.checklists }
func (a *App) FollowUp() *followup.Set    { return a.followup }
func (a *App) MailReady() bool            { return a.cfg.Mailer != nil }
func (a *App) BaseURL() string            { return a.cfg.BaseURL }
func (a *App) Host() string               { return a.cfg.Host }
func (a *App) Store() *store.Store        { return a.store }

// at is the application with its clock stopped at t: a document made again
// in a write unit, to check that the data it shows did not change, is made
// at the instant it was first made (see AppointmentFile.ReadAt).
func (a *App) at(t time.Time) *App {
	frozen := *a
	frozen.clock = clock.Func(func() time.Time { return t })
	return &frozen
}

func (a *App) dayOf(t time.Time) time.Time { return midnight(t, a.loc) }
func (a *App) today() time.Time            { return a.dayOf(a.Now()) }
func midnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}
