package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// remoteB32 is a client tunnel's destination; nothing answers for it, and
// the tests only need the local listener.
const remoteB32 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b32.i2p"

// reloadConfig is a configuration file with the given extra top-level
// keys and client tunnels (name -> listen address).
func reloadConfig(dir, console, top string, tunnels map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "datadir = %q\nnetid = 99\n%s\n", dir, top)
	fmt.Fprintf(&b, "[console]\naddress = %q\n[httpproxy]\naddress = \"\"\n[socks]\naddress = \"\"\n[dns]\naddress = \"\"\n", console)
	fmt.Fprintf(&b, "[addressbook]\nsubscriptions = []\n")
	for _, name := range sortedNames(tunnels) {
		host, port, _ := net.SplitHostPort(tunnels[name])
		fmt.Fprintf(&b, "[tunnels.%s]\ntype = \"client\"\naddress = %q\nport = %s\ndestination = %q\ndestinationport = 80\n",
			name, host, port, remoteB32)
	}
	return b.String()
}

// syncBuffer collects a daemon's log; tests read it while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startLoggedDaemon is startDaemon with a log the test may read while
// the daemon runs; the returned stop ends it with SIGTERM.
func startLoggedDaemon(t *testing.T, args ...string) (cmd *exec.Cmd, logs *syncBuffer, stop func()) {
	t.Helper()
	cmd = exec.Command(os.Args[0], append([]string{"run", "--reseed.urls="}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	logs = new(syncBuffer)
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	stop = func() {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("daemon exit: %v; log:\n%s", err, logs)
		}
	}
	return cmd, logs, stop
}

func writeConfig(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitListening waits until addr accepts (want) or refuses (!want) TCP
// connections.
func waitListening(t *testing.T, addr string, want bool, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		if (err == nil) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: listening %v, want %v; log:\n%s", addr, err == nil, want, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// apiStatus reads /api/status as a map.
func apiStatus(t *testing.T, addr string, logs *syncBuffer) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		body, err := fetchStatus(addr)
		if err == nil {
			var st map[string]any
			if err := json.Unmarshal(body, &st); err != nil {
				t.Fatal(err)
			}
			if st["router_hash"] != "" {
				return st
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/api/status: %v; log:\n%s", err, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitLog(t *testing.T, logs *syncBuffer, text string, count int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(logs.String(), text) < count {
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q (x%d):\n%s", text, count, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// SIGHUP applies a changed [tunnels.NAME] set and limits.memory without
// restarting the router, names the keys that need a restart, and a
// configuration that does not parse keeps the running one.
func TestReloadOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "i2pgate.toml")
	console, keep, gone, added := freePort(t), freePort(t), freePort(t), freePort(t)
	moved1, moved2 := freePort(t), freePort(t)
	sd := newFakeSystemd(t)
	writeConfig(t, path, reloadConfig(dir, console, "", map[string]string{"keep": keep, "gone": gone, "moved": moved1}))
	cmd, logs, stop := startLoggedDaemon(t, "--config", path)
	defer stop()
	for _, a := range []string{keep, gone, moved1} {
		waitListening(t, a, true, logs)
	}
	before := apiStatus(t, console, logs)

	writeConfig(t, path, reloadConfig(dir, console, "port = 23456\n[limits]\nmemory = 64",
		map[string]string{"keep": keep, "added": added, "moved": moved2}))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, logs, "configuration reloaded", 1)
	waitListening(t, added, true, logs)
	waitListening(t, moved2, true, logs)
	waitListening(t, gone, false, logs)
	waitListening(t, moved1, false, logs)
	waitListening(t, keep, true, logs)
	if n := strings.Count(logs.String(), `msg="client tunnel" name=keep`); n != 1 {
		t.Errorf("the unchanged tunnel was restarted (%d starts):\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "needs restart: port") {
		t.Errorf("no needs-restart for port:\n%s", logs)
	}
	after := apiStatus(t, console, logs)
	if after["router_hash"] != before["router_hash"] || after["uptime_s"].(float64) < before["uptime_s"].(float64) {
		t.Errorf("router restarted: before %v %v, after %v %v", before["router_hash"], before["uptime_s"], after["router_hash"], after["uptime_s"])
	}
	if mem, _ := after["memory"].(map[string]any); mem == nil || mem["limit_bytes"] != float64(64<<20) {
		t.Errorf("memory after reload: %v", after["memory"])
	}

	writeConfig(t, path, "this is [not toml\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, logs, "reload failed", 1)
	sd.waitStatus(t, "reload failed: config:")
	waitListening(t, added, true, logs)
	waitListening(t, keep, true, logs)
	if st := apiStatus(t, console, logs); st["router_hash"] != before["router_hash"] {
		t.Errorf("router hash changed after a bad reload")
	}
}

// waitStatus reads notifications until a STATUS= line contains text.
func (s *fakeSystemd) waitStatus(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	buf := make([]byte, 4096)
	var seen []string
	for time.Now().Before(deadline) {
		s.conn.SetReadDeadline(deadline)
		n, err := s.conn.Read(buf)
		if err != nil {
			break
		}
		msg := string(buf[:n])
		if strings.HasPrefix(msg, "STATUS=") && strings.Contains(msg, text) {
			return
		}
		seen = append(seen, msg)
	}
	t.Fatalf("no STATUS= with %q; got %q", text, seen)
}
