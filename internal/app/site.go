package app

import (
	"context"
	"sync"
	"time"

	"repere/internal/documents"
	"repere/internal/practice"
)

// siteFreshFor is how long PracticeSite trusts what it read: a site added
// through this instance shows at once, one added through another instance
// on the same database within this time.
const siteFreshFor = time.Minute

// siteMemo keeps the practice's site between renders: every patient and
// public page shows it, and it changes only when the administrator adds a
// site.
type siteMemo struct {
	mu     sync.Mutex
	site   documents.Site
	readAt time.Time // zero: to read
}

// PracticeSite is the practice's name, address and phone for the patient
// and public pages: its first site, else the configured name and phone.
func (a *App) PracticeSite(ctx context.Context) documents.Site {
	now := a.Now()
	m := a.site
	m.mu.Lock()
	if !m.readAt.IsZero() && !now.Before(m.readAt) && now.Sub(m.readAt) < siteFreshFor {
		defer m.mu.Unlock()
		return m.site
	}
	m.mu.Unlock()
	site, err := a.siteOf(ctx, 0)
	if err != nil || site.Name == "" {
		// Not kept: the next page tries again.
		return documents.Site{Name: a.cfg.PracticeName, Phone: a.cfg.PracticePhone}
	}
	m.mu.Lock()
	m.site, m.readAt = site, now
	m.mu.Unlock()
	return site
}

// CreateSite adds a site of the practice; the patient and public pages
// show the first one by name.
func (a *App) CreateSite(ctx context.Context, site practice.Site) (int64, error) {
	id, err := a.store.CreateSite(ctx, site)
	a.forgetSite()
	return id, err
}

func (a *App) forgetSite() {
	a.site.mu.Lock()
	a.site.readAt = time.Time{}
	a.site.mu.Unlock()
}
