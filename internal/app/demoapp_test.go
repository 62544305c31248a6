package app_test

import (
	"context"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/catalog"
	"repere/internal/clock"
	"repere/internal/demo"
	"repere/internal/i18n"
	"repere/internal/store"
	"repere/internal/storetest"
)

// demoApp loads the demo practice into st and returns its application
// layer on a clock starting at the tests' now; with sets more of the
// configuration (a mailer, the reminder days).
func demoApp(t testing.TB, st *store.Store, with func(*app.Config)) (*app.App, *i18n.Bundle) {
	t.Helper()
	cat, err := catalog.Load("")
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(context.Background(), st, cat, "correct horse battery", demo.FirstDay(storetest.Now(), paris)); err != nil {
		t.Fatal(err)
	}
	c := clock.StartingAt(storetest.Now())
	st.SetClock(func() time.Time { return c.Now().UTC() })
	cfg := app.Config{Store: st, Catalog: cat, I18n: bundle, Clock: c}
	if with != nil {
		with(&cfg)
	}
	a, err := app.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, bundle
}
