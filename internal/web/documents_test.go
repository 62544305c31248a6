package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// signaturePNG draws a stroke, as the tablet's canvas would.
func signaturePNG(t *testing.T, blank bool) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 120, 40))
	if !blank {
		for x := 10; x < 110; x++ {
			img.Set(x, 20+x%7, color.NRGBA{0, 0, 0, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

func TestAppointmentDocumentsAndTabletConsent(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Radiographer)
		appt := h.appointmentID()
		page := c.get("/staff/appointments/" + appt)
		if page.status != http.StatusOK || !strings.Contains(page.body, "Votre convocation") || !strings.Contains(page.body, "L&#39;envoi de courriels n&#39;est pas configuré") {
			t.Fatalf("appointment page: %d", page.status)
		}
		for doc, kind := range map[string]string{"convocation.pdf": "application/pdf", "convocation.ics": "text/calendar", "consent-form.pdf": "application/pdf"} {
			r := c.get("/staff/appointments/" + appt + "/" + doc)
			if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), kind) || len(r.body) < 200 {
				t.Errorf("%s: %d %q, %d bytes", doc, r.status, r.header.Get("Content-Type"), len(r.body))
			}
		}
		if r := h.client().get("/actes/blood-patch-epidural/fiche.pdf"); r.status != http.StatusOK || !strings.HasPrefix(r.body, "%PDF") {
			t.Errorf("public information sheet: %d", r.status)
		}

		form := c.get("/staff/appointments/" + appt + "/consent")
		version := regexp.MustCompile(`name="version" value="([0-9a-f]+)"`).FindStringSubmatch(form.body)
		if form.status != http.StatusOK || version == nil || !strings.Contains(form.body, "signature.js") {
			t.Fatalf("consent page: %d", form.status)
		}
		sign := func(name, signature, v string) response {
			return c.post("/staff/appointments/"+appt+"/consent", url.Values{"signer_name": {name}, "signature": {signature}, "version": {v}})
		}
		if r := sign("Zoé Lefèvre", signaturePNG(t, true), version[1]); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Signez dans le cadre") ||
			!strings.Contains(r.body, `value="Zoé Lefèvre"`) {
			t.Fatalf("blank signature: %d", r.status)
		}
		if r := sign("Zoé Lefèvre", signaturePNG(t, false), "0000"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "a changé") {
			t.Fatalf("old version: %d", r.status)
		}
		if r := sign("Zoé Lefèvre", signaturePNG(t, false), version[1]); r.status != http.StatusSeeOther {
			t.Fatalf("signing: %d\n%s", r.status, errorsOf(r.body))
		}
		page = c.get("/staff/appointments/" + appt)
		m := regexp.MustCompile(`/staff/consents/(\d+)/document`).FindStringSubmatch(page.body)
		hash := regexp.MustCompile(`<code class="hash">([0-9a-f]{64})</code>`).FindStringSubmatch(page.body)
		if m == nil || hash == nil {
			t.Fatal("the signed consent is not listed with its hash")
		}
		doc := c.get("/staff/consents/" + m[1] + "/document")
		sum := sha256.Sum256([]byte(doc.body))
		if doc.status != http.StatusOK || hex.EncodeToString(sum[:]) != hash[1] || doc.header.Get("X-Content-SHA256") != hash[1] {
			t.Fatalf("downloaded consent does not match its hash: %d", doc.status)
		}
		if r := c.post("/staff/consents/"+m[1]+"/withdraw", url.Values{"reason": {"la patiente renonce"}}); r.status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", r.status)
		}
		if page = c.get("/staff/appointments/" + appt); !strings.Contains(page.body, "la patiente renonce") {
			t.Error("the withdrawal is not shown")
		}
		if again := c.get("/staff/consents/" + m[1] + "/document"); again.body != doc.body {
			t.Error("the document changed after the withdrawal")
		}
	})
}

func TestScannedConsentAndCover(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Secretary)
	appt := h.appointmentID()
	upload := func(name string, data []byte) response {
		return c.scanConsent(appt, "Zoé Lefèvre", name, data)
	}
	if r := upload("virus.exe", []byte("MZ\x90\x00 not a document")); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("executable accepted: %d\n%s", r.status, errorsOf(r.body))
	}
	if r := upload("consentement signé.pdf", []byte("%PDF-1.4\n% scanned\n")); r.status != http.StatusSeeOther {
		t.Fatalf("scanned PDF: %d", r.status)
	}
	if page := c.get("/staff/appointments/" + appt); !strings.Contains(page.body, "papier numérisé") {
		t.Error("the scanned consent is not listed")
	}
	ref := h.referralID("LEFÈVRE")
	if r := c.post("/staff/referrals/"+ref+"/cover", url.Values{"cover": {"ald"}, "back": {"/staff/appointments/" + appt}}); r.status != http.StatusSeeOther {
		t.Fatalf("cover: %d", r.status)
	}
	if r := c.post("/staff/referrals/"+ref+"/cover", url.Values{"cover": {"free"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown cover: %d", r.status)
	}
	if page := c.get("/staff/appointments/" + appt); !strings.Contains(page.body, `<option value="ald" selected>`) {
		t.Error("the cover is not kept")
	}
}

// scanConsent posts a scanned paper consent for appointment appt, signed
// by signer, as the appointment page's form does.
func (c *client) scanConsent(appt, signer, name string, data []byte) response {
	c.h.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", c.csrf())
	w.WriteField("signer_name", signer)
	part, _ := w.CreateFormFile("file", name)
	part.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", c.h.ts.URL+"/staff/appointments/"+appt+"/consent/scan", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(b)}
}
