package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"repere/internal/app"
	"repere/internal/documents"
	"repere/internal/mail"
	"repere/internal/store"
)

// appointmentFile is an appointment's file (app.AppointmentFile) with its
// convocation in the page's language, or why none may be made.
type appointmentFile struct {
	app.AppointmentFile
	Convocation documents.Convocation
	// NoConvocation says why no convocation may be made (a contraindication
	// no radiologist lifted, an identity to confirm); Convocation is then empty.
	NoConvocation []string
	noLetterKey   string // the first reason's message key
}

// loadAppointmentFile gathers an appointment's file and its convocation in lang.
func (s *Server) loadAppointmentFile(ctx context.Context, id int64, lang string) (appointmentFile, error) {
	var f appointmentFile
	var err error
	if f.AppointmentFile, err = s.app.AppointmentFile(ctx, id); err != nil {
		return f, err
	}
	f.Convocation, err = s.app.Convocation(f.AppointmentFile, lang)
	if r, ok := app.AsRefusal(err); ok && len(r.Reasons) > 0 {
		f.noLetterKey = r.Reasons[0].Key
	}
	f.NoConvocation, err = s.refusalMessages(s.i18n.For(lang), err)
	return f, err
}

// convocation is the file's letter, or the refusal that none may be made.
func (f appointmentFile) convocation() (documents.Convocation, error) {
	if len(f.NoConvocation) > 0 {
		return documents.Convocation{}, errStatus(http.StatusConflict, f.noLetterKey)
	}
	return f.Convocation, nil
}

type appointmentPage struct {
	appointmentFile
	ConvocationHTML template.HTML
	Consents        []documents.Consent
	Mails           []mail.Outgoing
	Covers          []string
	Cover           app.CoverChange // the cover form, as stored or as typed
	CoverErrors     []string
	ScanSigner      string   // the scanned consent's signer: the patient, or as typed
	ScanErrors      []string // why the scan was refused
	MailReady       bool     // SMTP is configured
	ConvocationSent bool     // this version of the letter was already queued or sent
	ConsentVersion  string
	FollowUp        followUpView
}

func (s *Server) appointmentPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderAppointment(w, r, id, refusedForm{})
}

// refusedForm is a form of the appointment page a use case refused, shown
// again as typed with its errors: the cover, or the scanned consent.
type refusedForm struct {
	status      int // 422, or 409 for a rule
	cover       *app.CoverChange
	coverErrors []string
	scanSigner  string
	scanErrors  []string
}

// renderAppointment shows an appointment, with a refused form if any.
func (s *Server) renderAppointment(w http.ResponseWriter, r *http.Request, id int64, refused refusedForm) error {
	l := localizer(r)
	cover, coverErrors := refused.cover, refused.coverErrors
	f, err := s.loadAppointmentFile(r.Context(), id, l.Lang)
	if err != nil {
		return err
	}
	p := appointmentPage{appointmentFile: f, Covers: app.Covers, MailReady: s.app.MailReady(),
		ConsentVersion: documents.ConsentVersion(f.Act, f.Appointment.VariantID, l.Lang), CoverErrors: coverErrors,
		Cover: app.CoverChange{Cover: f.Referral.Cover, PregnancyStart: f.Referral.PregnancyStart, DeliveryDate: f.Referral.DeliveryDate}}
	if cover != nil {
		p.Cover = *cover
	}
	p.ScanSigner, p.ScanErrors = f.Patient.DisplayName(), refused.scanErrors
	if len(refused.scanErrors) > 0 {
		p.ScanSigner = refused.scanSigner
	}
	if len(f.NoConvocation) == 0 {
		var buf bytes.Buffer
		if err := documents.RenderConvocationHTML(&buf, f.Convocation); err != nil {
			return err
		}
		p.ConvocationHTML = template.HTML(buf.String()) // escaped by the documents package's html/template
	}
	if p.Consents, err = s.store.ConsentsFor(r.Context(), id); err != nil {
		return err
	}
	if p.Mails, err = s.store.MailFor(r.Context(), id); err != nil {
		return err
	}
	for _, m := range p.Mails {
		p.ConvocationSent = p.ConvocationSent || strings.HasPrefix(m.Kind, "convocation")
	}
	if p.FollowUp, err = s.followUpOf(r, f); err != nil {
		return err
	}
	status := http.StatusOK
	if refused.status != 0 {
		status = refused.status
	}
	return s.render(w, r, status, "appointment", "appointment.title", "planning", p)
}

// sendFile writes a generated document as a download.
func sendFile(w http.ResponseWriter, contentType, name string, data []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(data)
	return err
}

func (s *Server) appointmentDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	f, err := s.loadAppointmentFile(r.Context(), id, l.Lang)
	if err != nil {
		return err
	}
	name := "rdv-" + strconv.FormatInt(id, 10)
	switch r.PathValue("doc") {
	case "convocation.pdf":
		c, err := f.convocation()
		if err != nil {
			return err
		}
		data, err := documents.ConvocationPDF(c)
		if err != nil {
			return err
		}
		return sendFile(w, "application/pdf", "convocation-"+name+".pdf", data)
	case "convocation.ics":
		c, err := f.convocation()
		if err != nil {
			return err
		}
		data, err := documents.ConvocationICS(c)
		if err != nil {
			return err
		}
		return sendFile(w, "text/calendar; charset=utf-8", name+".ics", data)
	case "consent-form.pdf":
		data, err := documents.ConsentFormPDF(f.Act, f.Appointment.VariantID, l.Lang)
		if err != nil {
			return err
		}
		return sendFile(w, "application/pdf", "consentement-"+name+".pdf", data)
	}
	return errStatus(http.StatusNotFound, "error.not_found")
}

// infoSheet is the public information sheet of an act, as a PDF.
func (s *Server) infoSheet(w http.ResponseWriter, r *http.Request) error {
	act, ok := s.catalog.BySlug(r.PathValue("slug"))
	if !ok {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
	data, err := documents.InfoSheetPDF(act, localizer(r).Lang)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+act.Slug+`.pdf"`)
	_, err = w.Write(data)
	return err
}

// setCover records the patient's insurance cover and pregnancy dates for a
// referral; a refused form comes back on the appointment page as typed.
func (s *Server) setCover(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c := app.CoverChange{Cover: r.PostFormValue("cover"), PregnancyStart: strings.TrimSpace(r.PostFormValue("pregnancy_start")),
		DeliveryDate: strings.TrimSpace(r.PostFormValue("delivery_date"))}
	err = s.app.SetCover(r.Context(), id, c)
	var refusal *app.Refusal
	if errors.As(err, &refusal) {
		appointment := formID(r, "appointment")
		if appointment == 0 {
			return err
		}
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			return s.renderAppointment(w, r, appointment, refusedForm{status: http.StatusUnprocessableEntity, cover: &c,
				coverErrors: s.app.Messages(refusal, localizer(r))})
		}}, w, r)
	}
	if err != nil {
		return err
	}
	s.flash(r, "practice.saved")
	back := safeNext(r.PostFormValue("back"))
	if back == "" {
		back = "/staff/referrals/" + itoa(id)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// consentPage is the tablet page where the patient reads and signs.
type consentPage struct {
	appointmentFile
	Risks      []risk
	Version    string
	SignerName string
	Errors     []string
	Action     string // where the form posts: the staff tablet page or the patient's link
	Done       bool   // signed through the patient link
	Changed    bool   // refused: the file changed, or the appointment was cancelled, while the consent was made (409)
}

// refusedStatus is the status of a refused signature: 409 when the file
// changed meanwhile (as a report's), 422 for a form to correct.
func (p consentPage) refusedStatus() int {
	if p.Changed {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// StaffBackLink is the way back to the appointment for the staff who gave
// the patient their tablet to sign; none on the patient's own link.
func (p consentPage) StaffBackLink() string {
	if strings.HasPrefix(p.Action, "/staff/") {
		return strings.TrimSuffix(p.Action, "/consent")
	}
	return ""
}

func (s *Server) loadConsentPage(r *http.Request) (consentPage, error) {
	id, err := pathID(r)
	if err != nil {
		return consentPage{}, err
	}
	p, err := s.consentPageFor(r, id)
	p.Action = "/staff/appointments/" + itoa(id) + "/consent"
	return p, err
}

// consentPageFor reads the consent page of appointment id in one read unit
// (joined by the page's own, for a GET): a signature then renders its PDF
// and writes it after the unit, holding no lock meanwhile.
func (s *Server) consentPageFor(r *http.Request, id int64) (consentPage, error) {
	var p consentPage
	err := s.store.ReadUnit(r.Context(), func(ctx context.Context) error {
		var err error
		p, err = s.readConsentPage(r.WithContext(ctx), id)
		return err
	})
	return p, err
}

func (s *Server) readConsentPage(r *http.Request, id int64) (consentPage, error) {
	l := localizer(r)
	f, err := s.loadAppointmentFile(r.Context(), id, l.Lang)
	if err != nil {
		return consentPage{}, err
	}
	p := consentPage{appointmentFile: f, Version: documents.ConsentVersion(f.Act, f.Appointment.VariantID, l.Lang)}
	for _, c := range f.Act.Complications {
		p.Risks = append(p.Risks, risk{Text: c.Text.In(l.Lang), Frequency: c.Frequency.In(l.Lang)})
	}
	return p, nil
}

func (s *Server) consentForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadConsentPage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consent", "consent.title", "planning", p)
}

// maxSignatureBytes bounds the drawn signature's PNG.
const maxSignatureBytes = 512 << 10

// maxSignerName bounds the name of who signs a consent.
const maxSignerName = app.MaxSignerName

// signConsent freezes the consent the patient signed on the tablet: the PDF
// with the typed name and the drawn signature, its SHA-256, the version of
// the text read. A version that changed meanwhile shows the new text again.
func (s *Server) signConsent(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadConsentPage(r)
	if err != nil {
		return err
	}
	if err := s.recordSignature(r, &p); err != nil {
		return err
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, p.refusedStatus(), "consent", "consent.title", "planning", p)
	}
	s.flash(r, "consent.signed")
	http.Redirect(w, r, "/staff/appointments/"+itoa(p.Appointment.ID), http.StatusSeeOther)
	return nil
}

// recordSignature checks the typed name, the drawn signature and the text's
// version, and freezes the signed consent; problems go to p.Errors.
func (s *Server) recordSignature(r *http.Request, p *consentPage) error {
	l := localizer(r)
	p.SignerName = strings.TrimSpace(r.PostFormValue("signer_name"))
	signature, sigErr := decodeSignature(r.PostFormValue("signature"))
	switch {
	case p.SignerName == "" || utf8.RuneCountInString(p.SignerName) > maxSignerName:
		p.Errors = append(p.Errors, l.T("consent.err.name"))
	case sigErr != nil:
		p.Errors = append(p.Errors, l.T("consent.err.signature"))
	case r.PostFormValue("version") != p.Version:
		p.Errors = append(p.Errors, l.T("consent.err.version"))
	}
	if len(p.Errors) > 0 {
		return nil
	}
	_, err := s.app.SignConsent(r.Context(), p.AppointmentFile, app.ConsentSignature{Lang: l.Lang, Version: p.Version,
		SignerName: p.SignerName, SignaturePNG: signature})
	refusal, refused := app.AsRefusal(err)
	if !refused {
		return err
	}
	p.Errors = s.app.Messages(refusal, l)
	p.Changed = refusal.Has("consent.err.cancelled") // cancelled meanwhile: 409
	if refusal.Has("consent.err.changed_while_signing") {
		// The page shows the file as it is now (read in a read unit after
		// the use case's), with the name typed, to read before signing.
		fresh, err := s.consentPageFor(r, p.Appointment.ID)
		if err != nil {
			return err
		}
		fresh.Action, fresh.SignerName, fresh.Errors, fresh.Changed = p.Action, p.SignerName, p.Errors, true
		*p = fresh
	}
	return nil
}

// decodeSignature reads the canvas's data URL: a PNG, not blank, bounded.
func decodeSignature(dataURL string) ([]byte, error) {
	const prefix = "data:image/png;base64,"
	if !strings.HasPrefix(dataURL, prefix) || len(dataURL) > maxSignatureBytes*4/3+len(prefix)+4 {
		return nil, errors.New("not a PNG data URL")
	}
	data, err := base64.StdEncoding.DecodeString(dataURL[len(prefix):])
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a > 0 {
				return data, nil
			}
		}
	}
	return nil, errors.New("blank signature")
}

// maxScanBytes bounds a scanned paper consent.
const maxScanBytes = 10 << 20

// scanConsent attaches a scanned paper consent (PDF, JPEG or PNG).
func (s *Server) scanConsent(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadConsentPage(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	file, header, err := r.FormFile("file")
	if err != nil {
		return errStatus(http.StatusUnprocessableEntity, "consent.err.file")
	}
	defer file.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, file, maxScanBytes)); err != nil {
		return errStatus(http.StatusRequestEntityTooLarge, "consent.err.file")
	}
	data := buf.Bytes()
	kind := http.DetectContentType(data)
	if kind != "application/pdf" && kind != "image/jpeg" && kind != "image/png" {
		return errStatus(http.StatusUnprocessableEntity, "consent.err.file")
	}
	signer := strings.TrimSpace(r.PostFormValue("signer_name"))
	_, err = s.app.SaveScannedConsent(r.Context(), p.AppointmentFile, app.ScannedConsent{Lang: l.Lang, Version: p.Version,
		FileName: header.Filename, SignerName: signer, Document: data, ContentType: kind})
	if refusal, refused := app.AsRefusal(err); refused {
		// The appointment page as it is now (read in a read unit after the
		// use case's), the refusal by the scan form with the name typed.
		form := refusedForm{status: http.StatusConflict, scanSigner: signer, scanErrors: s.app.Messages(refusal, l)}
		if refusal.Invalid {
			form.status = http.StatusUnprocessableEntity
		}
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			return s.renderAppointment(w, r, p.Appointment.ID, form)
		}}, w, r)
	}
	if err != nil {
		return err
	}
	s.flash(r, "consent.scanned")
	http.Redirect(w, r, "/staff/appointments/"+itoa(p.Appointment.ID), http.StatusSeeOther)
	return nil
}

// consentDocument downloads a frozen consent as stored, with its hash.
func (s *Server) consentDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.store.ConsentDocument(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	ext := map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[c.ContentType]
	w.Header().Set("X-Content-SHA256", c.SHA256)
	return sendFile(w, c.ContentType, "consentement-"+itoa(c.ID)+ext, c.Document)
}

// withdrawConsent records the patient's withdrawal with a reason.
func (s *Server) withdrawConsent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return errStatus(http.StatusUnprocessableEntity, "book.err.reason")
	}
	appointment, err := s.app.WithdrawConsent(r.Context(), id, reason)
	if isRefusal(err, "consent.err.withdrawn") {
		return errStatus(http.StatusConflict, "consent.err.withdrawn")
	}
	if err != nil {
		return err
	}
	s.flash(r, "consent.withdrawn")
	http.Redirect(w, r, "/staff/appointments/"+itoa(appointment), http.StatusSeeOther)
	return nil
}

// sha256Hex is the SHA-256 of bytes, in hex (documents, tokens).
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
