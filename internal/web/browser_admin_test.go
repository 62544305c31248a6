package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"repere/internal/storetest"
)

// TestBrowserAdminSections opens each section of the practice's
// administration and the audit log at 1366×768: no section is taller than
// two screens (1,536 CSS px) but the radiologists' list, the rooms table fits the page,
// nothing scrolls sideways. Screenshots: admin-practice-rooms.png,
// admin-practice-radiologists.png, admin-practice-hours.png, admin-audit.png.
func TestBrowserAdminSections(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, _ := browser(t)
	dir := screenshotDir(t)
	base := h.ts.URL
	run(t, ctx, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "t.admin"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")))
	type layout struct {
		Height        float64
		Overflow      bool
		TableOverflow bool
	}
	measure := `(() => {
		const t = document.querySelector("main table");
		const main = document.querySelector("main").getBoundingClientRect();
		return {Height: document.documentElement.scrollHeight, Overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
			TableOverflow: !!t && t.getBoundingClientRect().right > main.right + 1};
	})()`
	for _, tab := range []string{"rooms", "radiologists", "anaesthesia", "settings", "hours", "closures", "physicians", "feeds"} {
		run(t, ctx, chromedp.Navigate(base+"/admin/practice?tab="+tab), chromedp.WaitVisible(chromedp.ID("tab-"+tab)))
		got := text(t, ctx, chromedp.Evaluate[layout](measure))
		t.Logf("practice section %s: %.0f CSS px high at 1366×768", tab, got.Height)
		// The radiologists (one block each) are a list: it grows with the
		// practice. The opening hours are a week per resource.
		if got.Height > 1536 && tab != "radiologists" {
			t.Errorf("section %s is %.0f px high", tab, got.Height)
		}
		if got.Overflow || got.TableOverflow {
			t.Errorf("section %s overflows sideways (page %v, table %v)", tab, got.Overflow, got.TableOverflow)
		}
		if tab == "rooms" {
			shootView(t, ctx, dir, "admin-practice-rooms")
		}
		if tab == "radiologists" {
			shoot(t, ctx, dir, "admin-practice-radiologists")
		}
		if tab == "hours" {
			shoot(t, ctx, dir, "admin-practice-hours")
		}
	}
	run(t, ctx, chromedp.Navigate(base+"/admin/audit"), chromedp.WaitVisible(chromedp.ID("a-system")))
	if got := text(t, ctx, chromedp.Evaluate[layout](measure)); got.Overflow || got.TableOverflow {
		t.Error("the audit log overflows sideways")
	}
	shootView(t, ctx, dir, "admin-audit")
}
