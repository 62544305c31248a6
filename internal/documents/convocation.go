package documents

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// ConvocationPDF renders the convocation as an A4 PDF with embedded fonts.
func ConvocationPDF(c Convocation) ([]byte, error) {
	d, err := convocationDoc(c)
	if err != nil {
		return nil, err
	}
	m, err := newPDF(d.Title, c.issuedAt()) // no name in the metadata
	if err != nil {
		return nil, err
	}
	addDoc(m, d)
	return generate(m, c.issuedAt())
}

// DefaultUIDHost names the calendar UIDs' host when the convocation gives none.
const DefaultUIDHost = "repere.invalid"

// ConvocationICS returns an iCalendar file (RFC 5545: CRLF lines) with one
// event starting at the arrival time, at the site, with a reminder the day
// before. The event's UID derives from AppointmentID only, so a rescheduled
// appointment sent again updates the same event in the patient's calendar;
// it names the patient's file ("-patient"), because the staff's feeds hold
// the same appointment at other times (the room's time), and the practice's
// host (RFC 5545 3.8.4.7).
func ConvocationICS(c Convocation) ([]byte, error) {
	d, err := convocationDoc(c)
	if err != nil {
		return nil, err
	}
	if c.AppointmentID == "" {
		return nil, errors.New("documents: calendar event needs an appointment id")
	}
	l := d.Lang
	cal := ics.NewCalendar()
	cal.SetProductId("-//Repère//Convocation//" + strings.ToUpper(l))
	cal.SetMethod(ics.MethodPublish)

	host := c.UIDHost
	if host == "" {
		host = DefaultUIDHost
	}
	ev := cal.AddEvent("appointment-" + c.AppointmentID + "-patient@" + host)
	ev.SetDtStampTime(c.issuedAt())
	ev.SetStartAt(c.Arrival())
	// The event lasts the patient's whole visit: room time, then monitoring.
	room := c.Act.RoomMinutes.Duration()
	for _, v := range c.Act.Variants {
		if v.ID == c.Variant {
			room = v.RoomMinutes.Duration()
		}
	}
	ev.SetEndAt(c.Start.Add(room + time.Duration(c.Act.Monitoring.Minutes)*time.Minute))
	ev.SetSummary(actName(c.Act, c.Variant, l))
	if loc := strings.Trim(strings.Join(nonEmpty(c.Site.Name, c.Site.Address), ", "), " "); loc != "" {
		ev.SetLocation(loc)
	}
	ev.SetDescription(icsDescription(d))

	alarm := ev.AddAlarm()
	alarm.SetAction(ics.ActionDisplay)
	alarm.SetTrigger("-P1D")
	alarm.SetProperty(ics.ComponentPropertyDescription, actName(c.Act, c.Variant, l))

	var buf bytes.Buffer
	if err := cal.SerializeTo(&buf, ics.WithNewLineWindows); err != nil {
		return nil, fmt.Errorf("documents: calendar: %w", err)
	}
	return buf.Bytes(), nil
}

// icsDescription is the letter as plain text: the essentials travel with the event.
func icsDescription(d doc) string {
	var b strings.Builder
	for _, s := range d.Sections {
		b.WriteString(s.Heading + "\n")
		for _, p := range s.Strong {
			b.WriteString(p + "\n")
		}
		for _, p := range s.Paragraphs {
			b.WriteString(p + "\n")
		}
		for _, it := range s.Items {
			b.WriteString("- " + it + "\n")
		}
		for _, r := range s.Rows {
			b.WriteString(r.Label + " : " + r.Value + "\n")
		}
		for _, a := range s.After {
			b.WriteString(a + "\n")
		}
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}
