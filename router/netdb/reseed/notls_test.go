//go:build notls

package reseed

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"i2pgate/router/netx/http1"
)

// Without TLS and without Command, https URLs go to the first of
// uclient-fetch, curl and wget in PATH, chosen and logged once.
func TestDefaultFetcher(t *testing.T) {
	dir := t.TempDir()
	su3 := su3Fixture(t, dir, 30)
	args := filepath.Join(dir, "args")
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	fakeFetcher(t, bin, "curl", `printf '%s\n' "$@" > `+args+`; /bin/cat `+su3)
	fakeFetcher(t, bin, "wget", `exit 1`)
	t.Setenv("PATH", bin)
	var logs bytes.Buffer
	r, err := New(Config{
		URLs: []string{"https://a.example/", "https://b.example/"}, NetID: testNetID, Certs: testCerts(t),
		MinRouters: 100, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.ReseedResult(context.Background())
	if err != nil || len(res.RouterInfos) != 30 || len(res.Sources) != 2 {
		t.Fatalf("%+v %v", res.Sources, err)
	}
	if n := strings.Count(logs.String(), "built without TLS"); n != 1 || !strings.Contains(logs.String(), "curl") {
		t.Fatalf("log %q", logs.String())
	}
	b, _ := os.ReadFile(args)
	got := strings.Split(strings.TrimSpace(string(b)), "\n")
	want := []string{"-fsSL", "--proto", "=https", "--proto-redir", "=https", "--max-redirs", "3", "--max-time", "60", "-A", UserAgent}
	if len(got) != len(want)+1 || strings.Join(got[:len(want)], " ") != strings.Join(want, " ") || !strings.HasSuffix(got[len(want)], "/i2pseeds.su3?netid=99") {
		t.Fatalf("curl args %q", got)
	}
	// uclient-fetch comes first.
	fakeFetcher(t, bin, "uclient-fetch", `exit 1`)
	argv, err := defaultFetcher(0, false)
	if err != nil || filepath.Base(argv[0]) != "uclient-fetch" {
		t.Fatalf("%v %v", argv, err)
	}
}

func TestNoFetcher(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	r, err := New(Config{URLs: []string{"https://a.example/"}, NetID: testNetID, Certs: testCerts(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reseed(context.Background()); !errors.Is(err, ErrNoFetcher) {
		t.Fatalf("err %v", err)
	}
	// The client refuses https natively.
	h := &HTTPS{URL: "https://127.0.0.1:1/", NetID: testNetID}
	if _, err := h.Fetch(context.Background()); !errors.Is(err, http1.ErrNoTLS) {
		t.Fatalf("native https: %v", err)
	}
}
