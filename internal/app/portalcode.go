package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"repere/internal/mail"
)

// PortalCodeLifetime is how long a code sent by email opens the portal.
const PortalCodeLifetime = 10 * time.Minute

// SendPortalCodes emails a new portal code to each patient of an email
// address (none when the address is no patient's: the answer says nothing
// of it). The patients' reads, their codes and the outbox rows are one unit
// of work (store.WriteUnit): a failure leaves no code without its email.
// The caller counts the request against its limits before.
func (a *App) SendPortalCodes(ctx context.Context, email, lang, base string) error {
	if a.cfg.Mailer == nil {
		return refuse("portal.err.no_mail")
	}
	l := a.i18n.For(lang)
	return a.store.WriteUnit(ctx, func(ctx context.Context) error {
		patients, err := a.store.PatientsByEmail(ctx, email)
		if err != nil {
			return err
		}
		for _, pt := range patients {
			code, err := portalCodeValue()
			if err != nil {
				return err
			}
			if err := a.store.CreatePortalCode(ctx, pt.ID, TokenHash(email+"|"+code), a.Now().Add(PortalCodeLifetime)); err != nil {
				return err
			}
			if _, err := a.store.EnqueueMail(ctx, mail.Outgoing{Kind: "portal_code", PatientID: pt.ID, To: pt.Email, Subject: l.T("mail.subject.portal_code"),
				Text: l.T("mail.text.portal_code", "Code", code, "Minutes", int(PortalCodeLifetime.Minutes()), "Portal", base+"/portal/")}); err != nil {
				return err
			}
		}
		return nil
	})
}

// portalCodeValue draws a 6-digit code.
func portalCodeValue() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
