package packaging_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unitSettings reads a systemd unit file into section -> key -> values.
func unitSettings(t *testing.T, rel string) map[string]map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]map[string][]string)
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			out[section] = make(map[string][]string)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s: %q is not Key=value in a section", rel, line)
			}
			out[section][k] = append(out[section][k], v)
		}
	}
	return out
}

// TestServiceUnit: the settings the daemon and the packages rely on.
func TestServiceUnit(t *testing.T) {
	u := unitSettings(t, "systemd/i2pgate.service")
	svc := u["Service"]
	want := map[string]string{
		"Type":                    "notify",
		"ExecStart":               "/usr/bin/i2pgate run --config /etc/i2pgate/i2pgate.toml --datadir /var/lib/i2pgate",
		"ExecReload":              "/bin/kill -HUP $MAINPID",
		"WatchdogSec":             "60",
		"Restart":                 "on-failure",
		"User":                    "i2pgate",
		"StateDirectory":          "i2pgate",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"NoNewPrivileges":         "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX AF_NETLINK",
		"ProtectKernelTunables":   "yes",
		"ProtectKernelModules":    "yes",
		"ProtectKernelLogs":       "yes",
		"MemoryMax":               "192M",
		"LimitNOFILE":             "8192",
		"CapabilityBoundingSet":   "",
	}
	for k, v := range want {
		if got := svc[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
	if !strings.Contains(strings.Join(svc["SystemCallFilter"], " "), "@system-service") {
		t.Errorf("SystemCallFilter=%q lacks @system-service", svc["SystemCallFilter"])
	}
	if _, ok := svc["AmbientCapabilities"]; ok {
		t.Error("the unit grants capabilities; only the dns53 drop-in may")
	}
	if u["Install"]["WantedBy"][0] != "multi-user.target" {
		t.Errorf("WantedBy=%q", u["Install"]["WantedBy"])
	}
	// The sysusers file creates the user the unit runs as.
	users := string(readRepoFile(t, "systemd/i2pgate.sysusers"))
	if !strings.Contains(users, "\nu i2pgate - ") {
		t.Errorf("i2pgate.sysusers does not create the i2pgate user:\n%s", users)
	}
	drop := unitSettings(t, "systemd/i2pgate-dns53.conf")["Service"]
	for _, k := range []string{"AmbientCapabilities", "CapabilityBoundingSet"} {
		if got := drop[k]; len(got) != 1 || got[0] != "CAP_NET_BIND_SERVICE" {
			t.Errorf("dns53 drop-in %s=%q, want CAP_NET_BIND_SERVICE only", k, got)
		}
	}
}

// fakeExecUnit copies the unit into dir with ExecStart pointing at a stand-in
// executable (systemd-analyze verify wants the binary to exist).
func fakeExecUnit(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "i2pgate")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	unit := strings.ReplaceAll(string(readRepoFile(t, "systemd/i2pgate.service")), "/usr/bin/i2pgate", bin)
	path := filepath.Join(dir, "i2pgate.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSystemdAnalyze: systemd-analyze verify finds nothing to say about the
// unit alone or with the dns53 drop-in (it prints unknown keys and bad values
// as warnings, so any output fails), and the offline security review of the
// hardening stays at its present exposure or better.
func TestSystemdAnalyze(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (Debian package systemd)")
	}
	dir := t.TempDir()
	unit := fakeExecUnit(t, dir)
	verify := func(what string) {
		out, err := exec.Command(sa, "verify", unit).CombinedOutput()
		if err != nil || len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("systemd-analyze verify (%s): %v\n%s", what, err, out)
		}
	}
	verify("unit")
	dropDir := unit + ".d"
	if err := os.Mkdir(dropDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dropDir, "dns53.conf"), readRepoFile(t, "systemd/i2pgate-dns53.conf"), 0o644); err != nil {
		t.Fatal(err)
	}
	verify("with the dns53 drop-in")
	// A bad drop-in must be noticed, or the check above proves nothing.
	if err := os.WriteFile(filepath.Join(dropDir, "bad.conf"), []byte("[Service]\nNoSuchSetting=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command(sa, "verify", unit).CombinedOutput(); !strings.Contains(string(out), "NoSuchSetting") {
		t.Errorf("verify does not read drop-ins here: %s", out)
	}
	os.RemoveAll(dropDir)

	// exposureLimit bounds the exposure `systemd-analyze security` reports,
	// in tenths (its scale is 0.0 safest to 10.0); the unit scores 1.4 with
	// systemd 252.
	const exposureLimit = "20"
	out, err := exec.Command(sa, "security", "--offline=true", "--threshold="+exposureLimit, unit).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security: exposure over %s/10: %v\n%s", exposureLimit, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	t.Log(lines[len(lines)-1])
}
