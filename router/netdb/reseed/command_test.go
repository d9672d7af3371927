package reseed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeFetcher writes an executable shell script to dir and returns its path.
func fakeFetcher(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// su3Fixture writes a valid reseed SU3 of n RouterInfos to dir.
func su3Fixture(t *testing.T, dir string, n int) string {
	t.Helper()
	p := filepath.Join(dir, "seed.su3")
	if err := os.WriteFile(p, testSU3(t, testZip(t, testRouterInfos(t, n, time.Now()))), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCommandFetch(t *testing.T) {
	dir := t.TempDir()
	su3 := su3Fixture(t, dir, 3)
	args := filepath.Join(dir, "args")
	env := filepath.Join(dir, "env")
	t.Setenv("https_proxy", "http://127.0.0.1:1")
	t.Setenv("HOME", dir)
	fetcher := fakeFetcher(t, dir, "fetch", `printf '%s\n' "$@" > `+args+`; env > `+env+`; cat `+su3)
	c := &Command{URL: "https://reseed.example/", NetID: testNetID, Certs: testCerts(t), Argv: []string{fetcher, "-q"}}
	ris, err := c.Fetch(context.Background())
	if err != nil || len(ris) != 3 {
		t.Fatalf("%d RouterInfos, %v", len(ris), err)
	}
	b, _ := os.ReadFile(args)
	if got := string(b); got != "-q\nhttps://reseed.example/i2pseeds.su3?netid=99\n" {
		t.Fatalf("args %q", got)
	}
	b, _ = os.ReadFile(env)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, _, _ := strings.Cut(line, "=")
		switch k {
		case "PATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "PWD", "SHLVL", "_", "OLDPWD":
		default:
			t.Errorf("fetcher environment has %q", line)
		}
	}
	// Another signer: refused as HTTPS refuses it.
	c.Certs = SignerCerts{"someone@mail.i2p": testCerts(t)[testSignerID]}
	if _, err := c.Fetch(context.Background()); !errors.Is(err, ErrUnknownSigner) {
		t.Fatalf("unknown signer: %v", err)
	}
	// Plain HTTP only when allowed.
	c.URL = "http://reseed.example/"
	if _, err := c.Fetch(context.Background()); !errors.Is(err, ErrInsecureURL) {
		t.Fatalf("http URL: %v", err)
	}
}

func TestCommandFailures(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("e", 10<<10)
	for _, tc := range []struct {
		name, script string
		want         []string
	}{
		{"exit 1", `echo "fetch: 404 Not Found" >&2; exit 1`, []string{"exit status 1", "fetch: 404 Not Found"}},
		{"no stderr", `exit 3`, []string{"exit status 3"}},
		{"too large", `exec cat /dev/zero`, []string{"more than " + strconv.Itoa(MaxSU3Size) + " bytes"}},
		{"not an SU3", `echo hello`, []string{"reseed"}},
		{"long stderr", `printf '` + long + `' >&2; exit 1`, []string{"exit status 1", "eeee"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := fakeFetcher(t, dir, strings.ReplaceAll(tc.name, " ", "-"), tc.script)
			c := &Command{URL: "https://reseed.example/", NetID: testNetID, Certs: testCerts(t), Argv: []string{p}, Timeout: 10 * time.Second}
			_, err := c.Fetch(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("err %q does not contain %q", err, w)
				}
			}
			if len(err.Error()) > maxFetcherStderr+200 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
		})
	}
	c := &Command{URL: "https://reseed.example/", Argv: []string{filepath.Join(dir, "missing")}}
	if _, err := c.Fetch(context.Background()); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing program: %v", err)
	}
	c.Argv = nil
	if _, err := c.Fetch(context.Background()); err == nil {
		t.Fatal("empty command: no error")
	}
}

// hangingFetcher starts a child that sleeps, records its PID, and waits.
func hangingFetcher(t *testing.T, dir string) (script, pidFile string) {
	pidFile = filepath.Join(dir, "child.pid")
	return fakeFetcher(t, dir, "hang", `sleep 60 & echo $! > `+pidFile+`; wait`), pidFile
}

// waitGone waits until the process of pidFile no longer runs (gone or a
// zombie that nobody reaped yet).
func waitGone(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(string(b))
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		st, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return
		}
		if f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("child %s still runs", pid)
}

// requireProc fails without /proc, which waitGone reads: i2pgate runs on
// Linux only, so a missing /proc is a broken test machine, not a reason to skip.
func requireProc(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Fatalf("no /proc: %v", err)
	}
}

func TestCommandTimeoutKillsGroup(t *testing.T) {
	requireProc(t)
	dir := t.TempDir()
	script, pidFile := hangingFetcher(t, dir)
	c := &Command{URL: "https://reseed.example/", NetID: testNetID, Certs: testCerts(t), Argv: []string{script}, Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err := c.Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "killed after") {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	waitGone(t, pidFile)
}

func TestCommandCancel(t *testing.T) {
	requireProc(t)
	dir := t.TempDir()
	script, pidFile := hangingFetcher(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	c := &Command{URL: "https://reseed.example/", NetID: testNetID, Certs: testCerts(t), Argv: []string{script}}
	if _, err := c.Fetch(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	waitGone(t, pidFile)
}

// Config.Command downloads every URL, http ones too, in any build.
func TestReseederCommand(t *testing.T) {
	dir := t.TempDir()
	su3 := su3Fixture(t, dir, 30)
	fetcher := fakeFetcher(t, dir, "fetch", `cat `+su3)
	r, err := New(Config{
		URLs: []string{"https://reseed.example/", "http://plain.example/"}, NetID: testNetID, Certs: testCerts(t),
		Command: []string{fetcher}, AllowHTTP: true, MinRouters: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.ReseedResult(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sources) != 2 || res.Sources[0].Fetched != 30 || res.Sources[1].Fetched != 30 || len(res.RouterInfos) != 30 {
		t.Fatalf("%+v", res.Sources)
	}
	if _, err := New(Config{URLs: []string{"https://reseed.example/"}, Command: []string{""}}); err == nil {
		t.Fatal("empty program: no error")
	}
}
