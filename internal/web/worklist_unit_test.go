package web_test

import (
	"context"
	"sync"
	"testing"

	"repere/internal/audit"
	"repere/internal/store"
	"repere/internal/worklist"
)

// TestWorklistQueriesAuditedBeforeAnswered: consoles querying at once each
// get their audit entry, committed before the items are returned; when the
// audit cannot be written, no items are returned at all.
func TestWorklistQueriesAuditedBeforeAnswered(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		count := func() int {
			return h.auditCount(audit.Filter{Actor: "system:dicom", Entity: "worklist"})
		}
		before := count()
		const consoles = 8
		var wg sync.WaitGroup
		for range consoles {
			wg.Go(func() {
				items, err := h.app.Worklist().WorklistItems(context.Background(), worklist.Range{})
				if err != nil || len(items) == 0 {
					t.Errorf("worklist: %d items, %v", len(items), err)
				}
			})
		}
		wg.Wait()
		if got := count() - before; got != consoles {
			t.Fatalf("%d audit entries for %d queries", got, consoles)
		}

		refuse := []string{`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END`}
		if h.store.Engine() == store.Postgres {
			refuse = []string{`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$`,
				`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()`}
		}
		for _, q := range refuse {
			if _, err := h.store.DB().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		items, err := h.app.Worklist().WorklistItems(context.Background(), worklist.Range{})
		if err == nil || len(items) != 0 {
			t.Fatalf("audit refused: %d items, %v; want an error and nothing to answer", len(items), err)
		}
	})
}
