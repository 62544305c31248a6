package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/mail"
	"repere/internal/mail/mailtest"
	"repere/internal/storetest"
)

// TestRecordReportAndSending: the radiographer records the blood patch (a
// missing blood volume is refused, the form kept), the radiologist signs the
// report drafted from the record, it is frozen with its hash, an amendment
// needs a reason, and the PDF reaches the referring physician by email.
func TestRecordReportAndSending(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	cfg := smtp.Config()
	sender, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) { c.app.Mailer = app.NewMailer(sender, cfg.From, "imagerie.example.org") })
	appt := h.appointmentID() // LEFÈVRE Zoé, blood patch L3-L4, referred by Dr Anne Leroy
	tech, doc := h.signedIn(auth.Radiographer), h.signedIn(auth.Radiologist)
	// The report cannot be signed before the act is done.
	before := h.onTheDay(appt)
	if r := doc.post("/staff/appointments/"+appt+"/report", url.Values{"title": {"Blood patch"}, "body": {"Texte."}, "action": {"sign"}}); r.status != http.StatusConflict || !strings.Contains(r.body, "pas encore réalisé") {
		t.Fatalf("signing before the act: %d\n%s", r.status, errorsOf(r.body))
	}
	h.performed(appt)
	form := url.Values{"levels": {"L3-L4"}, "approach": {"interlaminar"}, "side": {"median"}, "needle_gauge": {"18"},
		"dlp": {"123,5"}, "ctdivol": {"4.2"}, "start": {before.Start.In(paris).Format("2006-01-02T15:04")}, "end": {before.Start.In(paris).Add(25 * time.Minute).Format("2006-01-02T15:04")}, "complications": {"none"}, "version": {"0"}}
	r := tech.post("/staff/appointments/"+appt+"/record", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="123,5"`) || !strings.Contains(r.body, `id="field-blood_ml"`) {
		t.Fatalf("record without the blood volume: %d", r.status)
	}
	form.Set("blood_ml", "18")
	if r = tech.post("/staff/appointments/"+appt+"/record", form); r.status != http.StatusOK || !strings.Contains(r.body, `id="record-saved"`) {
		t.Fatalf("record: %d\n%s", r.status, errorsOf(r.body))
	}
	if r := h.signedIn(auth.Secretary).post("/staff/appointments/"+appt+"/record", form); r.status != http.StatusForbidden {
		t.Errorf("secretary writing the record: %d", r.status)
	}
	page := doc.get("/staff/appointments/" + appt + "/report")
	body := regexp.MustCompile(`(?s)<textarea id="rp-body" name="body" rows="[0-9]+">(.*?)</textarea>`).FindStringSubmatch(page.body)
	if body == nil || !strings.Contains(body[1], "18 mL") || !strings.Contains(body[1], "L3-L4") || !strings.Contains(body[1], "123,5") {
		t.Fatalf("the draft does not carry the record:\n%v", body)
	}
	title := regexp.MustCompile(`name="title" value="([^"]+)"`).FindStringSubmatch(page.body)[1]
	text := strings.ReplaceAll(strings.ReplaceAll(body[1], "&#39;", "'"), "&#34;", "\"")
	if r := tech.post("/staff/appointments/"+appt+"/report", url.Values{"title": {title}, "body": {text}, "action": {"sign"}}); r.status != http.StatusForbidden {
		t.Errorf("radiographer signing: %d", r.status)
	}
	if r := doc.post("/staff/appointments/"+appt+"/report", url.Values{"title": {title}, "body": {text}, "action": {"sign"}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign: %d\n%s", r.status, errorsOf(r.body))
	}
	page = doc.get("/staff/appointments/" + appt + "/report")
	m := regexp.MustCompile(`href="/staff/reports/(\d+)"`).FindStringSubmatch(page.body)
	hash := regexp.MustCompile(`<code class="hash">([0-9a-f]{64})</code>`).FindStringSubmatch(page.body)
	if m == nil || hash == nil {
		t.Fatal("the signed version is not listed")
	}
	pdf := doc.get("/staff/reports/" + m[1])
	sum := sha256.Sum256([]byte(pdf.body))
	if !strings.HasPrefix(pdf.body, "%PDF") || hex.EncodeToString(sum[:]) != hash[1] {
		t.Error("the downloaded report does not match its hash")
	}
	if r := doc.post("/staff/appointments/"+appt+"/report", url.Values{"title": {title}, "body": {text + "\nAjout."}, "action": {"sign"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("amendment without a reason: %d", r.status)
	}
	if r := doc.post("/staff/appointments/"+appt+"/report", url.Values{"title": {title}, "body": {text + "\nAjout."}, "action": {"sign"}, "reason": {"précision ajoutée"}}); r.status != http.StatusSeeOther {
		t.Fatalf("amendment: %d", r.status)
	}
	if again := doc.get("/staff/reports/" + m[1]); again.body != pdf.body {
		t.Error("version 1 changed after the amendment")
	}
	if err := h.app.OutboxOnce(context.Background(), app.OutboxOptions{}); err != nil {
		t.Fatal(err)
	}
	var toDoctor int
	for _, msg := range smtp.Wait(2, 5*time.Second) { // the two versions (the act is done: no reminder)
		if msg.To[0] == "a.leroy@example.org" && len(msg.Attachments) == 1 && strings.HasPrefix(string(msg.Attachments[0].Data), "%PDF") {
			toDoctor++
		}
	}
	if toDoctor < 2 {
		t.Errorf("%d reports reached the referring physician, want the version and its amendment", toDoctor)
	}
}
