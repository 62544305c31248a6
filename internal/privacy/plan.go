package privacy

import (
	"strings"
	"time"
)

// Record is what the database holds about one patient that decides an
// erasure: the rows that make a medical record exist, the date of the last
// care, the birth date, and how many rows each table holds about them.
type Record struct {
	BirthDate string         // YYYY-MM-DD
	Evidence  map[string]int // evidence name (medical_record.evidence) -> rows
	LastCare  time.Time      // the latest date of the evidence, zero without any
	Rows      map[string]int // table -> rows holding the patient
}

// HasMedicalRecord reports whether any evidence of care exists.
func (rec Record) HasMedicalRecord() bool {
	for _, n := range rec.Evidence {
		if n > 0 {
			return true
		}
	}
	return false
}

// Decision is what an erasure does to one part, and the rule behind it.
type Decision struct {
	Part      Part
	Action    Action
	Rows      int
	Source    Source    // the rule that keeps the part, or lets it go
	KeptUntil time.Time // for a part of the medical record, the record's date
}

// Plan is what an erasure request does to a patient's data.
type Plan struct {
	MedicalRecord bool
	LastCare      time.Time
	KeptUntil     time.Time // the day the kept parts may go at the earliest; zero when nothing is kept for the record
	UntilAge      int       // set when the period runs to the patient's birthday at this age (a minor)
	Rule          Source    // the retention rule of the medical record
	Also          []Source  // the texts that back it for private practices
	Note          Text
	Decisions     []Decision
}

// Plan decides, part by part, what an erasure request keeps and erases for
// the patient's record; dates are counted in loc (the practice's time zone).
func (r Rules) Plan(rec Record, loc *time.Location) Plan {
	m := r.MedicalRecord
	p := Plan{MedicalRecord: rec.HasMedicalRecord(), Rule: r.Sources[m.Source], Note: m.Note}
	for _, id := range m.Also {
		p.Also = append(p.Also, r.Sources[id])
	}
	if p.MedicalRecord {
		p.LastCare = rec.LastCare
		p.KeptUntil, p.UntilAge = keptUntil(rec, m, loc)
	}
	for _, part := range r.Parts {
		d := Decision{Part: part, Action: part.WithoutRecord, Rows: rec.Rows[part.Table]}
		if p.MedicalRecord {
			d.Action = part.WithRecord
		}
		switch d.Action {
		case Keep:
			d.Source = r.Sources[first(part.KeepSource, m.Source)]
			if p.MedicalRecord && !part.OwnRetention {
				d.KeptUntil = p.KeptUntil
			}
		case Erase, Anonymise:
			d.Source = r.Sources[first(part.EraseSource, defaultEraseSource)]
		}
		p.Decisions = append(p.Decisions, d)
	}
	return p
}

// keptUntil is the last care plus the rule's years, or the patient's
// birthday at the rule's age when that comes later (R1112-7: a minor's
// record is kept until their 28th birthday at least).
func keptUntil(rec Record, m MedicalRecordRule, loc *time.Location) (time.Time, int) {
	y, mo, d := rec.LastCare.In(loc).Date()
	until := time.Date(y+m.Years, mo, d, 0, 0, 0, 0, loc)
	born, err := time.ParseInLocation(time.DateOnly, rec.BirthDate, loc)
	if err != nil {
		return until, 0
	}
	if birthday := born.AddDate(m.UntilAge, 0, 0); birthday.After(until) {
		return birthday, m.UntilAge
	}
	return until, 0
}

// Parts returns the ids of the parts whose decision is one of actions.
func (p Plan) Parts(actions ...Action) []string {
	var out []string
	for _, d := range p.Decisions {
		for _, a := range actions {
			if d.Action == a {
				out = append(out, d.Part.ID)
			}
		}
	}
	return out
}

// Summary is the plan in one line, for the audit log.
func (p Plan) Summary() string {
	s := "erased: " + strings.Join(p.Parts(Erase, Anonymise), ",")
	if p.MedicalRecord {
		s += "; kept until " + p.KeptUntil.Format(time.DateOnly) + " (" + p.Rule.ID + "): " + strings.Join(p.Parts(Keep), ",")
	}
	return s
}

// Erasure is one erasure request carried out.
type Erasure struct {
	At        time.Time
	Actor     string
	Reason    string
	KeptUntil string // YYYY-MM-DD, empty when no medical record was kept
	Rule      string // source id of the rule that kept the record
	Kept      []string
	Erased    []string
}

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
