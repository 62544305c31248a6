package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/report"
	"repere/internal/store"
	"repere/internal/storetest"
)

// referrerReportID signs a report for the demo's PASQUIER, a request of
// Dr Dubois (dr.dubois), and returns its id.
func (h *harness) referrerReportID() string {
	h.t.Helper()
	h.idsMu.Lock()
	defer h.idsMu.Unlock()
	if h.referrerReport != "" {
		return h.referrerReport
	}
	ref, _ := strconv.ParseInt(h.referralID("PASQUIER"), 10, 64)
	list, err := h.store.ListAppointments(system, store.AppointmentFilter{ReferralID: ref})
	if err != nil || len(list) == 0 {
		h.t.Fatalf("PASQUIER has no appointment: %v", err)
	}
	pdf := []byte("%PDF-1.4 report of Dr Dubois's patient")
	sum := sha256.Sum256(pdf)
	r, err := h.store.SaveSignedReport(system, report.Signed{AppointmentID: list[0].ID, Number: 1, Title: "Foraminal", Body: "Technique…",
		SignedBy: "Dr Nguyen", SignedAt: storetest.Now(), SHA256: hex.EncodeToString(sum[:]), PDF: pdf})
	if err != nil {
		h.t.Fatal(err)
	}
	h.referrerReport = itoa(r.ID)
	return h.referrerReport
}

// referralDocumentID has Dr Dubois send a request with a prescription and
// returns the file's id.
func (h *harness) referralDocumentID() string {
	h.t.Helper()
	h.idsMu.Lock()
	defer h.idsMu.Unlock()
	if h.referralDocument != "" {
		return h.referralDocument
	}
	u, _ := h.store.UserByLogin(context.Background(), "dr.dubois")
	ctx := audit.WithActor(context.Background(), audit.Actor{Login: "dr.dubois", Role: string(auth.Referrer)})
	id, err := h.app.SendReferrerRequest(ctx, u.ID, app.ReferrerRequest{
		Patient:  patient.Patient{BirthName: "Test", FirstNames: "Document", BirthDate: "1970-01-02", Sex: "F"},
		Referral: referral.Referral{ActID: "facet_joint_infiltration", Urgency: referral.Routine}, FileName: "ordo.pdf", File: []byte("%PDF-1.4 prescription")})
	if err != nil {
		h.t.Fatal(err)
	}
	docs, err := h.store.ReferralDocuments(system, id)
	if err != nil || len(docs) != 1 {
		h.t.Fatalf("documents %v, %v", docs, err)
	}
	h.referralDocument = itoa(docs[0].ID)
	return h.referralDocument
}

// postMultipart sends the referrer's form with a file.
func (c *client) postMultipart(path string, fields map[string]string, fileName string, file []byte) response {
	c.h.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", c.csrf())
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if fileName != "" {
		part, _ := w.CreateFormFile("file", fileName)
		part.Write(file)
	}
	w.Close()
	req, err := http.NewRequest("POST", c.h.ts.URL+path, &body)
	if err != nil {
		c.h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestReferrerSpace: Dr Dubois sees the requests of their account and of
// their RPPS number (a second physician record), with status and dates,
// opens the signed report of their own patient (also at the staff's
// address, no more 403) but not another physician's; each read is audited.
func TestReferrerSpace(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		// A request recorded under another record of the same physician (same RPPS).
		other, err := h.store.CreatePhysician(system, practice.Physician{Name: "Claire Dubois (CHU)", RPPS: "10000000001"})
		if err != nil {
			t.Fatal(err)
		}
		mercier, _ := strconv.ParseInt(h.referralID("MERCIER"), 10, 64)
		m, _ := h.store.Referral(system, mercier)
		if _, err := h.store.CreateIntake(system, store.Intake{Referrals: []store.IntakeReferral{{Referral: referral.Referral{
			PatientID: m.PatientID, PhysicianID: other, ActID: "facet_joint_infiltration", Urgency: referral.Routine, Status: referral.Received}}}}); err != nil {
			t.Fatal(err)
		}
		own := h.referrerReportID()
		foreign := h.reportID() // LEFÈVRE: another physician's request
		c := h.signedIn(auth.Referrer)
		page := c.get("/referrer")
		for _, want := range []string{"PASQUIER", "MERCIER", "Compte rendu v1", `href="/referrer/reports/` + own + `"`, "Programmée"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the referrer's page lacks %q", want)
			}
		}
		if strings.Contains(page.body, "LEFÈVRE") || strings.Contains(page.body, "LEMAÎTRE") {
			t.Error("the referrer sees another physician's request")
		}
		for _, path := range []string{"/referrer/reports/" + own, "/staff/reports/" + own} {
			if r := c.get(path); r.status != http.StatusOK || !strings.HasPrefix(r.body, "%PDF") {
				t.Errorf("%s: %d", path, r.status)
			}
		}
		for _, path := range []string{"/referrer/reports/" + foreign, "/staff/reports/" + foreign} {
			if r := c.get(path); r.status != http.StatusNotFound {
				t.Errorf("another physician's report %s: %d", path, r.status)
			}
		}
		if n := h.auditCount(audit.Filter{Actor: "dr.dubois", Action: "read"}); n != 2 {
			t.Errorf("report reads audited: %d, want 2", n)
		}
		if n := h.auditCount(audit.Filter{Actor: "dr.dubois", Action: "read_refused"}); n != 2 {
			t.Errorf("refused reads audited: %d, want 2", n)
		}
	})
}

// TestReferrerSendsRequest: the form refuses a request without its
// prescription, with a file that is not a PDF or an image, or a file too
// big, each time in French next to the field and with what was typed
// kept; a right request is recorded for the physician, with its file, on
// the practice's record of a known patient.
func TestReferrerSendsRequest(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Referrer)
		if r := c.get("/referrer/requests/new"); r.status != http.StatusOK || !strings.Contains(r.body, `enctype="multipart/form-data"`) {
			t.Fatalf("form: %d", r.status)
		}
		fields := map[string]string{"birth_name": "Pasquier", "first_names": "Jérôme", "birth_date": "1976-07-21", "sex": "M",
			"act": "lumbar_epidural_infiltration", "levels": "L4-L5", "urgency": "soon", "indication": "Lombosciatique gauche récidivante"}
		pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 2000)...)
		for _, c2 := range []struct {
			name, file string
			data       []byte
			want       string
		}{
			{"no file", "", nil, "Joignez l&#39;ordonnance"},
			{"not a pdf", "ordonnance.pdf", []byte("MZ\x90\x00 an executable"), "ni un PDF"},
			{"too big", "scan.pdf", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), app.MaxPrescriptionBytes)...), "dépasse 5 Mo"},
		} {
			r := c.postMultipart("/referrer/requests", fields, c2.file, c2.data)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, c2.want) || !strings.Contains(r.body, `value="Pasquier"`) ||
				!strings.Contains(r.body, "Lombosciatique gauche récidivante") || !strings.Contains(r.body, `id="err-file"`) {
				t.Errorf("%s: %d, want the form kept with %q", c2.name, r.status, c2.want)
			}
		}
		missing := map[string]string{"birth_name": "Nouveau", "first_names": "Patient", "birth_date": "1980-01-01", "act": "lumbar_epidural_infiltration", "urgency": "routine"}
		if r := c.postMultipart("/referrer/requests", missing, "o.pdf", pdf); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="err-sex"`) {
			t.Errorf("no sex chosen: %d", r.status)
		}
		r := c.postMultipart("/referrer/requests", fields, "Ordonnance Pasquier.pdf", pdf)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/referrer" {
			t.Fatalf("send: %d\n%s", r.status, errorsOf(r.body))
		}
		page := c.get("/referrer")
		if !strings.Contains(page.body, "Ordonnance jointe") || !strings.Contains(page.body, "Infiltration") {
			t.Error("the new request is not listed with its prescription")
		}
		// Recorded on the practice's record of PASQUIER, for Dr Dubois, with the file.
		pasquier, _ := strconv.ParseInt(h.referralID("PASQUIER"), 10, 64)
		known, _ := h.store.Referral(system, pasquier)
		refs, _ := h.store.ListReferrals(system, store.ReferralFilter{PatientID: known.PatientID})
		var sent referral.Referral
		for _, x := range refs {
			if x.ActID == "lumbar_epidural_infiltration" {
				sent = x
			}
		}
		if sent.ID == 0 || sent.PhysicianName != "Dr Claire Dubois" || sent.Status != referral.Received || sent.Urgency != referral.Soon {
			t.Fatalf("recorded referral %+v", sent)
		}
		docs, _ := h.store.ReferralDocuments(system, sent.ID)
		if len(docs) != 1 || docs[0].Filename != "Ordonnance Pasquier.pdf" || docs[0].ContentType != "application/pdf" {
			t.Fatalf("documents %+v", docs)
		}
		staff := h.signedIn(auth.Secretary)
		if d := staff.get("/staff/referral-documents/" + itoa(docs[0].ID)); d.status != http.StatusOK || d.body != string(pdf) {
			t.Errorf("the staff's download: %d", d.status)
		}
		if p := staff.get("/staff/patients/" + itoa(known.PatientID)); !strings.Contains(p.body, `href="/staff/referral-documents/`+itoa(docs[0].ID)+`"`) {
			t.Error("the patient's page does not link the prescription")
		}
		if d := c.get("/staff/referral-documents/" + itoa(docs[0].ID)); d.status != http.StatusForbidden {
			t.Errorf("the referrer opens the staff's download: %d", d.status)
		}
	})
}
