package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// pythonICal parses an iCalendar file with Python's icalendar library (an
// independent parser) and returns the calendar's name and its events.
func pythonICal(t *testing.T, data string) (name string, events []map[string]string) {
	t.Helper()
	python := os.Getenv("REPERE_TEST_PYTHON")
	if python == "" {
		python = "/usr/bin/python3" // Debian's, where python3-icalendar installs
	}
	if err := exec.Command(python, "-c", "import icalendar").Run(); err != nil {
		storetest.Require(t, "Python's icalendar (Debian's python3-icalendar)")
	}
	const script = `
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
out = {"name": str(cal.get("X-WR-CALNAME", "")), "events": []}
for ev in cal.walk("VEVENT"):
    out["events"].append({"uid": str(ev["UID"]), "start": ev.decoded("DTSTART").isoformat(), "summary": str(ev.get("SUMMARY", ""))})
print(json.dumps(out))
`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(data)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("icalendar refused the file: %v\n%s", err, out)
	}
	var parsed struct {
		Name   string              `json:"name"`
		Events []map[string]string `json:"events"`
	}
	if err := json.Unmarshal(out, &parsed); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return parsed.Name, parsed.Events
}

// crlfOnly fails unless every line of an iCalendar file ends in CRLF (RFC 5545 3.1).
func crlfOnly(t *testing.T, what, data string) {
	t.Helper()
	for i, line := range strings.SplitAfter(data, "\n") {
		if line != "" && !strings.HasSuffix(line, "\r\n") {
			t.Fatalf("%s: line %d does not end in CRLF: %q", what, i+1, line)
		}
	}
}

// TestCalendarsPerRFC5545: the room feed, the radiologist feed and the
// patient's calendar file are read by an independent parser; each has CRLF
// lines, its own UID per appointment on the practice's host, a name, and an
// absolute subscription link.
func TestCalendarsPerRFC5545(t *testing.T) {
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) {
		c.app.Host, c.app.BaseURL, c.web.BaseURL = "imagerie.example.org", "https://imagerie.example.org", "https://imagerie.example.org"
		c.web.PracticeName = "Centre d'imagerie des Écoles"
	})
	admin := h.signedIn(auth.Admin)
	rooms, _ := h.store.Rooms(system)
	doctors, _ := h.store.Radiologists(system)
	feed := func(resource string) string {
		r := admin.post("/admin/feeds", url.Values{"resource": {resource}})
		link := regexp.MustCompile(`https://imagerie\.example\.org(/calendar/[A-Za-z0-9_-]+\.ics)`).FindStringSubmatch(r.body)
		if r.status != http.StatusCreated || link == nil {
			t.Fatalf("feed %s: %d, no absolute link", resource, r.status)
		}
		return link[1]
	}
	var martin string
	for _, d := range doctors {
		if d.Login == "dr.martin" {
			martin = itoa(d.ID)
		}
	}
	appt := h.appointmentID()
	uids := map[string]string{}
	for _, c := range []struct{ what, resource, name string }{
		{"room", "room:" + itoa(rooms[0].ID), "Centre d'imagerie des Écoles — " + rooms[0].Name},
		{"radiologist", "radiologist:" + martin, "Centre d'imagerie des Écoles — Dr Hélène Martin"},
	} {
		body := h.client().get(feed(c.resource)).body
		crlfOnly(t, c.what+" feed", body)
		name, events := pythonICal(t, body)
		if name != c.name || len(events) == 0 {
			t.Fatalf("%s feed: name %q, %d events", c.what, name, len(events))
		}
		for _, ev := range events {
			if !strings.HasSuffix(ev["uid"], "@imagerie.example.org") {
				t.Errorf("%s feed: UID %q not on the practice's host", c.what, ev["uid"])
			}
			if strings.HasPrefix(ev["uid"], "appointment-"+appt+"-") {
				uids[c.what] = ev["uid"]
			}
		}
	}
	file := h.signedIn(auth.Secretary).get("/staff/appointments/" + appt + "/convocation.ics")
	crlfOnly(t, "patient's file", file.body)
	_, events := pythonICal(t, file.body)
	if len(events) != 1 {
		t.Fatalf("patient's file: %d events", len(events))
	}
	uids["patient"] = events[0]["uid"]
	if len(uids) != 3 || uids["room"] == uids["radiologist"] || uids["room"] == uids["patient"] || uids["radiologist"] == uids["patient"] {
		t.Errorf("one appointment, its UIDs per calendar: %v (want three different ones)", uids)
	}
}
