// Package mail builds and sends the emails Repère writes to patients:
// convocations, preparation reminders and their PDF attachments.
//
// It is written on the standard library alone. net/smtp already speaks the
// protocol (EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA); what it lacks is the MIME
// assembly, which is small: one multipart/alternative (text and HTML, UTF-8,
// quoted-printable) and base64 attachments inside a multipart/mixed, with
// RFC 2047 encoded subjects and names and RFC 2231 file names so that
// "convocation-Lefèvre.pdf" arrives as written. Owning those few hundred lines
// costs less than a dependency and lets us refuse header injection at the one
// place headers are written.
//
// The package knows nothing of the outbox: Send makes one attempt, Permanent
// tells whether another attempt can succeed, and NextAttempt says when. The
// server's outbox worker stores the attempts and shows the status.
//
// mailtest starts a real SMTP server inside a test and parses what it received.
package mail
