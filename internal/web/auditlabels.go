package web

// The audit log's actions and entities, as the store writes them: the
// filters offer them by their label (audit.action.* and audit.entity.* in
// the catalogues); TestAuditLabels checks every code the store writes has one.
var (
	auditActions = []string{"check", "check_in", "checklist_override", "count", "create", "day_step", "decide", "erase", "export",
		"identity_confirm", "identity_correction", "import", "link", "list", "login", "login_failed", "login_throttled", "mpps_create", "mpps_set", "performed",
		"portal_code_failed", "portal_sign_in", "queue", "read", "read_refused", "refile", "reschedule", "restore", "scanner_flag", "search",
		"second_factor_failed", "second_factor_ok", "send", "sent", "retry", "give_up", "withhold", "sign", "status", "submitted", "update", "withdraw",
		"logout", "password_changed", "password_reset", "revoke", "set_active", "token"}
	auditEntities = []string{"act_record", "appointment", "audit_log", "checklist", "consent", "database", "erasure", "intake", "mail",
		"pain_score", "patient", "patient_history", "performed_step", "portal_code", "practice_decision", "referral", "referral_document",
		"referral_history", "reminder", "report", "report_draft", "screening", "screening_decisions", "screening_link", "screening_subject",
		"user", "waiting_list", "worklist", "api_client", "billing", "calendar_feed"}
)
