package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"i2pgate/cmd/i2pgate/internal/config"
	"i2pgate/internal/jsonx"
	"i2pgate/router"
	"i2pgate/router/netx/http1"
)

// statusTimeout bounds the request to the console.
const statusTimeout = 5 * time.Second

// runStatus fetches /api/status from the running router's console and prints it,
// as JSON with --json, otherwise for a person.
func runStatus(args []string, stdout io.Writer) error {
	asJSON := false
	var rest []string
	for _, a := range args {
		if a == "--json" {
			asJSON = true
			continue
		}
		rest = append(rest, a)
	}
	path, overrides, err := splitArgs(rest)
	if err != nil {
		return err
	}
	cfg, err := config.Load(path, overrides)
	if err != nil {
		return err
	}
	if cfg.Console.Address == "" {
		return fmt.Errorf("status: console.address is empty: the console is disabled")
	}
	body, err := fetchStatus(cfg.Console.Address)
	if err != nil {
		return err
	}
	if asJSON {
		_, err := stdout.Write(body)
		return err
	}
	var st router.Status
	if err := jsonx.Unmarshal(body, &st); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	printStatus(stdout, &st)
	return nil
}

func fetchStatus(addr string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/status", nil)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	resp, err := (&http1.Client{}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("status: is the router running? %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

func printStatus(w io.Writer, st *router.Status) {
	up := time.Duration(st.UptimeS) * time.Second
	fmt.Fprintf(w, "Router        %s\n", st.RouterHash)
	fmt.Fprintf(w, "Network       %s (netid %d), version %s, up %s\n", st.NetworkStatus, st.NetID, st.Version, up)
	fmt.Fprintf(w, "Clock skew    %.1f s (source %s)%s\n", st.ClockSkewS, st.Clock.Source, clockNote(st))
	fmt.Fprintf(w, "Known routers %d (%d floodfills)\n", st.KnownRouters, st.Floodfills)
	fmt.Fprintf(w, "Sessions      NTCP2 %d in / %d out, SSU2 %d in / %d out\n",
		st.Sessions.NTCP2In, st.Sessions.NTCP2Out, st.Sessions.SSU2In, st.Sessions.SSU2Out)
	if m := st.Memory; m.Pressure != "" {
		fmt.Fprintf(w, "Memory        heap %.1f MB of %d MB, pressure %s\n", float64(m.HeapBytes)/(1<<20), m.LimitBytes>>20, m.Pressure)
	}
}
