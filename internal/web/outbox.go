package web

import "net/http"

// sendConvocation queues the convocation email with its PDF and calendar
// file; the application refuses it without email set up, without the
// patient's address, or when no convocation may be made.
func (s *Server) sendConvocation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.app.SendConvocation(r.Context(), id, localizer(r).Lang, r.PostFormValue("resend") == "1"); err != nil {
		return err
	}
	s.flash(r, "appointment.queued")
	http.Redirect(w, r, "/staff/appointments/"+itoa(id), http.StatusSeeOther)
	return nil
}
