package packaging_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// initHarness sources the procd init script with the functions of
// /etc/rc.common, /lib/functions.sh and procd.sh replaced by stubs that log
// what they are asked to do, then runs one of its functions.
const initHarness = `set -e
log=$LOG
config_load() { :; }
config_get() {
	_v=$(uci -q get "i2pgate.$2.$3") || _v=$4
	eval "$1=\$_v"
}
config_get_bool() {
	config_get _b "$2" "$3" "$4"
	case $_b in
	1 | on | true | yes | enabled) _b=1 ;;
	0 | off | false | no | disabled) _b=0 ;;
	*) _b=$4 ;;
	esac
	eval "$1=\$_b"
}
config_list_foreach() {
	for _i in $(uci -q get "i2pgate.$1.$2"); do
		"$3" "$_i"
	done
}
procd_open_instance() { echo "open $*" >>"$log"; }
procd_set_param() { echo "set $*" >>"$log"; }
procd_append_param() { echo "append $*" >>"$log"; }
procd_close_instance() { echo "close" >>"$log"; }
procd_send_signal() { echo "signal $*" >>"$log"; }
procd_add_reload_trigger() { echo "trigger reload $*" >>"$log"; }
procd_add_interface_trigger() { echo "trigger interface $*" >>"$log"; }
user_exists() { [ "$1" = i2pgate ]; }
logger() { echo "logger $*" >>"$log"; }
chown() { echo "chown $*" >>"$log"; }
chgrp() { echo "chgrp $*" >>"$log"; }
stop() { echo "stop" >>"$log"; }
. "$INIT"
NETWORK_SH=$FAKE_NETWORK_SH
UCI2TOML=$FAKE_UCI2TOML
GENERATED=$OUT
"$@"
`

// initRun is one run of an init script function in the harness.
type initRun struct {
	log, out, data string
	err            error
	stderr         string
}

func runInit(t *testing.T, e *openwrtEnv, lanIP string, fn string) initRun {
	t.Helper()
	write := func(name, text string) string {
		p := filepath.Join(e.dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	network := write("network.sh", `network_get_ipaddr() { eval "$1=`+lanIP+`"; }
network_get_subnet() { [ -n "`+lanIP+`" ] && eval "$1=`+lanIP+`/24"; }
`)
	harness := write("harness.sh", initHarness)
	r := initRun{
		log:  filepath.Join(e.dir, "procd.log"),
		out:  filepath.Join(e.dir, "var", "etc", "i2pgate.toml"),
		data: filepath.Join(e.dir, "data"),
	}
	os.Remove(r.log)
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	env := []string{
		"LOG=" + r.log, "OUT=" + r.out,
		"INIT=" + abs(filepath.Join(repoRoot, openwrtFiles, "i2pgate.init")),
		"FAKE_NETWORK_SH=" + network,
		"FAKE_UCI2TOML=" + abs(uci2toml()),
	}
	sh := shells(t)
	_, r.stderr, r.err = e.runShell(sh[len(sh)-1], harness, env, fn)
	b, _ := os.ReadFile(r.log)
	r.log = string(b)
	return r
}

func TestInitStart(t *testing.T) {
	e := newOpenwrtEnv(t)
	data := filepath.Join(e.dir, "data")
	e.set("i2pgate.main.enabled", "1",
		"i2pgate.main.datadir", data,
		"i2pgate.main.memory_limit", "48",
		"i2pgate.main.option", "limits.transittunnels=200",
		"i2pgate.main.option", "bogus")
	r := runInit(t, e, "192.168.8.1", "start_service")
	if r.err != nil {
		t.Fatalf("start_service: %v: %s\n%s", r.err, r.stderr, r.log)
	}
	for _, want := range []string{
		"chgrp i2pgate " + r.out,
		"chown i2pgate:i2pgate " + data,
		"open main",
		"set command /usr/bin/i2pgate run --config " + r.out + " --datadir " + data,
		"append command --limits.transittunnels=200",
		"logger -t i2pgate -p daemon.warn ignoring option 'bogus': not section.key=value",
		"set respawn 3600 5 5",
		"set user i2pgate",
		"set group i2pgate",
		"set file " + r.out + " /etc/config/i2pgate",
		"close",
	} {
		if !strings.Contains(r.log, want+"\n") {
			t.Errorf("procd log lacks %q:\n%s", want, r.log)
		}
	}
	if fi, err := os.Stat(data); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("datadir: %v %v", fi, err)
	}
	b, err := os.ReadFile(r.out)
	if err != nil {
		t.Fatal(err)
	}
	m := decodeTOML(t, string(b))
	for k, want := range map[string]string{
		"socks.address":     "192.168.8.1:4447",
		"httpproxy.address": "192.168.8.1:4444",
		"lan.allow":         "[192.168.8.0/24]",
		"datadir":           data,
		"storage.mode":      "ram",
	} {
		if got, _ := lookup(m, k); toString(got) != want {
			t.Errorf("%s = %v, want %s", k, got, want)
		}
	}
	if got, _ := lookup(m, "limits.memory"); got != int64(48) {
		t.Errorf("limits.memory = %#v, want 48 (memory_limit)", got)
	}
}

// toString renders a decoded TOML string or array of strings: "s", "[a,b]".
func toString(v any) string {
	switch v := v.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = toString(p)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case string:
		return v
	}
	return ""
}

func TestInitDisabled(t *testing.T) {
	e := newOpenwrtEnv(t)
	e.set("i2pgate.main.enabled", "0")
	r := runInit(t, e, "192.168.8.1", "start_service")
	if r.err != nil || strings.Contains(r.log, "open") {
		t.Errorf("disabled service started: %v\n%s", r.err, r.log)
	}
	r = runInit(t, e, "192.168.8.1", "reload_service")
	if r.err != nil || !strings.Contains(r.log, "stop\n") {
		t.Errorf("reload of a disabled service did not stop it: %v\n%s", r.err, r.log)
	}
}

func TestInitUseTOML(t *testing.T) {
	e := newOpenwrtEnv(t)
	e.set("i2pgate.main.enabled", "1", "i2pgate.main.use_toml", "1",
		"i2pgate.main.datadir", filepath.Join(e.dir, "data"))
	r := runInit(t, e, "192.168.8.1", "start_service")
	if r.err != nil {
		t.Fatalf("%v: %s", r.err, r.stderr)
	}
	if !strings.Contains(r.log, "--config /etc/i2pgate/i2pgate.toml ") {
		t.Errorf("use_toml ignored:\n%s", r.log)
	}
	if _, err := os.Stat(r.out); err == nil {
		t.Error("TOML written although use_toml is set")
	}
}

// TestInitWithoutLANAddress: before the LAN is up the front-ends listen on
// loopback, and the log says why.
func TestInitWithoutLANAddress(t *testing.T) {
	e := newOpenwrtEnv(t)
	e.set("i2pgate.main.enabled", "1", "i2pgate.main.datadir", filepath.Join(e.dir, "data"))
	r := runInit(t, e, "", "start_service")
	if r.err != nil {
		t.Fatalf("%v: %s", r.err, r.stderr)
	}
	if !strings.Contains(r.log, "has no IPv4 address yet") {
		t.Errorf("no warning:\n%s", r.log)
	}
	b, _ := os.ReadFile(r.out)
	if got, _ := lookup(decodeTOML(t, string(b)), "socks.address"); got != "127.0.0.1:4447" {
		t.Errorf("socks.address = %v", got)
	}
}

func TestInitBadSettingStopsStart(t *testing.T) {
	e := newOpenwrtEnv(t)
	e.set("i2pgate.main.enabled", "1", "i2pgate.main.socks_port", "99999",
		"i2pgate.main.datadir", filepath.Join(e.dir, "data"))
	r := runInit(t, e, "192.168.8.1", "start_service")
	if r.err == nil || strings.Contains(r.log, "open") {
		t.Errorf("started with a bad port: %v\n%s", r.err, r.log)
	}
	if !strings.Contains(r.stderr, "socks_port") {
		t.Errorf("stderr %q does not name the option", r.stderr)
	}
}

func TestInitReloadAndTriggers(t *testing.T) {
	e := newOpenwrtEnv(t)
	e.set("i2pgate.main.enabled", "1", "i2pgate.main.lan_network", "guest")
	r := runInit(t, e, "192.168.8.1", "reload_service")
	if r.err != nil {
		t.Fatalf("%v: %s", r.err, r.stderr)
	}
	if !strings.Contains(r.log, "signal i2pgate main HUP\n") {
		t.Errorf("reload sends no SIGHUP:\n%s", r.log)
	}
	if _, err := os.Stat(r.out); err != nil {
		t.Errorf("reload did not rewrite the TOML: %v", err)
	}
	r = runInit(t, e, "192.168.8.1", "service_triggers")
	for _, want := range []string{
		"trigger reload i2pgate\n",
		"trigger interface interface.*.up guest /etc/init.d/i2pgate restart\n",
	} {
		if r.err != nil || !strings.Contains(r.log, want) {
			t.Errorf("triggers lack %q: %v\n%s", want, r.err, r.log)
		}
	}
}
