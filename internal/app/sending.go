package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"repere/internal/documents"
	"repere/internal/i18n"
	"repere/internal/mail"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/sms"
	"repere/internal/store"
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
// would go to the record's patient, who may be someone else). The read and
// the write are one unit of work (store.WriteUnit).
func (a *App) NewQuestionnaireLink(ctx context.Context, referralID int64) (string, error) {
	var token string
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		ref, err := a.store.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		if token, err = questionnaireToken(ref); err != nil {
			return err
		}
		return a.saveQuestionnaireLink(ctx, ref, token)
	})
	return token, err
}

// questionnaireToken draws a new link token for a referral that may have
// one (see linkRefusal).
func questionnaireToken(ref referral.Referral) (string, error) {
	if r := linkRefusal(ref); r != nil {
		return "", r
	}
	return randomToken(20) // 160 bits, 32 characters
}

// saveQuestionnaireLink records a link by its token's hash.
func (a *App) saveQuestionnaireLink(ctx context.Context, ref referral.Referral, token string) error {
	_, err := a.store.CreateScreeningLink(ctx, ref.ID, TokenHash(token), a.Now().Add(QuestionnaireLinkLifetime))
	return err
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
//
// By email or SMS the use case is one unit of work (store.WriteUnit): the
// reads, the link and its outbox row commit together or not at all. A
// letter is a PDF, rendered outside any transaction: the reads are one read
// unit, then the link, the portal code and the letter's outbox row one
// write unit that checks the referral again.
func (a *App) SendQuestionnaireLink(ctx context.Context, referralID int64, channel, lang, base string) (Delivery, error) {
	if channel == mail.ChannelLetter {
		return a.sendQuestionnaireLetter(ctx, referralID, lang, base)
	}
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		ref, rc, err := a.questionnaireRecipient(ctx, referralID, channel, lang)
		if err != nil {
			return err
		}
		token, err := questionnaireToken(ref)
		if err != nil {
			return err
		}
		if err := a.saveQuestionnaireLink(ctx, ref, token); err != nil {
			return err
		}
		l, act, days, link := rc.l, a.patientActName(ref, rc), int(QuestionnaireLinkLifetime.Hours()/24), base+"/q/"+token
		m := mail.Outgoing{Kind: "questionnaire_link", Channel: channel, PatientID: rc.patient.ID, Subject: l.T("send.mail.subject.questionnaire")}
		switch channel {
		case mail.ChannelEmail:
			m.To = rc.patient.Email
			m.Text = l.T("send.mail.text.questionnaire", "Name", rc.patient.DisplayName(), "Act", act, "Link", link, "Days", days, "Site", rc.site.Name, "Phone", rc.site.Phone)
		case mail.ChannelSMS:
			m.To = rc.patient.Phone
			if m.Text, err = a.cfg.SMS.Text(sms.Message{Practice: rc.site.Name, Message: l.T("send.sms.questionnaire", "Act", act, "Days", days), Link: link}); err != nil {
				return err
			}
		}
		_, err = a.store.EnqueueMail(ctx, m)
		return err
	})
	return Delivery{Channel: channel}, err
}

// questionnaireRecipient reads a referral and its patient and checks the
// channel can reach them.
func (a *App) questionnaireRecipient(ctx context.Context, referralID int64, channel, lang string) (referral.Referral, recipient, error) {
	ref, err := a.store.Referral(ctx, referralID)
	if err != nil {
		return ref, recipient{}, err
	}
	if r := linkRefusal(ref); r != nil {
		return ref, recipient{}, r
	}
	rc, err := a.recipient(ctx, ref.PatientID, lang)
	if err != nil {
		return ref, rc, err
	}
	return ref, rc, a.checkChannel(rc, channel)
}

// patientActName is the referral's act as the patient reads it.
func (a *App) patientActName(ref referral.Referral, rc recipient) string {
	if c, ok := a.catalog.Act(ref.ActID); ok {
		return c.Name.In(rc.l.Lang)
	}
	return ref.ActID
}

// sendQuestionnaireLetter is SendQuestionnaireLink on a printed letter.
func (a *App) sendQuestionnaireLetter(ctx context.Context, referralID int64, lang, base string) (Delivery, error) {
	a = a.at(a.Now()) // one instant: the letter's date, the validity it prints, the expiries kept
	var ref referral.Referral
	var rc recipient
	var token string
	err := a.store.ReadUnit(ctx, func(ctx context.Context) error {
		var err error
		if ref, rc, err = a.questionnaireRecipient(ctx, referralID, mail.ChannelLetter, lang); err != nil {
			return err
		}
		token, err = questionnaireToken(ref)
		return err
	})
	if err != nil {
		return Delivery{}, err
	}
	code, err := letterCode()
	if err != nil {
		return Delivery{}, err
	}
	l, days, link := rc.l, int(QuestionnaireLinkLifetime.Hours()/24), base+"/q/"+token
	letter := documents.AccessLetter{Site: rc.site, Title: l.T("send.letter.title.questionnaire"), Recipient: rc.patient.DisplayName(), Issued: a.Now(),
		Sections: []documents.AccessSection{
			{Heading: l.T("send.letter.questionnaire_heading", "Act", a.patientActName(ref, rc)), Strong: []string{link},
				Paragraphs: []string{l.T("send.letter.questionnaire_text", "Days", days, "Until", l.Date(a.Now().Add(QuestionnaireLinkLifetime).In(a.loc)))}},
			a.portalSection(rc, base, code),
		}}
	m := mail.Outgoing{Kind: "questionnaire_link", Channel: mail.ChannelLetter, PatientID: rc.patient.ID}
	return a.recordLetter(ctx, m, letter, func(ctx context.Context) error {
		if err := a.store.HoldPatient(ctx, rc.patient.ID, referralID); err != nil {
			return err
		}
		// The referral again: it may have been closed, or filed on another
		// patient's record, while the letter was made.
		now, err := a.store.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		if _, err := questionnaireToken(now); err != nil {
			return err
		}
		if now.PatientID != ref.PatientID || now.ActID != ref.ActID {
			return refuse("send.err.changed_while_sending")
		}
		if err := a.sameRecipient(ctx, rc); err != nil {
			return err
		}
		if err := a.saveQuestionnaireLink(ctx, ref, token); err != nil {
			return err
		}
		return a.saveLetterCode(ctx, rc.patient.ID, code)
	})
}

// InviteToPortal invites a patient to their portal by channel: by email the
// address to open (the portal sends its code to that email); by SMS and on
// a letter, a one-time code as well, valid LetterCodeLifetime. Like
// SendQuestionnaireLink, an email or an SMS is one unit of work, a letter a
// read unit, the PDF, then a write unit.
func (a *App) InviteToPortal(ctx context.Context, patientID int64, channel, lang, base string) (Delivery, error) {
	if channel == mail.ChannelLetter {
		return a.invitationLetter(ctx, patientID, lang, base)
	}
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		rc, err := a.recipient(ctx, patientID, lang)
		if err != nil {
			return err
		}
		if err := a.checkChannel(rc, channel); err != nil {
			return err
		}
		l, portal := rc.l, base+"/portal/"
		m := mail.Outgoing{Kind: "portal_invitation", Channel: channel, PatientID: rc.patient.ID, Subject: l.T("send.mail.subject.portal")}
		switch channel {
		case mail.ChannelEmail:
			m.To = rc.patient.Email
			m.Text = l.T("send.mail.text.portal", "Name", rc.patient.DisplayName(), "Portal", portal, "Site", rc.site.Name, "Phone", rc.site.Phone)
		case mail.ChannelSMS:
			code, err := letterCode()
			if err != nil {
				return err
			}
			if err := a.saveLetterCode(ctx, rc.patient.ID, code); err != nil {
				return err
			}
			m.To = rc.patient.Phone
			if m.Text, err = a.cfg.SMS.Text(sms.Message{Practice: rc.site.Name, Message: l.T("send.sms.portal", "Code", code), Link: portal}); err != nil {
				return err
			}
		}
		_, err = a.store.EnqueueMail(ctx, m)
		return err
	})
	return Delivery{Channel: channel}, err
}

// invitationLetter is InviteToPortal on a printed letter.
func (a *App) invitationLetter(ctx context.Context, patientID int64, lang, base string) (Delivery, error) {
	a = a.at(a.Now()) // one instant: the letter's date, the validity it prints, the expiry kept
	var rc recipient
	err := a.store.ReadUnit(ctx, func(ctx context.Context) error {
		var err error
		if rc, err = a.recipient(ctx, patientID, lang); err != nil {
			return err
		}
		return a.checkChannel(rc, mail.ChannelLetter)
	})
	if err != nil {
		return Delivery{}, err
	}
	code, err := letterCode()
	if err != nil {
		return Delivery{}, err
	}
	l := rc.l
	letter := documents.AccessLetter{Site: rc.site, Title: l.T("send.letter.title.portal"), Recipient: rc.patient.DisplayName(), Issued: a.Now(),
		Sections: []documents.AccessSection{a.portalSection(rc, base, code)}}
	m := mail.Outgoing{Kind: "portal_invitation", Channel: mail.ChannelLetter, PatientID: rc.patient.ID}
	return a.recordLetter(ctx, m, letter, func(ctx context.Context) error {
		if err := a.store.HoldPatient(ctx, rc.patient.ID, 0); err != nil {
			return err
		}
		if err := a.sameRecipient(ctx, rc); err != nil {
			return err
		}
		return a.saveLetterCode(ctx, rc.patient.ID, code)
	})
}

// sameRecipient refuses, in a letter's write unit, a letter whose patient
// record no longer reads as the letter was made from it (a name corrected,
// a record merged away while the PDF was made): the letter would be
// addressed to someone the record no longer names.
func (a *App) sameRecipient(ctx context.Context, rc recipient) error {
	p, err := a.store.Patient(ctx, rc.patient.ID)
	if errors.Is(err, store.ErrNotFound) {
		return refuse("send.err.changed_while_sending")
	}
	if err != nil {
		return err
	}
	if p.DisplayName() != rc.patient.DisplayName() {
		return refuse("send.err.changed_while_sending")
	}
	return nil
}

// portalSection is the letter's block giving the portal's address and code.
func (a *App) portalSection(rc recipient, base, code string) documents.AccessSection {
	l := rc.l
	until := l.Date(a.Now().Add(LetterCodeLifetime).In(a.loc))
	return documents.AccessSection{Heading: l.T("send.letter.portal_heading"),
		Strong:     []string{base + "/portal/", l.T("send.letter.code", "Code", code)},
		Paragraphs: []string{l.T("send.letter.portal_text", "Until", until, "Phone", rc.site.Phone)}}
}

// recordLetter renders the letter outside any transaction, then writes
// what it gives access to (save) and records it as printed, in one unit of
// work. The row keeps no link or code: only what was sent and when.
func (a *App) recordLetter(ctx context.Context, m mail.Outgoing, letter documents.AccessLetter, save func(ctx context.Context) error) (Delivery, error) {
	pdf, err := documents.AccessLetterPDF(letter)
	if err != nil {
		return Delivery{}, err
	}
	m.Subject = letter.Title
	if a.beforeLetterWrite != nil {
		a.beforeLetterWrite(ctx, m)
	}
	err = a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if err := save(ctx); err != nil {
			return err
		}
		a.beforeDocumentWrite(ctx, "letter checked", 0)
		_, err := a.store.EnqueueMail(ctx, m)
		return err
	})
	if err != nil {
		return Delivery{}, err
	}
	return Delivery{Channel: mail.ChannelLetter, Letter: pdf}, nil
}

// letterAlphabet leaves out the letters and digits read one for another
// (0/O, 1/I/L).
const letterAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// letterCode draws a new one-time portal code, for a letter or an SMS,
// written XXXX-XXXX.
func letterCode() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = letterAlphabet[int(b[i])%len(letterAlphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:]), nil
}

// saveLetterCode stores a portal code's hash for a patient.
func (a *App) saveLetterCode(ctx context.Context, patientID int64, code string) error {
	return a.store.CreatePortalCode(ctx, patientID, LetterCodeHash(code), a.Now().Add(LetterCodeLifetime))
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
