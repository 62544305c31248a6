package actrecord

import "time"

// Drug classes of DrugDose.
const (
	ClassSteroid          = "steroid"
	ClassLocalAnaesthetic = "local_anaesthetic"
)

// Complication keys with a meaning of their own.
const (
	ComplicationNone  = "none"
	ComplicationOther = "other"
)

// DrugDose is one product injected, by its id in data/fields.yaml.
type DrugDose struct {
	DrugID   string  `json:"drug_id"`
	DoseMg   float64 `json:"dose_mg"`
	VolumeML float64 `json:"volume_ml,omitempty"`
}

// Record is what was done during one act. Optional amounts are pointers, so
// that "not recorded" differs from zero.
type Record struct {
	Levels      []string   `json:"levels"`
	Side        string     `json:"side,omitempty"`
	Approach    string     `json:"approach,omitempty"`
	NeedleGauge int        `json:"needle_gauge,omitempty"`
	Drugs       []DrugDose `json:"drugs,omitempty"`
	ContrastML  *float64   `json:"contrast_ml,omitempty"`
	BloodML     *float64   `json:"blood_ml,omitempty"`
	// CementML is the cement volume per treated vertebra (level → mL).
	CementML   map[string]float64 `json:"cement_ml,omitempty"`
	BiopsySent bool               `json:"biopsy_sent,omitempty"`
	// DLP in mGy·cm, CTDIvol in mGy.
	DLP     *float64 `json:"dlp,omitempty"`
	CTDIvol *float64 `json:"ctdivol,omitempty"`
	// DoseReason is why the team's dose differs from the scanner's.
	DoseReason string    `json:"dose_reason,omitempty"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	// Complications are keys of the act's coded list; ComplicationNone alone
	// when there was none.
	Complications    []string `json:"complications,omitempty"`
	ComplicationNote string   `json:"complication_note,omitempty"`
	StudyInstanceUID string   `json:"study_instance_uid,omitempty"`
	Notes            string   `json:"notes,omitempty"`
	// Confirmed are the contradictions with the screening (an allergy, a
	// hold not respected) that the team confirmed when saving.
	Confirmed []Confirmation `json:"confirmed,omitempty"`
	// Modifiers are the CCAM modifier letters the team typed for the main
	// code (e.g. "F"); Billing the codes billed, frozen when the record is
	// saved (see Billed).
	Modifiers string   `json:"modifiers,omitempty"`
	Billing   []Billed `json:"billing,omitempty"`
}

// Billed is one CCAM code billed for the act, as priced when the record was
// saved: the tariff on the act's day and the radiologist's grid, the share
// billed (association), the modifiers (their amounts are the billing
// software's: not included in BaseCents).
type Billed struct {
	Code        string `json:"code"`
	Label       string `json:"label"`
	Activity    int    `json:"activity"`
	Phase       int    `json:"phase"`
	Modifiers   string `json:"modifiers,omitempty"`
	Percent     int    `json:"percent"`
	TariffCents int64  `json:"tariff_cents"`
	BaseCents   int64  `json:"base_cents"`
	Priced      bool   `json:"priced"`
	Grid        string `json:"grid"`
	TariffFrom  string `json:"tariff_from,omitempty"`
}

// Confirmation is a contradiction with the screening, confirmed by a named
// member of the team.
type Confirmation struct {
	ID string    `json:"id"` // e.g. "allergy.allergy_contrast", "hold_not_respected.apixaban"
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Uses reports whether the record gives a value in field f: a drug of its
// class, a volume above zero, a level's cement...
func (r Record) Uses(f Field) bool {
	switch f.ID {
	case "contrast_ml":
		return r.ContrastML != nil && *r.ContrastML > 0
	case "blood_ml":
		return r.BloodML != nil && *r.BloodML > 0
	case "cement_ml":
		return len(r.CementML) > 0
	case "biopsy_sent":
		return r.BiopsySent
	}
	if f.Kind == KindDrug {
		for _, d := range r.Drugs {
			for _, known := range f.Drugs {
				if known.ID == d.DrugID {
					return true
				}
			}
		}
	}
	return false
}

// MergeScanner fills the times and dose the scanner sent (MPPS) where the
// record has none; a value typed by the team is never overwritten.
func (r Record) MergeScanner(start, end time.Time, dlp, ctdi *float64) Record {
	if r.Start.IsZero() {
		r.Start = start
	}
	if r.End.IsZero() {
		r.End = end
	}
	if r.DLP == nil && dlp != nil {
		v := *dlp
		r.DLP = &v
	}
	if r.CTDIvol == nil && ctdi != nil {
		v := *ctdi
		r.CTDIvol = &v
	}
	return r
}

// NoComplication reports whether the record says explicitly that there was none.
func (r Record) NoComplication() bool {
	return len(r.Complications) == 1 && r.Complications[0] == ComplicationNone
}
