package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"repere/internal/documents"
	"repere/internal/i18n"
	"repere/internal/mail"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/sms"
)

// Sending the patient the way in: the questionnaire link of a referral and
// the portal invitation, by email, by SMS through the practice's provider,
// or on a printed letter with a one-time code when neither is possible.
// Every send is an outbox row of its channel (a letter is recorded as sent
// when printed), so the staff and the audit log see what went out and how.

// SMSSender delivers one SMS of the outbox (package sms).
type SMSSender interface {
	Text(m sms.Message) (string, error)
	Send(ctx context.Context, to, text, reference string) error
}

const (
	// QuestionnaireLinkLifetime is how long a questionnaire link works.
	QuestionnaireLinkLifetime = 7 * 24 * time.Hour
	// LetterCodeLifetime is how long a code on paper or by SMS opens the portal.
	LetterCodeLifetime = 30 * 24 * time.Hour
)

// SMSReady tells whether an SMS provider is set up.
func (a *App) SMSReady() bool { return a.cfg.SMS != nil }

// Delivery is what a send gave: the letter to print, for the letter channel.
type Delivery struct {
	Channel string
	Letter  []byte // PDF
}

// recipient is the patient a message goes to, with the practice's site.
type recipient struct {
	patient patient.Patient
	site    documents.Site
	l       *i18n.Localizer
}

func (a *App) recipient(ctx context.Context, patientID int64, lang string) (recipient, error) {
	p, err := a.store.Patient(ctx, patientID)
	if err != nil {
		return recipient{}, err
	}
	site, err := a.siteOf(ctx, 0)
	if err != nil {
		return recipient{}, err
	}
	if site.Name == "" {
		site.Name = a.cfg.PracticeName
	}
	return recipient{patient: p, site: site, l: a.i18n.For(lang)}, nil
}

// checkChannel refuses a channel the practice or the patient cannot use.
func (a *App) checkChannel(rc recipient, channel string) error {
	switch channel {
	case mail.ChannelEmail:
		if a.cfg.Mailer == nil {
			return refuse("send.no_smtp")
		}
		if rc.patient.Email == "" {
			return refuse("send.no_email")
		}
	case mail.ChannelSMS:
		if a.cfg.SMS == nil {
			return refuse("send.no_sms")
		}
		if rc.patient.Phone == "" {
			return refuse("send.no_phone")
		}
		if _, err := sms.E164(rc.patient.Phone); err != nil {
			return refuse("send.bad_phone")
		}
	case mail.ChannelLetter:
	default:
		return invalid("send.bad_channel")
	}
	return nil
}

// NewQuestionnaireLink makes a patient's questionnaire link for a referral
// and returns its token (shown once, only its hash is kept). A referral
// already done or cancelled gets none: there is nothing left to screen;
// nor does one whose patient's identity is still to confirm (the link
// would go to the record's patient, who may be someone else).
func (a *App) NewQuestionnaireLink(ctx context.Context, referralID int64) (string, error) {
	ref, err := a.store.Referral(ctx, referralID)
	if err != nil {
		return "", err
	}
	return a.newQuestionnaireLink(ctx, ref)
}

func (a *App) newQuestionnaireLink(ctx context.Context, ref referral.Referral) (string, error) {
	if r := linkRefusal(ref); r != nil {
		return "", r
	}
	token, err := randomToken(20) // 160 bits, 32 characters
	if err != nil {
		return "", err
	}
	if _, err := a.store.CreateScreeningLink(ctx, ref.ID, TokenHash(token), a.Now().Add(QuestionnaireLinkLifetime)); err != nil {
		return "", err
	}
	return token, nil
}

// linkRefusal says why a referral gets no questionnaire link, or nil.
func linkRefusal(ref referral.Referral) *Refusal {
	if ref.Status == referral.Done || ref.Status == referral.Cancelled {
		return refuse("send.err.closed")
	}
	if ref.IdentityToConfirm {
		return refuse("send.err.identity_to_confirm")
	}
	return nil
}

// SendQuestionnaireLink makes a new questionnaire link for a referral and
// sends it to the patient by channel; base is the public address the link
// starts with. The letter also carries a one-time code to the portal.
func (a *App) SendQuestionnaireLink(ctx context.Context, referralID int64, channel, lang, base string) (Delivery, error) {
	ref, err := a.store.Referral(ctx, referralID)
	if err != nil {
		return Delivery{}, err
	}
	if r := linkRefusal(ref); r != nil {
		return Delivery{}, r
	}
	rc, err := a.recipient(ctx, ref.PatientID, lang)
	if err != nil {
		return Delivery{}, err
	}
	if err := a.checkChannel(rc, channel); err != nil {
		return Delivery{}, err
	}
	token, err := a.newQuestionnaireLink(ctx, ref)
	if err != nil {
		return Delivery{}, err
	}
	link := base + "/q/" + token
	act := ref.ActID
	if c, ok := a.catalog.Act(ref.ActID); ok {
		act = c.Name.In(rc.l.Lang)
	}
	l := rc.l
	days := int(QuestionnaireLinkLifetime.Hours() / 24)
	m := mail.Outgoing{Kind: "questionnaire_link", Channel: channel, PatientID: rc.patient.ID}
	switch channel {
	case mail.ChannelEmail:
		m.To, m.Subject = rc.patient.Email, l.T("send.mail.subject.questionnaire")
		m.Text = l.T("send.mail.text.questionnaire", "Name", rc.patient.DisplayName(), "Act", act, "Link", link, "Days", days, "Site", rc.site.Name, "Phone", rc.site.Phone)
	case mail.ChannelSMS:
		m.To, m.Subject = rc.patient.Phone, l.T("send.mail.subject.questionnaire")
		if m.Text, err = a.cfg.SMS.Text(sms.Message{Practice: rc.site.Name, Message: l.T("send.sms.questionnaire", "Act", act, "Days", days), Link: link}); err != nil {
			return Delivery{}, err
		}
	case mail.ChannelLetter:
		code, err := a.newLetterCode(ctx, rc.patient.ID)
		if err != nil {
			return Delivery{}, err
		}
		letter := documents.AccessLetter{Site: rc.site, Title: l.T("send.letter.title.questionnaire"), Recipient: rc.patient.DisplayName(), Issued: a.Now(),
			Sections: []documents.AccessSection{
				{Heading: l.T("send.letter.questionnaire_heading", "Act", act), Strong: []string{link},
					Paragraphs: []string{l.T("send.letter.questionnaire_text", "Days", days, "Until", l.Date(a.Now().Add(QuestionnaireLinkLifetime).In(a.loc)))}},
				a.portalSection(rc, base, code),
			}}
		return a.recordLetter(ctx, m, letter)
	}
	_, err = a.store.EnqueueMail(ctx, m)
	return Delivery{Channel: channel}, err
}

// InviteToPortal invites a patient to their portal by channel: by email the
// address to open (the portal sends its code to that email); by SMS and on
// a letter, a one-time code as well, valid LetterCodeLifetime.
func (a *App) InviteToPortal(ctx context.Context, patientID int64, channel, lang, base string) (Delivery, error) {
	rc, err := a.recipient(ctx, patientID, lang)
	if err != nil {
		return Delivery{}, err
	}
	if err := a.checkChannel(rc, channel); err != nil {
		return Delivery{}, err
	}
	l := rc.l
	portal := base + "/portal/"
	m := mail.Outgoing{Kind: "portal_invitation", Channel: channel, PatientID: rc.patient.ID, Subject: l.T("send.mail.subject.portal")}
	switch channel {
	case mail.ChannelEmail:
		m.To = rc.patient.Email
		m.Text = l.T("send.mail.text.portal", "Name", rc.patient.DisplayName(), "Portal", portal, "Site", rc.site.Name, "Phone", rc.site.Phone)
	case mail.ChannelSMS:
		code, err := a.newLetterCode(ctx, rc.patient.ID)
		if err != nil {
			return Delivery{}, err
		}
		m.To = rc.patient.Phone
		if m.Text, err = a.cfg.SMS.Text(sms.Message{Practice: rc.site.Name, Message: l.T("send.sms.portal", "Code", code), Link: portal}); err != nil {
			return Delivery{}, err
		}
	case mail.ChannelLetter:
		code, err := a.newLetterCode(ctx, rc.patient.ID)
		if err != nil {
			return Delivery{}, err
		}
		letter := documents.AccessLetter{Site: rc.site, Title: l.T("send.letter.title.portal"), Recipient: rc.patient.DisplayName(), Issued: a.Now(),
			Sections: []documents.AccessSection{a.portalSection(rc, base, code)}}
		return a.recordLetter(ctx, m, letter)
	}
	_, err = a.store.EnqueueMail(ctx, m)
	return Delivery{Channel: channel}, err
}

// portalSection is the letter's block giving the portal's address and code.
func (a *App) portalSection(rc recipient, base, code string) documents.AccessSection {
	l := rc.l
	until := l.Date(a.Now().Add(LetterCodeLifetime).In(a.loc))
	return documents.AccessSection{Heading: l.T("send.letter.portal_heading"),
		Strong:     []string{base + "/portal/", l.T("send.letter.code", "Code", code)},
		Paragraphs: []string{l.T("send.letter.portal_text", "Until", until, "Phone", rc.site.Phone)}}
}

// recordLetter renders the letter and records it as printed. The row keeps
// no link or code: only what was sent and when.
func (a *App) recordLetter(ctx context.Context, m mail.Outgoing, letter documents.AccessLetter) (Delivery, error) {
	pdf, err := documents.AccessLetterPDF(letter)
	if err != nil {
		return Delivery{}, err
	}
	m.Subject = letter.Title
	if _, err := a.store.EnqueueMail(ctx, m); err != nil {
		return Delivery{}, err
	}
	return Delivery{Channel: mail.ChannelLetter, Letter: pdf}, nil
}

// letterAlphabet leaves out the letters and digits read one for another
// (0/O, 1/I/L).
const letterAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// newLetterCode stores a new one-time portal code for a patient, for a
// letter or an SMS, and returns it written XXXX-XXXX.
func (a *App) newLetterCode(ctx context.Context, patientID int64) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = letterAlphabet[int(b[i])%len(letterAlphabet)]
	}
	code := string(b[:4]) + "-" + string(b[4:])
	if err := a.store.CreatePortalCode(ctx, patientID, LetterCodeHash(code), a.Now().Add(LetterCodeLifetime)); err != nil {
		return "", err
	}
	return code, nil
}

// LetterCodeHash is how a code given on paper or by SMS is kept and
// looked up: case, spaces and dashes aside.
func LetterCodeHash(code string) string {
	code = strings.ToUpper(code)
	code = strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(code)
	return TokenHash("letter|" + code)
}

// TokenHash is how secret tokens and codes are kept: their SHA-256, in hex.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// linkAlphabet writes link tokens in lower-case base32: a link printed on a
// letter can be typed back without guessing (no 0/O or 1/l pair, no capital
// letters) and never ends in a hyphen that reads as a broken line.
var linkAlphabet = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// randomToken returns n random bytes as a link token.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return linkAlphabet.EncodeToString(b), nil
}
