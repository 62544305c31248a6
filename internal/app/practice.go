package app

import (
	"context"
	"slices"
	"strconv"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/billing"
	"repere/internal/practice"
)

// The administration's changes to the practice's setup (rooms, the acts
// and fees of radiologists, opening hours, closures, anaesthesia teams,
// settings, referring physicians, calendar feeds). Each is one unit of work
// (store.WriteUnit): the reads it is checked against, the change and its
// audit entry commit together or not at all.

// practiceChange runs change and records action in the audit log, in one
// unit of work.
func (a *App) practiceChange(ctx context.Context, action string, change func(ctx context.Context) error) error {
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if err := change(ctx); err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		return a.store.RecordEvent(ctx, actor, action, "practice", "", "")
	})
	a.forgetSite() // a site may have been added with a room
	return err
}

// SaveRoom adds a room to the practice's first site (made when there is
// none yet), or renames and (de)activates an existing one.
func (a *App) SaveRoom(ctx context.Context, room practice.Room) error {
	return a.practiceChange(ctx, "room", func(ctx context.Context) error {
		if room.ID != 0 {
			return a.store.UpdateRoom(ctx, room)
		}
		site, err := a.firstSiteID(ctx)
		if err != nil {
			return err
		}
		room.SiteID = site
		_, err = a.store.CreateRoom(ctx, room)
		return err
	})
}

// SaveAnaesthesiaTeam adds a team to the practice's first site, or renames
// and (de)activates one.
func (a *App) SaveAnaesthesiaTeam(ctx context.Context, team practice.AnaesthesiaTeam) error {
	return a.practiceChange(ctx, "anaesthesia", func(ctx context.Context) error {
		if team.ID != 0 {
			return a.store.UpdateAnaesthesiaTeam(ctx, team)
		}
		site, err := a.firstSiteID(ctx)
		if err != nil {
			return err
		}
		team.SiteID = site
		_, err = a.store.CreateAnaesthesiaTeam(ctx, team)
		return err
	})
}

// firstSiteID is the practice's first site, made when there is none.
func (a *App) firstSiteID(ctx context.Context) (int64, error) {
	sites, err := a.store.Sites(ctx)
	if err != nil {
		return 0, err
	}
	if len(sites) > 0 {
		return sites[0].ID, nil
	}
	return a.store.CreateSite(ctx, practice.Site{Name: a.cfg.PracticeName})
}

// SetRadiologistActs sets the acts of the catalogue a radiologist performs
// (ids not in the catalogue are left out).
func (a *App) SetRadiologistActs(ctx context.Context, radiologistID int64, acts []string) error {
	known := slices.DeleteFunc(slices.Clone(acts), func(id string) bool { _, ok := a.catalog.Act(id); return !ok })
	return a.practiceChange(ctx, "acts", func(ctx context.Context) error {
		if err := a.checkRadiologist(ctx, radiologistID); err != nil {
			return err
		}
		return a.store.SetRadiologistActs(ctx, radiologistID, known)
	})
}

// SetRadiologistBilling sets a radiologist's convention and extra fee.
func (a *App) SetRadiologistBilling(ctx context.Context, radiologistID int64, b billing.Radiologist) error {
	return a.practiceChange(ctx, "fee", func(ctx context.Context) error {
		if err := a.checkRadiologist(ctx, radiologistID); err != nil {
			return err
		}
		return a.store.SetRadiologistBilling(ctx, radiologistID, b)
	})
}

// checkRadiologist refuses an id that is no radiologist's.
func (a *App) checkRadiologist(ctx context.Context, id int64) error {
	doctors, err := a.store.Radiologists(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(doctors, func(u auth.User) bool { return u.ID == id }) {
		return invalid("practice.err.radiologist")
	}
	return nil
}

// AddOpeningHours adds a weekly opening span to a room, a radiologist or an
// anaesthesia team.
func (a *App) AddOpeningHours(ctx context.Context, h practice.OpeningHours) error {
	return a.practiceChange(ctx, "hours", func(ctx context.Context) error {
		if err := a.checkResource(ctx, h.ResourceKind, h.ResourceID); err != nil {
			return err
		}
		_, err := a.store.AddOpeningHours(ctx, h)
		return err
	})
}

// AddClosure records a dated unavailability of a room, a radiologist or an
// anaesthesia team.
func (a *App) AddClosure(ctx context.Context, c practice.Closure) error {
	return a.practiceChange(ctx, "closure", func(ctx context.Context) error {
		if err := a.checkResource(ctx, c.ResourceKind, c.ResourceID); err != nil {
			return err
		}
		_, err := a.store.AddClosure(ctx, c)
		return err
	})
}

// checkResource refuses a resource that is not the practice's.
func (a *App) checkResource(ctx context.Context, kind string, id int64) error {
	found := false
	switch kind {
	case practice.ResourceRoom:
		rooms, err := a.store.Rooms(ctx)
		if err != nil {
			return err
		}
		found = slices.ContainsFunc(rooms, func(r practice.Room) bool { return r.ID == id })
	case practice.ResourceRadiologist:
		doctors, err := a.store.Radiologists(ctx)
		if err != nil {
			return err
		}
		found = slices.ContainsFunc(doctors, func(u auth.User) bool { return u.ID == id })
	case practice.ResourceAnaesthesia:
		teams, err := a.store.AnaesthesiaTeams(ctx)
		if err != nil {
			return err
		}
		found = slices.ContainsFunc(teams, func(t practice.AnaesthesiaTeam) bool { return t.ID == id })
	}
	if !found {
		return invalid("practice.err.resource")
	}
	return nil
}

// SaveSettings sets the practice's settings (turnover, ward discharge time).
func (a *App) SaveSettings(ctx context.Context, v practice.Settings) error {
	if v.Validate() != nil {
		return invalid("practice.err.settings")
	}
	return a.practiceChange(ctx, "settings", func(ctx context.Context) error { return a.store.SaveSettings(ctx, v) })
}

// SavePhysician adds or edits a referring physician.
func (a *App) SavePhysician(ctx context.Context, ph practice.Physician) error {
	return a.practiceChange(ctx, "physician", func(ctx context.Context) error {
		if ph.ID != 0 {
			return a.store.UpdatePhysician(ctx, ph)
		}
		_, err := a.store.CreatePhysician(ctx, ph)
		return err
	})
}

// DeleteOpeningHours removes a weekly opening span.
func (a *App) DeleteOpeningHours(ctx context.Context, id int64) error {
	return a.practiceChange(ctx, "delete-hours", func(ctx context.Context) error { return a.store.DeleteOpeningHours(ctx, id) })
}

// DeleteClosure removes a closure.
func (a *App) DeleteClosure(ctx context.Context, id int64) error {
	return a.practiceChange(ctx, "delete-closure", func(ctx context.Context) error { return a.store.DeleteClosure(ctx, id) })
}

// RevokeFeed ends a calendar feed.
func (a *App) RevokeFeed(ctx context.Context, id int64) error {
	return a.practiceChange(ctx, "revoke-feed", func(ctx context.Context) error { return a.store.RevokeFeed(ctx, id) })
}

// CreateFeed makes a calendar feed of a CT room or a radiologist and
// returns its secret token (shown once), with its audit entry, in one unit
// of work.
func (a *App) CreateFeed(ctx context.Context, kind string, id int64) (string, error) {
	var token string
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if err := a.checkResource(ctx, kind, id); err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		var err error
		if token, err = a.store.CreateFeed(ctx, kind, id, actor.Login); err != nil {
			return err
		}
		return a.store.RecordEvent(ctx, actor, "create", "calendar_feed", kind+":"+strconv.FormatInt(id, 10), "")
	})
	return token, err
}
