package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatalf("embedded default: %v", err)
	}
	if c.NetID != 2 || !c.ReservedRange || c.Floodfill || !c.NTCP2.Enabled {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if c.Console.Address != "127.0.0.1:7070" || c.HTTPProxy.Address != "127.0.0.1:4444" ||
		c.Socks.Address != "127.0.0.1:4447" || c.DNS.Address != "127.0.0.1:5353" {
		t.Errorf("listener defaults: %+v %+v %+v %+v", c.Console, c.HTTPProxy, c.Socks, c.DNS)
	}
	if len(c.Reseed.URLs) == 0 {
		t.Error("no default reseed URLs")
	}
}

// The contract keys of the configuration: scripts depend on them.
func TestContractKeys(t *testing.T) {
	have := map[string]bool{}
	for _, k := range Keys() {
		have[k] = true
	}
	for _, k := range []string{"datadir", "netid", "host", "port", "reservedrange", "floodfill",
		"bandwidth", "loglevel", "ntcp2.enabled", "ntcp2.port", "ssu2.enabled", "reseed.urls",
		"reseed.file", "console.address", "httpproxy.address", "socks.address", "dns.address"} {
		if !have[k] {
			t.Errorf("key %q missing", k)
		}
	}
}

func TestOverrides(t *testing.T) {
	c, err := Load("", []string{
		"--datadir=/tmp/x", "--netid=99", "--host=198.18.0.101", "--port=12345",
		"--reservedrange=false", "--floodfill", "--bandwidth=P", "--loglevel=debug",
		"--ntcp2.port=23456", "--ntcp2.enabled=true", "--ssu2.enabled=false",
		"--reseed.urls=", "--reseed.file=/tmp/seed.zip", "--reseed.threshold=5", "--reseed.certsdir=/c",
		"--console.address=198.18.0.101:7070",
		"--socks.address=", "--dns.address=127.0.0.1:53",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		DataDir: "/tmp/x", NetID: 99, Host: "198.18.0.101", Port: 12345, ReservedRange: false,
		Floodfill: true, Bandwidth: "P", LogLevel: "debug",
		NTCP2:     NTCP2{Enabled: true, Port: 23456},
		Reseed:    Reseed{URLs: []string{}, File: "/tmp/seed.zip", Threshold: 5, CertsDir: "/c", Command: []string{}},
		Console:   Console{Address: "198.18.0.101:7070"},
		HTTPProxy: HTTPProxy{Address: "127.0.0.1:4444"},
		Socks:     Socks{Isolation: "none"},
		DNS:       Listener{"127.0.0.1:53"},
		Automap:   Automap{Network: "10.192.0.0/10"},
		LAN:       LAN{Allow: []string{}},
		AddressBook: AddressBook{Subscriptions: []string{"http://reg.i2p/hosts.txt",
			"http://identiguy.i2p/hosts.txt", "http://stats.i2p/cgi-bin/newhosts.txt"}, InitialDelay: 180},
		Limits:  Limits{TransitTunnels: 1000, Memory: 96},
		Storage: Storage{Mode: "disk"},
		Clock:   Clock{SNTP: []string{}},
	}
	if !reflect.DeepEqual(*c, want) {
		t.Errorf("got  %+v\nwant %+v", *c, want)
	}
}

func TestFileOverDefault(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.toml")
	text := "netid = 99\nfloodfill = true\n[reseed]\nurls = []\nfile = \"seed.zip\"\n"
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p, []string{"--netid=7"})
	if err != nil {
		t.Fatal(err)
	}
	if c.NetID != 7 || !c.Floodfill || len(c.Reseed.URLs) != 0 || c.Reseed.File != "seed.zip" {
		t.Errorf("got %+v", c)
	}
	if c.Console.Address != "127.0.0.1:7070" {
		t.Errorf("default lost: %q", c.Console.Address)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	n := 0
	write := func(text string) string {
		n++
		p := filepath.Join(dir, fmt.Sprintf("bad%d.toml", n))
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, file string
		args       []string
		want       string
	}{
		{"unknown flag", "", []string{"--nosuch=1"}, `unknown key "nosuch"`},
		{"unknown nested flag", "", []string{"--ntcp2.nosuch=1"}, `unknown key "ntcp2.nosuch"`},
		{"section as key", "", []string{"--ntcp2=1"}, `"ntcp2" is a section`},
		{"bad int", "", []string{"--netid=abc"}, "netid"},
		{"netid range", "", []string{"--netid=300"}, "netid"},
		{"bad bool", "", []string{"--floodfill=maybe"}, "floodfill"},
		{"bare string", "", []string{"--host"}, "host"},
		{"bad host", "", []string{"--host=example.org"}, "host"},
		{"bad port", "", []string{"--port=70000"}, "port"},
		{"bad bandwidth", "", []string{"--bandwidth=fast"}, "bandwidth"},
		{"bad loglevel", "", []string{"--loglevel=loud"}, "loglevel"},
		{"bad listen", "", []string{"--console.address=7070"}, "console.address"},
		{"bad reseed url", "", []string{"--reseed.urls=ftp://x/"}, "reseed.urls"},
		{"relative reseed command", "", []string{"--reseed.command=bin/curl,-s"}, "reseed.command"},
		{"empty reseed program", write("[reseed]\ncommand = [\"\", \"-s\"]\n"), nil, "reseed.command"},
		{"not a flag", "", []string{"netid=3"}, "--key=value"},
		{"unknown file key", write("nosuch = 1\n"), nil, `unknown key "nosuch"`},
		{"unknown file section key", write("[console]\nport = 1\n"), nil, `unknown key "console.port"`},
		{"wrong type in file", write("netid = \"two\"\n"), nil, "netid"},
		{"syntax error", write("netid = = 2\n"), nil, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.file, tt.args)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestReseedCommand(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(p, []byte("[reseed]\ncommand = [\"/usr/bin/curl\", \"-fsSL\", \"--max-time\", \"60\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/usr/bin/curl", "-fsSL", "--max-time", "60"}; !reflect.DeepEqual(c.Reseed.Command, want) {
		t.Fatalf("command %q", c.Reseed.Command)
	}
	if c, err := Load("", []string{"--reseed.command=wget,-q"}); err != nil || !reflect.DeepEqual(c.Reseed.Command, []string{"wget", "-q"}) {
		t.Fatalf("override: %v %v", c, err)
	}
}

func TestBandwidth(t *testing.T) {
	for _, tt := range []struct {
		in   string
		kbps int
		cls  byte
	}{{"K", 12, 'K'}, {"L", 48, 'L'}, {"o", 256, 'O'}, {"P", 2000, 'P'}, {"X", 4096, 'X'}, {"100", 100, 'N'}, {"5000", 5000, 'X'}} {
		n, err := BandwidthKBps(tt.in)
		if err != nil || n != tt.kbps || BandwidthClass(n) != tt.cls {
			t.Errorf("%q: %d %c %v, want %d %c", tt.in, n, BandwidthClass(n), err, tt.kbps, tt.cls)
		}
	}
}

func TestTunnelsSections(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.toml")
	text := `
[tunnels.site]
type = "http"
host = "127.0.0.1"
port = 8080
keys = "site.dat"
inbound.length = 2
outbound.quantity = 3

[tunnels.irc]
type = "client"
address = "127.0.0.1"
port = 6668
destination = "irc.postman.i2p"
destinationport = 6667
`
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	site, irc := c.Tunnels["site"], c.Tunnels["irc"]
	if site.Type != "http" || site.Port != 8080 || site.Keys != "site.dat" || site.Inbound.Length != 2 || site.Outbound.Quantity != 3 {
		t.Fatalf("site %+v", site)
	}
	if irc.Destination != "irc.postman.i2p" || irc.DestinationPort != 6667 || irc.Port != 6668 {
		t.Fatalf("irc %+v", irc)
	}
	for _, bad := range []struct{ text, key string }{
		{"[tunnels.x]\ntype = \"tcp\"\n", "tunnels.x.type"},
		{"[tunnels.x]\ntype = \"client\"\nport = 1\n", "tunnels.x.destination"},
		{"[tunnels.x]\ntype = \"server\"\nhost = \"h\"\nport = 1\nkeys = \"../k\"\n", "tunnels.x.keys"},
		{"[tunnels.x]\ntype = \"server\"\nhost = \"h\"\nport = 1\nkeys = \"k\"\ninbound.length = 9\n", "tunnels.x.inbound.length"},
		{"[tunnels.x]\ntype = \"client\"\nfoo = 1\n", "tunnels.x.foo"},
		{"[automap]\nnetwork = \"fd00::/8\"\n", "automap.network"},
		{"[lan]\nallow = [\"nonsense\"]\n", "lan.allow"},
		{"[socks]\nisolation = \"per-user\"\n", "socks.isolation"},
		{"[httpproxy]\noutproxy = \"example.com:80\"\n", "httpproxy.outproxy"},
	} {
		if err := os.WriteFile(p, []byte(bad.text), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(p, nil)
		if err == nil || !strings.Contains(err.Error(), bad.key) {
			t.Errorf("%q: error %v does not name %s", bad.text, err, bad.key)
		}
	}
}

func TestChanged(t *testing.T) {
	a, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Default()
	if got := Changed(a, b); len(got) != 0 {
		t.Fatalf("defaults differ: %v", got)
	}
	a.LAN.Allow, b.LAN.Allow = nil, []string{}
	b.Port = a.Port + 1
	b.Limits.Memory = 64
	b.AddressBook.Subscriptions = append([]string{"http://x.i2p/hosts.txt"}, b.AddressBook.Subscriptions...)
	b.Tunnels = map[string]Tunnel{"x": {Type: "client"}}
	want := []string{"addressbook.subscriptions", "limits.memory", "port"}
	if got := Changed(a, b); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("Changed = %v, want %v", got, want)
	}
}

func TestClockSNTP(t *testing.T) {
	c, err := Load("", []string{"--clock.sntp=pool.ntp.org,127.0.0.1:1123,[::1]:123"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"pool.ntp.org", "127.0.0.1:1123", "[::1]:123"}; !reflect.DeepEqual(c.Clock.SNTP, want) {
		t.Errorf("clock.sntp = %q, want %q", c.Clock.SNTP, want)
	}
	def, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(def.Clock.SNTP) != 0 {
		t.Errorf("the default asks SNTP servers: %q", def.Clock.SNTP)
	}
	for _, bad := range []string{"host:0", "host:x", ":123", "a b"} {
		if _, err := Load("", []string{"--clock.sntp=" + bad}); err == nil || !strings.Contains(err.Error(), "clock.sntp") {
			t.Errorf("clock.sntp=%q: err %v", bad, err)
		}
	}
}
