package packaging_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

const openwrtFiles = "firmware/openwrt/i2pgate/files"

// pendingKeys are keys i2pgate-uci2toml writes before the daemon's
// configuration has them: the checks against it leave them out and say so.
// Empty while the two agree.
var pendingKeys = map[string]bool{}

// fakeUCI is a `uci` command for tests: the state is a file of
// "key<TAB>value" lines (a list is several lines with one key); get, add_list,
// del_list and commit work as OpenWrt's uci does for the scripts here.
const fakeUCI = `#!/bin/sh
[ "$1" = -q ] && shift
cmd=$1
shift
case $cmd in
get)
	awk -F '\t' -v k="$1" '$1 == k { printf "%s%s", sep, $2; sep = " "; n++ } END { if (n) print ""; exit n ? 0 : 1 }' "$FAKE_UCI"
	;;
add_list)
	printf '%s\t%s\n' "${1%%=*}" "${1#*=}" >>"$FAKE_UCI"
	;;
del_list)
	awk -F '\t' -v k="${1%%=*}" -v v="${1#*=}" '!($1 == k && $2 == v)' "$FAKE_UCI" >"$FAKE_UCI.new"
	mv "$FAKE_UCI.new" "$FAKE_UCI"
	;;
commit)
	echo "$1" >>"$FAKE_UCI.commits"
	;;
*)
	exit 2
	;;
esac
`

// openwrtEnv is a directory with the fake uci (and a fake ipcalc.sh) first in
// PATH and a UCI state file.
type openwrtEnv struct {
	t     *testing.T
	dir   string
	state string
}

func newOpenwrtEnv(t *testing.T) *openwrtEnv {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string, mode os.FileMode) {
		if err := os.WriteFile(name, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(bin, "uci"), fakeUCI, 0o755)
	// OpenWrt's ipcalc.sh prints NETWORK= and PREFIX= among other lines.
	write(filepath.Join(bin, "ipcalc.sh"), "#!/bin/sh\necho IP=${1%/*}\necho NETWORK=${1%.*/*}.0\necho PREFIX=${1#*/}\n", 0o755)
	e := &openwrtEnv{t: t, dir: dir, state: filepath.Join(dir, "uci.state")}
	write(e.state, "", 0o644)
	return e
}

// set adds UCI values: "i2pgate.main.dns_port", "5300".
func (e *openwrtEnv) set(kv ...string) {
	e.t.Helper()
	f, err := os.OpenFile(e.state, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(f, "%s\t%s\n", kv[i], kv[i+1])
	}
}

// loadConfig sets the UCI state from a UCI file (/etc/config/i2pgate).
func (e *openwrtEnv) loadConfig(pkg, path string) {
	e.t.Helper()
	f, err := os.Open(path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^\s*(config|option|list)\s+(\S+)\s+'([^']*)'\s*$`)
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		switch {
		case m == nil:
			continue
		case m[1] == "config":
			section = m[3]
		default:
			e.set(pkg+"."+section+"."+m[2], m[3])
		}
	}
}

func (e *openwrtEnv) command(shell, script string, args ...string) *exec.Cmd {
	cmd := exec.Command(shell, append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(e.dir, "bin")+":"+os.Getenv("PATH"), "FAKE_UCI="+e.state)
	return cmd
}

// shells are the shells the OpenWrt scripts run under in the tests: busybox
// ash, OpenWrt's shell, or the system sh when busybox is not installed
// (shellcheck -s sh checks POSIX either way).
func shells(t *testing.T) []string {
	if bb, err := exec.LookPath("busybox"); err == nil {
		return []string{bb + " sh"}
	}
	t.Log("busybox not installed: the OpenWrt scripts run under sh")
	return []string{"sh"}
}

// runShell runs script with a shell given as "sh" or "/path/busybox sh".
func (e *openwrtEnv) runShell(shell, script string, env []string, args ...string) (stdout, stderr string, err error) {
	parts := strings.Fields(shell)
	cmd := e.command(parts[0], parts[len(parts)-1], append([]string{script}, args...)...)
	if len(parts) == 1 {
		cmd = e.command(parts[0], script, args...)
	}
	cmd.Env = append(cmd.Env, env...)
	var o, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &se
	err = cmd.Run()
	return o.String(), se.String(), err
}

func uci2toml() string { return filepath.Join(repoRoot, openwrtFiles, "i2pgate-uci2toml.sh") }

// flatKeys lists the keys of a decoded TOML document as section.key.
func flatKeys(m map[string]any, prefix string) []string {
	var keys []string
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			keys = append(keys, flatKeys(sub, prefix+k+".")...)
			continue
		}
		keys = append(keys, prefix+k)
	}
	sort.Strings(keys)
	return keys
}

func decodeTOML(t *testing.T, text string) map[string]any {
	t.Helper()
	var m map[string]any
	if _, err := toml.Decode(text, &m); err != nil {
		t.Fatalf("generated TOML does not parse: %v\n%s", err, text)
	}
	return m
}

func TestUCI2TOMLDefaults(t *testing.T) {
	for _, sh := range shells(t) {
		t.Run(sh, func(t *testing.T) {
			e := newOpenwrtEnv(t)
			lan := []string{"LAN_IP=192.168.1.1", "LAN_SUBNET=192.168.1.0/24"}
			unset, errOut, err := e.runShell(sh, uci2toml(), lan)
			if err != nil {
				t.Fatalf("%v: %s", err, errOut)
			}
			// The shipped /etc/config/i2pgate says what the script's
			// defaults say.
			e.loadConfig("i2pgate", filepath.Join(repoRoot, openwrtFiles, "i2pgate.config"))
			shipped, errOut, err := e.runShell(sh, uci2toml(), lan)
			if err != nil {
				t.Fatalf("%v: %s", err, errOut)
			}
			if unset != shipped {
				t.Errorf("defaults differ from /etc/config/i2pgate:\n%s\nvs\n%s", unset, shipped)
			}
			m := decodeTOML(t, shipped)
			want := map[string]any{
				"datadir": "/etc/i2pgate/data", "bandwidth": "L", "floodfill": false,
				"port": int64(0), "loglevel": "info",
				"console.address":     "127.0.0.1:7070",
				"httpproxy.address":   "192.168.1.1:4444",
				"socks.address":       "192.168.1.1:4447",
				"dns.address":         "127.0.0.1:5353",
				"transparent.address": "192.168.1.1:7040",
				"automap.network":     "10.192.0.0/10",
				"lan.allow":           []any{"192.168.1.0/24"},
				"limits.memory":       int64(96),
				"storage.mode":        "ram",
			}
			checkTOML(t, m, want)
		})
	}
}

// lookup returns the value of a dotted key.
func lookup(m map[string]any, key string) (any, bool) {
	sec, k, ok := strings.Cut(key, ".")
	if !ok {
		v, ok := m[key]
		return v, ok
	}
	sub, ok := m[sec].(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := sub[k]
	return v, ok
}

func checkTOML(t *testing.T, m map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		got, ok := lookup(m, k)
		if !ok || fmt.Sprint(got) != fmt.Sprint(w) || fmt.Sprintf("%T", got) != fmt.Sprintf("%T", w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
	if keys := flatKeys(m, ""); len(keys) != len(want) {
		t.Errorf("keys %v, want %d", keys, len(want))
	}
}

func TestUCI2TOMLSettings(t *testing.T) {
	for _, sh := range shells(t) {
		t.Run(sh, func(t *testing.T) {
			e := newOpenwrtEnv(t)
			out := filepath.Join(e.dir, "var", "i2pgate.toml")
			if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			e.set(
				"i2pgate.main.datadir", `/mnt/usb/i2p "gate" \data`,
				"i2pgate.main.bandwidth", "300",
				"i2pgate.main.floodfill", "1",
				"i2pgate.main.port", "12345",
				"i2pgate.main.loglevel", "debug",
				"i2pgate.main.socks_port", "0",
				"i2pgate.main.console_lan", "1",
				"i2pgate.main.console_port", "8080",
				"i2pgate.main.automap_network", "10.100.0.0/16",
				"i2pgate.main.lan_allow", "192.168.1.0/24",
				"i2pgate.main.lan_allow", "fd00::/8",
				"i2pgate.main.memory_limit", "48",
				"i2pgate.main.storage_mode", "disk",
			)
			_, errOut, err := e.runShell(sh, uci2toml(), []string{"LAN_IP=10.0.0.1", "LAN_SUBNET=10.0.0.0/24"}, out)
			if err != nil {
				t.Fatalf("%v: %s", err, errOut)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			checkTOML(t, decodeTOML(t, string(b)), map[string]any{
				"datadir": `/mnt/usb/i2p "gate" \data`, "bandwidth": "300", "floodfill": true,
				"port": int64(12345), "loglevel": "debug",
				"console.address":     "10.0.0.1:8080",
				"httpproxy.address":   "10.0.0.1:4444",
				"socks.address":       "",
				"dns.address":         "127.0.0.1:5353",
				"transparent.address": "10.0.0.1:7040",
				"automap.network":     "10.100.0.0/16",
				"lan.allow":           []any{"192.168.1.0/24", "fd00::/8"},
				"limits.memory":       int64(48),
				"storage.mode":        "disk",
			})
			if left, _ := filepath.Glob(out + ".tmp.*"); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// TestUCI2TOMLWithoutLAN: with no LAN address known the front-ends listen on
// loopback and only loopback clients are allowed.
func TestUCI2TOMLWithoutLAN(t *testing.T) {
	e := newOpenwrtEnv(t)
	stdout, errOut, err := e.runShell("sh", uci2toml(), nil)
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	m := decodeTOML(t, stdout)
	for k, want := range map[string]string{"socks.address": "127.0.0.1:4447", "httpproxy.address": "127.0.0.1:4444", "lan.allow": "[]"} {
		if got, _ := lookup(m, k); fmt.Sprint(got) != want {
			t.Errorf("%s = %v, want %s", k, got, want)
		}
	}
}

func TestUCI2TOMLRejects(t *testing.T) {
	tests := []struct{ option, value string }{
		{"socks_port", "70000"},
		{"dns_port", "53x"},
		{"port", ""},
		{"httpproxy_port", "123456"},
		{"bandwidth", "Z"},
		{"bandwidth", "0"},
		{"bandwidth", "12k"},
		{"loglevel", "loud"},
		{"floodfill", "maybe"},
		{"console_lan", "2"},
		{"automap_network", "10.0.0.0"},
		{"lan_allow", "anyone"},
		{"datadir", "relative/dir"},
		{"memory_limit", "lots"},
		{"memory_limit", "0"},
		{"storage_mode", "flash"},
		{"datadir", "/tmp/a\x01b"},
	}
	// OpenWrt's shell when there is one: each case forks a few dozen times.
	sh := shells(t)
	for _, tt := range tests {
		t.Run(tt.option+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			e := newOpenwrtEnv(t)
			e.set("i2pgate.main."+tt.option, tt.value)
			out := filepath.Join(e.dir, "i2pgate.toml")
			_, errOut, err := e.runShell(sh[len(sh)-1], uci2toml(), nil, out)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(errOut, tt.option) && !strings.Contains(errOut, "control character") {
				t.Errorf("message %q does not name %s", errOut, tt.option)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("output written despite the error")
			}
		})
	}
}

// TestUCI2TOMLKeysAreConfigKeys: every key the script writes is a key of
// configs/i2pgate.toml (the daemon's documented configuration), or one of
// pendingKeys. With a packaged binary for this machine the generated file is
// also loaded by the daemon's own configuration code.
func TestUCI2TOMLKeysAreConfigKeys(t *testing.T) {
	e := newOpenwrtEnv(t)
	stdout, errOut, err := e.runShell("sh", uci2toml(), []string{"LAN_IP=192.168.1.1", "LAN_SUBNET=192.168.1.0/24"})
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	generated := decodeTOML(t, stdout)
	known := make(map[string]bool)
	for _, k := range flatKeys(decodeTOML(t, string(readRepoFile(t, "configs/i2pgate.toml"))), "") {
		known[k] = true
	}
	for _, k := range flatKeys(generated, "") {
		switch {
		case known[k]:
		case pendingKeys[k]:
			t.Logf("%s: not in configs/i2pgate.toml yet (pending)", k)
		default:
			t.Errorf("%s is not a configuration key", k)
		}
	}

	bin, _ := hostBinary(t)
	if bin == "" {
		t.Log("no packaged binary for this machine: the daemon's own check is skipped")
		return
	}
	help, err := exec.Command(bin, "help").Output()
	if err != nil {
		t.Fatalf("i2pgate help: %v", err)
	}
	daemonKeys := make(map[string]bool)
	for _, f := range strings.Fields(string(help)) {
		daemonKeys[f] = true
	}
	for _, k := range flatKeys(generated, "") {
		if !daemonKeys[k] && pendingKeys[k] {
			t.Logf("%s: not a key of this binary yet, left out of the load check", k)
			sec, key, _ := strings.Cut(k, ".")
			delete(generated[sec].(map[string]any), key)
		}
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(generated); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "i2pgate.toml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	checkLoads(t, bin, path)
}

// checkLoads has the daemon load a configuration file: `i2pgate status`
// loads and validates it before it asks the console, which is pointed at a
// closed loopback port, so any "config:" error is the file's.
func checkLoads(t *testing.T, bin, path string) {
	t.Helper()
	out, _ := exec.Command(bin, "status", "--config", path, "--console.address=127.0.0.1:1").CombinedOutput()
	if bytes.Contains(out, []byte("config:")) {
		t.Errorf("i2pgate refuses %s: %s", path, out)
	}
}

// TestUCIDefaults runs the uci-defaults script: dnsmasq forwards .i2p to the
// i2pgate resolver and exempts .i2p from rebind protection, once however
// often the script runs.
func TestUCIDefaults(t *testing.T) {
	script := filepath.Join(repoRoot, openwrtFiles, "i2pgate.defaults")
	for _, sh := range shells(t) {
		t.Run(sh, func(t *testing.T) {
			e := newOpenwrtEnv(t)
			e.set("dhcp.@dnsmasq[0].server", "/lan/192.168.1.2")
			for range 2 {
				if _, errOut, err := e.runShell(sh, script, nil); err != nil {
					t.Fatalf("%v: %s", err, errOut)
				}
			}
			state, err := os.ReadFile(e.state)
			if err != nil {
				t.Fatal(err)
			}
			want := "dhcp.@dnsmasq[0].server\t/lan/192.168.1.2\n" +
				"dhcp.@dnsmasq[0].server\t/i2p/127.0.0.1#5353\n" +
				"dhcp.@dnsmasq[0].rebind_domain\ti2p\n"
			if string(state) != want {
				t.Errorf("UCI state\n%s\nwant\n%s", state, want)
			}
			commits, _ := os.ReadFile(e.state + ".commits")
			if string(commits) != "dhcp\ndhcp\n" {
				t.Errorf("commits %q", commits)
			}

			e2 := newOpenwrtEnv(t)
			e2.set("i2pgate.main.dns_port", "5300")
			if _, errOut, err := e2.runShell(sh, script, nil); err != nil {
				t.Fatalf("%v: %s", err, errOut)
			}
			if state, _ := os.ReadFile(e2.state); !strings.Contains(string(state), "/i2p/127.0.0.1#5300") {
				t.Errorf("dns_port ignored: %s", state)
			}
		})
	}
}
