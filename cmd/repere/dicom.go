package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"

	"repere/internal/app"
	"repere/internal/dimse"
	"repere/internal/dose"
	"repere/internal/mpps"
	"repere/internal/worklist"
)

// dicomConfig holds the worklist server's options.
type dicomConfig struct {
	addr, aeTitle, charset string
	allowedCalling         string // comma-separated calling AE titles; empty allows any
	stationByCalling       string // CALLING=STATION pairs, comma-separated
	allowUnmappedAll       bool   // an unmapped console querying without a station gets every room
	artim, idle            string // durations: before the association request, and silence after
	maxAssociations        string // in all, and per client address
	maxPerAddress          string
}

func dicomFlags(fs *flag.FlagSet, c *dicomConfig) {
	fs.StringVar(&c.addr, "dicom-addr", envDefault("dicom-addr", ":11112"), `DICOM worklist listen address, "off" to disable (env REPERE_DICOM_ADDR)`)
	fs.StringVar(&c.aeTitle, "dicom-ae", envDefault("dicom-ae", dimse.DefaultAETitle), "our called AE title")
	fs.StringVar(&c.charset, "dicom-charset", envDefault("dicom-charset", "latin1"), "worklist character set: latin1 (ISO_IR 100) or utf8 (ISO_IR 192)")
	fs.StringVar(&c.allowedCalling, "dicom-calling-aes", envDefault("dicom-calling-aes", ""), "calling AE titles allowed to connect, comma-separated (empty: any)")
	fs.StringVar(&c.stationByCalling, "dicom-stations", envDefault("dicom-stations", ""), "CALLING_AE=STATION_AE pairs: a console querying without a station gets its own room's list (each room's station AE title maps to itself by default)")
	fs.BoolVar(&c.allowUnmappedAll, "dicom-unmapped-all", envBool("dicom-unmapped-all", false), "let a console with no room mapping list every room's patients (env REPERE_DICOM_UNMAPPED_ALL=true)")
	fs.StringVar(&c.artim, "dicom-artim", envDefault("dicom-artim", dimse.DefaultTimeouts.Association.String()), "ARTIM timer: how long a new connection may take to ask for an association (env REPERE_DICOM_ARTIM)")
	fs.StringVar(&c.idle, "dicom-idle-timeout", envDefault("dicom-idle-timeout", dimse.DefaultTimeouts.Idle.String()), "how long an association may stay silent before it is closed (env REPERE_DICOM_IDLE_TIMEOUT)")
	fs.StringVar(&c.maxAssociations, "dicom-max-associations", envDefault("dicom-max-associations", "32"), "concurrent associations in all (env REPERE_DICOM_MAX_ASSOCIATIONS)")
	fs.StringVar(&c.maxPerAddress, "dicom-max-per-address", envDefault("dicom-max-per-address", "8"), "concurrent associations from one client address, so one console never locks out another (env REPERE_DICOM_MAX_PER_ADDRESS)")
}

// limits parses the association timers and limits.
func (c dicomConfig) limits() (dimse.Timeouts, int, int, error) {
	t := dimse.DefaultTimeouts
	for _, d := range []struct {
		flag, value string
		to          *time.Duration
	}{{"--dicom-artim", c.artim, &t.Association}, {"--dicom-idle-timeout", c.idle, &t.Idle}} {
		if d.value == "" {
			continue
		}
		v, err := time.ParseDuration(d.value)
		if err != nil || v <= 0 {
			return t, 0, 0, fmt.Errorf("%s must be a positive duration such as 30s or 5m, not %q", d.flag, d.value)
		}
		*d.to = v
	}
	var counts [2]int
	for i, n := range []struct{ flag, value string }{{"--dicom-max-associations", c.maxAssociations}, {"--dicom-max-per-address", c.maxPerAddress}} {
		if n.value == "" {
			continue
		}
		v, err := strconv.Atoi(n.value)
		if err != nil || v <= 0 {
			return t, 0, 0, fmt.Errorf("%s must be a positive number, not %q", n.flag, n.value)
		}
		counts[i] = v
	}
	if counts[0] > 0 && counts[1] > counts[0] {
		return t, 0, 0, fmt.Errorf("--dicom-max-per-address (%d) must not exceed --dicom-max-associations (%d)", counts[1], counts[0])
	}
	return t, counts[0], counts[1], nil
}

func (c dicomConfig) charsetValue() (dimse.Charset, error) {
	switch strings.ToLower(c.charset) {
	case "latin1", "iso_ir 100", "":
		return dimse.CharsetLatin1, nil
	case "utf8", "utf-8", "iso_ir 192":
		return dimse.CharsetUTF8, nil
	}
	return "", fmt.Errorf("--dicom-charset must be latin1 or utf8, not %q", c.charset)
}

func parsePairs(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("--dicom-stations: %q is not CALLING=STATION", pair)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

// newDicomServer builds the DICOM server (worklist, MPPS, dose reports) on
// the application, or nil when disabled.
func newDicomServer(c dicomConfig, a *app.App, log *slog.Logger) (*dimse.Server, error) {
	if c.addr == "" || c.addr == "off" {
		return nil, nil
	}
	charset, err := c.charsetValue()
	if err != nil {
		return nil, err
	}
	timeouts, maxAssociations, maxPerAddress, err := c.limits()
	if err != nil {
		return nil, err
	}
	stations, err := parsePairs(c.stationByCalling)
	if err != nil {
		return nil, err
	}
	var allowed []string
	for _, ae := range strings.Split(c.allowedCalling, ",") {
		if ae = strings.TrimSpace(ae); ae != "" {
			allowed = append(allowed, ae)
		}
	}
	// A console whose calling AE title is its room's station AE title gets
	// that room's list; --dicom-stations adds or overrides pairs.
	rooms, err := a.Store().Rooms(context.Background())
	if err != nil {
		return nil, err
	}
	byCalling := map[string]string{}
	for _, room := range rooms {
		if room.StationAETitle != "" {
			byCalling[room.StationAETitle] = room.StationAETitle
		}
	}
	maps.Copy(byCalling, stations)
	loc := a.Location()
	h := worklist.NewHandler(worklist.Config{Source: a.Worklist(), Charset: charset, StationByCallingAE: byCalling,
		AllowUnmappedAll: c.allowUnmappedAll, Location: loc, Logger: log})
	steps := mpps.NewHandler(mpps.Config{Store: a.Steps(), Location: loc, Now: a.Now, Logger: log})
	doses := dose.NewHandler(a.DoseReports(), log)
	// Dose reports nest their content deeper than worklist queries.
	limits := dimse.Limits{MaxDepth: 16}
	return &dimse.Server{Addr: c.addr, AETitle: c.aeTitle, AllowedCallingAEs: allowed, Find: h, MPPS: steps, Store: doses,
		Limits: limits, Logger: log, Timeouts: timeouts, MaxAssociations: maxAssociations, MaxAssociationsPerAddress: maxPerAddress}, nil
}

// dicomEcho is "repere dicom-echo": a C-ECHO to a DICOM peer, ours by default.
func dicomEcho(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dicom-echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:11112", "peer address host:port")
	called := fs.String("called", dimse.DefaultAETitle, "called AE title")
	calling := fs.String("calling", "REPERE_ECHO", "our calling AE title")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	start := time.Now()
	if err := dimse.Echo(ctx, *addr, *calling, *called); err != nil {
		var nerr net.Error
		if errors.As(err, &nerr) {
			return fmt.Errorf("C-ECHO to %s: cannot reach it: %w", *addr, err)
		}
		return fmt.Errorf("C-ECHO to %s (%s): %w", *addr, *called, err)
	}
	fmt.Fprintf(stdout, "C-ECHO to %s (%s) succeeded in %d ms\n", *addr, *called, time.Since(start).Milliseconds())
	return nil
}
