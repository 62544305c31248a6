package store_test

import (
	"context"
	"errors"
	"testing"

	"repere/internal/audit"
	"repere/internal/billing"
	"repere/internal/catalog"
	"repere/internal/store"
	"repere/internal/storetest"
)

// An import stores its rows over earlier ones with the same key, records
// itself and its audit entry in one transaction; the estimate reads the
// rows by code.
func TestTariffImports(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Login: "t.admin", Role: "admin"})
		row := billing.Tariff{Code: "AHLH007", Label: "Infiltration", Activity: 1, Phase: 0, Grid: billing.GridOPTAM, Amount: 2880, From: "2026-01-01",
			Source: "CCAM v79", Status: catalog.Confirmed}
		if _, err := s.SaveTariffImport(context.Background(), billing.Import{FileName: "a.csv"}, []billing.Tariff{row}); !errors.Is(err, store.ErrNoActor) {
			t.Fatalf("import without an actor: %v", err)
		}
		first, err := s.SaveTariffImport(ctx, billing.Import{FileName: "a.csv", SHA256: "aa", Source: "CCAM v79", Rows: 1, Added: 1}, []billing.Tariff{row})
		if err != nil {
			t.Fatal(err)
		}
		again := row
		again.Amount, again.Source = 2950, "CCAM v80"
		other := row
		other.Code, other.Grid = "LHLH002", billing.GridNonOPTAM
		second, err := s.SaveTariffImport(ctx, billing.Import{FileName: "b.csv", SHA256: "bb", Source: "CCAM v80", Rows: 2, Added: 1, Changed: 1}, []billing.Tariff{again, other})
		if err != nil || second <= first {
			t.Fatalf("second import %d: %v", second, err)
		}
		rows, err := s.ImportedTariffs(ctx, []string{"AHLH007"})
		if err != nil || len(rows) != 1 || rows[0].Amount != 2950 || rows[0].Source != "CCAM v80" || rows[0].Status != catalog.Confirmed {
			t.Fatalf("AHLH007 rows %+v: %v", rows, err)
		}
		if all, _ := s.ImportedTariffs(ctx, nil); len(all) != 2 {
			t.Errorf("all rows: %+v", all)
		}
		imports, err := s.TariffImports(ctx, 10)
		if err != nil || len(imports) != 2 || imports[0].FileName != "b.csv" || imports[0].Changed != 1 || imports[0].ActorLogin != "t.admin" {
			t.Fatalf("imports %+v: %v", imports, err)
		}
		entries, err := s.SearchAudit(ctx, audit.Filter{Action: "import", Entity: "tariffs"})
		if err != nil || len(entries) != 2 {
			t.Errorf("audit entries %d: %v", len(entries), err)
		}
	})
}

func TestRadiologistBillingAndPregnancyDates(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		if err := s.SetRadiologistBilling(f.ctx, f.drA, billing.Radiologist{Convention: billing.Sector2, ExtraFee: 4000}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []billing.Radiologist{{Convention: "sector3"}, {Convention: billing.Sector1, ExtraFee: -1}} {
			if err := s.SetRadiologistBilling(f.ctx, f.drB, bad); err == nil {
				t.Errorf("accepted %+v", bad)
			}
		}
		got, err := s.RadiologistBilling(f.ctx)
		if err != nil || got[f.drA] != (billing.Radiologist{Convention: billing.Sector2, ExtraFee: 4000}) || got[f.drB].Convention != "" {
			t.Fatalf("radiologists %+v: %v", got, err)
		}
		if fees, _ := s.RadiologistFees(f.ctx); fees[f.drA] != 4000 {
			t.Errorf("the extra fee is not read back by RadiologistFees: %v", fees)
		}
		ref := f.referral(t, s, "facet_joint_infiltration")
		if err := s.SetReferralBilling(f.ctx, ref, billing.CoverALD, "2026-01-10", "2026-10-02"); err != nil {
			t.Fatal(err)
		}
		r, err := s.Referral(f.ctx, ref)
		if err != nil || r.Cover != billing.CoverALD || r.PregnancyStart != "2026-01-10" || r.DeliveryDate != "2026-10-02" {
			t.Fatalf("referral %+v: %v", r, err)
		}
		if err := s.SetReferralBilling(f.ctx, 99999, "", "", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown referral: %v", err)
		}
	})
}
