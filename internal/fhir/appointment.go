package fhir

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/practice"
	"repere/internal/schedule"
)

// Appointment is a booked act: the patient, the radiologist, the CT room
// and the monitoring place as participants, the referral as basedOn. It
// starts with the act and ends when the patient leaves the monitoring place
// (or the room, when the act needs no monitoring); minutesDuration is the
// act's own time in the room.
type Appointment struct {
	ResourceType      string                   `json:"resourceType"`
	ID                string                   `json:"id,omitempty"`
	Meta              *Meta                    `json:"meta,omitempty"`
	Identifier        []Identifier             `json:"identifier,omitempty"`
	Status            string                   `json:"status"`
	CancelationReason *CodeableConcept         `json:"cancelationReason,omitempty"`
	ServiceType       []CodeableConcept        `json:"serviceType,omitempty"`
	Start             string                   `json:"start,omitempty"`
	End               string                   `json:"end,omitempty"`
	MinutesDuration   int                      `json:"minutesDuration,omitempty"`
	BasedOn           []Reference              `json:"basedOn,omitempty"`
	Participant       []AppointmentParticipant `json:"participant"`
}

type AppointmentParticipant struct {
	Actor    *Reference `json:"actor,omitempty"`
	Required string     `json:"required,omitempty"`
	Status   string     `json:"status"`
}

var appointmentStatus = map[booking.Status]string{
	booking.Booked: "booked", booking.Cancelled: "cancelled", booking.NoShow: "noshow", booking.Done: "fulfilled",
}

// appointmentStatuses is FHIR's appointment-status value set, with the
// booking statuses each code finds.
var appointmentStatuses = map[string][]booking.Status{
	"proposed": nil, "pending": nil, "booked": {booking.Booked}, "arrived": nil, "fulfilled": {booking.Done},
	"cancelled": {booking.Cancelled}, "noshow": {booking.NoShow}, "entered-in-error": nil, "checked-in": nil, "waitlist": nil,
}

// instant writes a time as a FHIR instant in loc.
func instant(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Truncate(time.Second).Format(time.RFC3339)
}

// AppointmentFrom maps an appointment; actName is the act's name, loc the
// practice's time zone.
func AppointmentFrom(a booking.Appointment, actName string, loc *time.Location) Appointment {
	id := strconv.FormatInt(a.ID, 10)
	out := Appointment{ResourceType: "Appointment", ID: id, Status: appointmentStatus[a.Status],
		Start: instant(a.Start, loc), MinutesDuration: a.RoomMinutes,
		Identifier: []Identifier{{Use: "usual", System: SystemAppt, Value: id}},
	}
	if out.Status == "" {
		out.Status = "booked"
	}
	end := a.RoomEnd
	if a.PlaceEnd.After(end) {
		end = a.PlaceEnd
	}
	out.End = instant(end, loc)
	if a.AccessionNumber != "" {
		out.Identifier = append(out.Identifier, Identifier{Use: "secondary", System: SystemAccession, Value: a.AccessionNumber})
	}
	if a.StudyInstanceUID != "" {
		out.Identifier = append(out.Identifier, Identifier{Use: "secondary", System: SystemStudy, Value: "urn:oid:" + a.StudyInstanceUID})
	}
	if a.Status == booking.Cancelled && strings.TrimSpace(a.CancelReason) != "" {
		out.CancelationReason = &CodeableConcept{Text: strings.TrimSpace(a.CancelReason)}
	}
	if a.ActID != "" {
		out.ServiceType = []CodeableConcept{actConcept(a.ActID, actName)}
	}
	if a.ReferralID != 0 {
		out.BasedOn = []Reference{{Reference: "ServiceRequest/" + strconv.FormatInt(a.ReferralID, 10)}}
	}
	add := func(actor Reference) {
		out.Participant = append(out.Participant, AppointmentParticipant{Actor: &actor, Required: "required", Status: "accepted"})
	}
	add(Reference{Reference: "Patient/" + strconv.FormatInt(a.PatientID, 10), Display: a.PatientName})
	if a.RadiologistID != 0 {
		add(Reference{Reference: "Practitioner/" + radiologistPrefix + strconv.FormatInt(a.RadiologistID, 10), Display: a.RadiologistName})
	}
	if a.RoomID != 0 {
		add(roomReference(a.RoomID, a.RoomName))
	}
	if a.PlaceID != 0 {
		add(roomReference(a.PlaceID, a.PlaceName))
	}
	return out
}

func actConcept(actID, actName string) CodeableConcept {
	return CodeableConcept{Coding: []Coding{{System: SystemAct, Code: actID, Display: actName}}, Text: actName}
}

// roomReference names a room by identifier: the API serves no Location.
func roomReference(id int64, name string) Reference {
	return Reference{Type: "Location", Identifier: &Identifier{System: SystemRoom, Value: strconv.FormatInt(id, 10)}, Display: name}
}

// Schedule is a CT room's calendar; its id is the room's.
type Schedule struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id,omitempty"`
	Identifier   []Identifier `json:"identifier,omitempty"`
	Active       *bool        `json:"active,omitempty"`
	Actor        []Reference  `json:"actor"`
	Comment      string       `json:"comment,omitempty"`
}

// ScheduleFrom maps a CT room.
func ScheduleFrom(r practice.Room) Schedule {
	id := strconv.FormatInt(r.ID, 10)
	active := r.Active
	out := Schedule{ResourceType: "Schedule", ID: id, Active: &active,
		Identifier: []Identifier{{Use: "usual", System: SystemRoom, Value: id}},
		Actor:      []Reference{roomReference(r.ID, r.Name)},
	}
	if r.StationAETitle != "" {
		out.Comment = "Scanner AE title " + r.StationAETitle
	}
	return out
}

// Slot is a free time for an act, computed from the calendars: it has no id
// and is found only by search.
type Slot struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	ServiceType  []CodeableConcept `json:"serviceType,omitempty"`
	Schedule     Reference         `json:"schedule"`
	Status       string            `json:"status"`
	Start        string            `json:"start"`
	End          string            `json:"end"`
	Comment      string            `json:"comment,omitempty"`
}

// SlotFrom maps a free slot: the act's time in its CT room.
func SlotFrom(s schedule.Slot, actID, actName string, loc *time.Location) Slot {
	return Slot{ResourceType: "Slot", ID: slotID(actID, s.RoomID, s.Act.Start, loc), ServiceType: []CodeableConcept{actConcept(actID, actName)},
		Schedule: Reference{Reference: "Schedule/" + strconv.FormatInt(s.RoomID, 10)}, Status: "free",
		Start: instant(s.Act.Start, loc), End: instant(s.Act.End, loc)}
}

// slotID names a slot: the act (its "_" written "-", which FHIR ids
// allow), the CT room and the start in the practice's time zone, e.g.
// "facet-joint-infiltration.1.20261124T0830".
func slotID(actID string, roomID int64, start time.Time, loc *time.Location) string {
	return strings.ReplaceAll(actID, "_", "-") + "." + strconv.FormatInt(roomID, 10) + "." + start.In(loc).Format("20060102T1504")
}

func parseSlotID(id string, loc *time.Location) (actID string, roomID int64, start time.Time, ok bool) {
	parts := strings.Split(id, ".")
	if len(parts) != 3 {
		return "", 0, time.Time{}, false
	}
	roomID, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", 0, time.Time{}, false
	}
	start, err = time.ParseInLocation("20060102T1504", parts[2], loc)
	return strings.ReplaceAll(parts[0], "-", "_"), roomID, start, err == nil
}

// QuestionnaireResponse is a referral's safety screening: one item per
// question id with its answer as a string, and an item "treatments" with
// one answer per treatment. Its id is the referral's.
type QuestionnaireResponse struct {
	ResourceType  string      `json:"resourceType"`
	ID            string      `json:"id,omitempty"`
	Meta          *Meta       `json:"meta,omitempty"`
	Questionnaire string      `json:"questionnaire,omitempty"`
	Status        string      `json:"status"`
	Subject       *Reference  `json:"subject,omitempty"`
	BasedOn       []Reference `json:"basedOn,omitempty"`
	Authored      string      `json:"authored,omitempty"`
	Item          []QRItem    `json:"item,omitempty"`
}

type QRItem struct {
	LinkID string     `json:"linkId"`
	Answer []QRAnswer `json:"answer,omitempty"`
}

type QRAnswer struct {
	ValueString string `json:"valueString"`
}

// TreatmentsLinkID is the item holding the treatments list.
const TreatmentsLinkID = "treatments"

// QuestionnaireResponseFrom maps a screening.
func QuestionnaireResponseFrom(s Screening, loc *time.Location) QuestionnaireResponse {
	id := strconv.FormatInt(s.ReferralID, 10)
	out := QuestionnaireResponse{ResourceType: "QuestionnaireResponse", ID: id, Questionnaire: ScreeningCanonic,
		Status: "in-progress", Authored: instant(s.UpdatedAt, loc),
		Subject: &Reference{Reference: "Patient/" + strconv.FormatInt(s.PatientID, 10)},
		BasedOn: []Reference{{Reference: "ServiceRequest/" + id}},
	}
	if s.Completed {
		out.Status = "completed"
	}
	questions := make([]string, 0, len(s.Answers))
	for q := range s.Answers {
		questions = append(questions, q)
	}
	slices.Sort(questions)
	for _, q := range questions {
		if a := strings.TrimSpace(s.Answers[q]); a != "" && strings.TrimSpace(q) != "" && q != TreatmentsLinkID {
			out.Item = append(out.Item, QRItem{LinkID: q, Answer: []QRAnswer{{ValueString: a}}})
		}
	}
	var treatments []QRAnswer
	for _, t := range s.Treatments {
		if t = strings.TrimSpace(t); t != "" {
			treatments = append(treatments, QRAnswer{ValueString: t})
		}
	}
	if len(treatments) > 0 {
		out.Item = append(out.Item, QRItem{LinkID: TreatmentsLinkID, Answer: treatments})
	}
	return out
}
