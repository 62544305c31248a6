package worklist

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"repere/internal/dimse"
	"repere/internal/mpps"
)

// Source gives the worklist items that may match a query. The handler
// applies the full DICOM matching afterwards, so a Source may return more
// items than the Range asks for, never fewer; the Range lets a database use
// its indexes on the scheduled start and the room.
type Source interface {
	WorklistItems(ctx context.Context, r Range) ([]Item, error)
}

// Range narrows a query for the Source. Zero fields are unbounded.
type Range struct {
	// From and To bound the scheduled start: From <= start < To.
	From, To time.Time
	// StationAETitle is the room's console, when the query names exactly one.
	StationAETitle string
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, r Range) ([]Item, error)

// WorklistItems calls f.
func (f SourceFunc) WorklistItems(ctx context.Context, r Range) ([]Item, error) { return f(ctx, r) }

// StaticSource serves a fixed list, for tests, demos and benchmarks.
type StaticSource []Item

// WorklistItems returns a copy of the list.
func (s StaticSource) WorklistItems(context.Context, Range) ([]Item, error) {
	return slices.Clone(s), nil
}

// Config configures a Handler.
type Config struct {
	Source Source
	// Charset of the answers (default ISO_IR 100, which every console
	// reads), and per calling AE title for consoles configured otherwise.
	Charset            dimse.Charset
	CharsetByCallingAE map[string]dimse.Charset
	// StationByCallingAE maps a console's calling AE title to the station
	// AE title of its room. A query that names no single station (empty,
	// "*" or a wildcard) gets the console's own room's list, never every
	// room's patients.
	StationByCallingAE map[string]string
	// AllowUnmappedAll lets a console missing from StationByCallingAE see
	// every room when its query names no single station. By default it
	// gets no entry (and the refusal is logged once per association), so a
	// console added to the network without configuration lists no
	// patient of another room.
	AllowUnmappedAll bool
	// Location is the practice's time zone, in which scheduled times are
	// sent (default time.Local): DICOM dates and times carry no zone.
	Location *time.Location
	// Logger receives the policy decisions, never patient data; nil
	// discards.
	Logger *slog.Logger
}

// Handler answers Modality Worklist C-FIND requests; it is a
// dimse.FindHandler.
type Handler struct {
	cfg Config

	mu sync.Mutex
	// unmappedLogged remembers, per unmapped calling AE, the last
	// association whose empty answer was logged.
	unmappedLogged map[string]uint64
}

// maxUnmappedLogged bounds unmappedLogged against a peer inventing AE
// titles: past it the memory is cleared and the log says a little more.
const maxUnmappedLogged = 256

// NewHandler returns a handler serving items from cfg.Source.
func NewHandler(cfg Config) *Handler {
	if cfg.Charset == dimse.CharsetDefault {
		cfg.Charset = dimse.CharsetLatin1
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg, unmappedLogged: make(map[string]uint64)}
}

var _ dimse.FindHandler = (*Handler)(nil)

// Find matches the items of the Source against the query and sends the
// matches in order of scheduled start.
func (h *Handler) Find(ctx context.Context, req *dimse.FindRequest, send dimse.SendFunc) error {
	q, err := compileQuery(req.Identifier, topLevel, req.Charset)
	if err != nil {
		return err
	}
	station, allowed := h.defaultStation(req)
	if !allowed {
		return nil
	}
	if station != "" && queryStation(req.Identifier, req.Charset) == "" {
		q.matchers = append(q.matchers, func(it *Item) bool { return it.Step.StationAETitle == station })
	}
	r := h.queryRange(req.Identifier, req.Charset)
	r.StationAETitle = station
	items, err := h.cfg.Source.WorklistItems(ctx, r)
	if err != nil {
		return fmt.Errorf("worklist: source: %w", err)
	}
	for i := range items {
		items[i].Step.Start = h.inLocation(items[i].Step.Start)
		items[i].Step.End = h.inLocation(items[i].Step.End)
	}
	slices.SortStableFunc(items, func(a, b Item) int { return a.Step.Start.Compare(b.Step.Start) })

	cs := h.charsetFor(req.CallingAE)
	status := dimse.StatusPending
	if q.unsupported {
		status = dimse.StatusPendingWarning
	}
	for i := range items {
		if !listed(&items[i]) || !q.matches(&items[i]) {
			continue
		}
		// An answer goes in the console's character set, unless one of its
		// texts needs more (DVOŘÁK in ISO_IR 100): then in UTF-8, said in
		// its Specific Character Set, rather than a name changed.
		answerCS := cs
		if !items[i].representable(cs) {
			answerCS = dimse.CharsetUTF8
		}
		answer := q.answer(&items[i], answerCS)
		answer.Set(dimse.NewString(dimse.TagSpecificCharacterSet, string(answerCS)))
		if err := send(answer, status); err != nil {
			return err
		}
	}
	return nil
}

// defaultStation applies the per-console policy to a query: the station to
// restrict it to ("" for none), and whether it may be answered at all.
func (h *Handler) defaultStation(req *dimse.FindRequest) (string, bool) {
	if station := queryStation(req.Identifier, req.Charset); station != "" {
		return station, true
	}
	if station, ok := h.cfg.StationByCallingAE[req.CallingAE]; ok && station != "" {
		return station, true
	}
	if h.cfg.AllowUnmappedAll {
		return "", true
	}
	h.logUnmapped(req)
	return "", false
}

func (h *Handler) logUnmapped(req *dimse.FindRequest) {
	h.mu.Lock()
	last, seen := h.unmappedLogged[req.CallingAE]
	if seen && last == req.AssociationID {
		h.mu.Unlock()
		return
	}
	if len(h.unmappedLogged) >= maxUnmappedLogged {
		clear(h.unmappedLogged)
	}
	h.unmappedLogged[req.CallingAE] = req.AssociationID
	h.mu.Unlock()
	h.cfg.Logger.Info("worklist query without station from a console with no room: no entry returned",
		"calling_ae", req.CallingAE, "association", req.AssociationID)
}

// listed reports whether an item belongs on the worklist: a step the
// console reported COMPLETED is done. A DISCONTINUED one stays listed, so
// the act can be performed again.
func listed(it *Item) bool {
	return it.Step.PerformedStatus != mpps.StatusCompleted
}

func (h *Handler) inLocation(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(h.cfg.Location)
}

func (h *Handler) charsetFor(callingAE string) dimse.Charset {
	if cs, ok := h.cfg.CharsetByCallingAE[callingAE]; ok && cs != dimse.CharsetDefault {
		return cs
	}
	return h.cfg.Charset
}

// queryStep returns the query's Scheduled Procedure Step item, if any.
func queryStep(identifier *dimse.Dataset) *dimse.Dataset {
	if el := identifier.Get(dimse.TagScheduledProcedureStepSeq); el != nil && len(el.Items) == 1 {
		return el.Items[0]
	}
	return nil
}

// queryStation is the station AE title the query names exactly, or "".
func queryStation(identifier *dimse.Dataset, cs dimse.Charset) string {
	station := queryStep(identifier).String(dimse.TagScheduledStationAETitle, cs)
	if strings.ContainsAny(station, `*?\`) {
		return ""
	}
	return station
}

// queryRange turns the scheduled start date of the query into the time
// range handed to the Source. Times of day are left to the matching: a
// day is a small enough slice for a database.
func (h *Handler) queryRange(identifier *dimse.Dataset, cs dimse.Charset) Range {
	value := queryStep(identifier).String(dimse.TagSPSStartDate, cs)
	dates, err := parseDateRange(value)
	if value == "" || err != nil {
		return Range{}
	}
	var r Range
	if t, err := time.ParseInLocation("20060102", dates.lower, h.cfg.Location); err == nil {
		r.From = t
	}
	if t, err := time.ParseInLocation("20060102", dates.upper, h.cfg.Location); err == nil {
		r.To = t.AddDate(0, 0, 1)
	}
	return r
}
