package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"i2pgate/router/data"
)

// When this variable is set the test binary is the daemon: the end-to-end tests
// re-execute themselves as "i2pgate run ...".
const childEnv = "I2PGATE_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestVersionAndUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "i2pgate") {
		t.Errorf("version: %d %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "ntcp2.port") {
		t.Errorf("help does not list the keys: %q", out.String())
	}
	if code := run(nil, &out, &errb); code != 2 {
		t.Errorf("no args: exit %d", code)
	}
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"run", "--datadir=" + t.TempDir(), "--netid=zero"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "netid") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	code = run([]string{"run", "--config", filepath.Join(t.TempDir(), "missing.toml")}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "missing.toml") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// startDaemon runs the test binary as "i2pgate run" and waits until router.info
// appears.
func startDaemon(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	// Never the live network's reseed servers from a test; later args may
	// override.
	cmd := exec.Command(os.Args[0], append([]string{"run", "--reseed.urls="}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &logs
}

func waitForFile(t *testing.T, path string, logs *bytes.Buffer) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return b
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not appear; daemon log:\n%s", path, logs)
	return nil
}

func stopDaemon(t *testing.T, cmd *exec.Cmd, logs *bytes.Buffer) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("daemon exit: %v; log:\n%s", err, logs)
	}
}

// i2pgate run --datadir=DIR creates a valid identity and router.info, and a restart
// keeps the same router hash.
func TestRunCreatesAndKeepsIdentity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "testdir")
	args := []string{"--datadir=" + dir, "--netid=99", "--host=198.18.0.101", "--reseed.urls=",
		"--console.address=", "--httpproxy.address=", "--socks.address=", "--dns.address="}
	riPath := filepath.Join(dir, "router.info")

	cmd, logs := startDaemon(t, args...)
	raw := waitForFile(t, riPath, logs)
	// SIGHUP (a reload) does not end the router.
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("daemon gone after SIGHUP: %v", err)
	}
	stopDaemon(t, cmd, logs) // also fails if SIGHUP had ended it
	if !strings.Contains(logs.String(), "SIGHUP") {
		t.Errorf("SIGHUP not acknowledged in the log")
	}
	ri, err := data.ParseRouterInfo(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := ri.Verify(); err != nil {
		t.Fatal(err)
	}
	if id, _ := ri.NetID(); id != 99 {
		t.Errorf("netId %d", id)
	}
	first := ri.Hash()

	os.Remove(riPath)
	cmd, logs = startDaemon(t, args...)
	raw = waitForFile(t, riPath, logs)
	stopDaemon(t, cmd, logs)
	ri2, err := data.ParseRouterInfo(raw)
	if err != nil {
		t.Fatal(err)
	}
	if ri2.Hash() != first {
		t.Errorf("router hash changed across restart: %s -> %s", first, ri2.Hash())
	}
	if !strings.Contains(logs.String(), first.String()) {
		t.Errorf("log does not name the router hash:\n%s", logs)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// i2pgate status reads the running daemon's /api/status.
func TestStatusCommand(t *testing.T) {
	dir := t.TempDir()
	addr := freePort(t)
	cmd, logs := startDaemon(t, "--datadir="+dir, "--netid=99", "--console.address="+addr,
		"--reseed.urls=", "--httpproxy.address=", "--socks.address=", "--dns.address=")
	defer stopDaemon(t, cmd, logs)
	raw := waitForFile(t, filepath.Join(dir, "router.info"), logs)
	ri, err := data.ParseRouterInfo(raw)
	if err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	deadline := time.Now().Add(10 * time.Second)
	for {
		out.Reset()
		errb.Reset()
		if run([]string{"status", "--json", "--console.address=" + addr}, &out, &errb) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status: %s\nlog:\n%s", errb.String(), logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var st map[string]any
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	for _, k := range []string{"router_hash", "netid", "version", "uptime_s", "network_status",
		"clock_skew_s", "known_routers", "floodfills", "sessions", "memory"} {
		if _, ok := st[k]; !ok {
			t.Errorf("/api/status lacks %q", k)
		}
	}
	if st["router_hash"] != ri.Hash().String() || st["netid"] != float64(99) {
		t.Errorf("status %v", st)
	}
	sess, _ := st["sessions"].(map[string]any)
	for _, k := range []string{"ntcp2_in", "ntcp2_out", "ssu2_in", "ssu2_out"} {
		if _, ok := sess[k]; !ok {
			t.Errorf("sessions lacks %q", k)
		}
	}

	// Every console page and /metrics answer, with the router's data.
	for _, page := range []string{"/", "/peers", "/tunnels", "/transit", "/destinations", "/addressbook", "/automap", "/subscriptions", "/metrics"} {
		resp, err := http.Get("http://" + addr + page)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", page, resp.StatusCode, body)
		}
		if page == "/metrics" && (!strings.Contains(string(body), "i2pgate_known_routers") ||
			!strings.Contains(string(body), `i2pgate_memory_pressure{level="normal"} 1`)) {
			t.Errorf("/metrics lacks i2pgate_known_routers or the memory pressure:\n%s", body)
		}
		if page == "/" && !strings.Contains(string(body), ri.Hash().String()[:8]) {
			t.Errorf("overview lacks the router hash")
		}
	}

	out.Reset()
	if code := run([]string{"status", "--console.address=" + addr}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), ri.Hash().String()) || !strings.Contains(out.String(), "of 96 MB, pressure normal") {
		t.Errorf("human status: %d %q %q", code, out.String(), errb.String())
	}
}

func TestStatusWithoutRouter(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"status", "--console.address=" + freePort(t)}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "running") {
		t.Errorf("exit %d, %q", code, errb.String())
	}
}

// "--key value" is read as "--key=value" for keys that take a value, as
// the systemd unit and the OpenWrt init script write it.
func TestSplitArgsSpaceSeparated(t *testing.T) {
	path, ov, err := splitArgs([]string{"--config", "/etc/i2pgate/i2pgate.toml", "--datadir", "/var/lib/i2pgate",
		"--floodfill", "--netid=99", "--reseed.urls", "", "--ntcp2.enabled", "--socks.address", "127.0.0.1:4447"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"--datadir=/var/lib/i2pgate", "--floodfill", "--netid=99", "--reseed.urls=", "--ntcp2.enabled", "--socks.address=127.0.0.1:4447"}
	if path != "/etc/i2pgate/i2pgate.toml" || strings.Join(ov, " ") != strings.Join(want, " ") {
		t.Fatalf("path %q overrides %q", path, ov)
	}
}
