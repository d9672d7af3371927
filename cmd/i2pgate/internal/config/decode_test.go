package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	bstoml "github.com/BurntSushi/toml"

	"i2pgate/cmd/i2pgate/internal/config/toml"
	"i2pgate/configs"
)

// decodeSeeds are the embedded default, the files in testdata (one of them
// what the OpenWrt UCI-to-TOML script writes) and short cases.
func decodeSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{configs.Default()}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.toml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for _, s := range []string{
		"", "netid = 99", "netid = \"two\"", "netid = 1.5", "netid = 9223372036854775807",
		"floodfill = 1", "[console]\nport = 1", "nosuch = 1\n[nosuch2]\nx = 1", "[[console]]",
		"[tunnels.x]\ntype = 'client'\nfoo = 1", "tunnels.x.port = 80", "[[tunnels.x]]", "tunnels = 1",
		"reseed.urls = []", "reseed.urls = [1]", "lan = { allow = ['10.0.0.0/8'] }", "datadir = 1979-05-27",
		"NetID = 5", "[Console]\naddress = ''", "[tunnels.x]\nInbound.length = 2",
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func TestDecodeSeeds(t *testing.T) {
	for _, s := range decodeSeeds(t) {
		decodeBoth(t, s)
	}
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(filepath.Join("testdata", "full.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.decode("full", full); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Port != 12345 || c.Reseed.Threshold != 90 || c.Reseed.CertsDir != "/usr/share/i2pd/certificates/reseed" ||
		c.Console.Password != `p"a's` || c.Limits.TransitTunnels != 500 || !c.NTCP2.Enabled ||
		c.Tunnels["irc 2"].DestinationPort != 6667 || c.Tunnels["site"].Outbound.Quantity != 3 ||
		len(c.Reseed.URLs) != 2 || c.Console.Address != "127.0.0.1:7070" {
		t.Errorf("full.toml decoded to %+v", c)
	}
}

// TestDecodeErrors checks the messages: line numbers, the key, every
// unknown key.
func TestDecodeErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"netid = \"two\"", `config: f: line 1: netid: expected an integer, found a string`},
		{"\n[ntcp2]\nport = true", `config: f: line 3: ntcp2.port: expected an integer, found a boolean`},
		{"[[console]]", `config: f: line 1: console: expected a table, found an array of tables`},
		{"[tunnels.x]\ninbound = 2", `config: f: line 2: tunnels.x.inbound: expected a table, found an integer`},
		{"lan.allow = ['a', 2]", `config: f: line 1: lan.allow: expected a string, found an integer`},
		{"a = 1\n[console]\nb = 2\n[x.y]", "config: f: line 1: unknown key \"a\"\n" +
			"config: f: line 3: unknown key \"console.b\"\nconfig: f: line 4: unknown key \"x\""},
		{"[tunnels.x]\nfoo = 1", `config: f: line 2: unknown key "tunnels.x.foo"`},
		{"netid = 2\nnetid = 3", `config: f: line 2: the key netid is defined twice`},
	} {
		c, _ := Default()
		err := c.decode("f", []byte(tt.text))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: error\n%v\nwant\n%s", tt.text, err, tt.want)
		}
	}
	c, _ := Default()
	if err := c.decode("f", []byte("x = 1")); !errors.Is(err, toml.ErrUnknownKey) {
		t.Errorf("unknown key error %v does not wrap toml.ErrUnknownKey", err)
	}
}

// decodeBoth lays text over the default with our reader and with
// BurntSushi/toml (what config used before) and compares the outcome.
func decodeBoth(t *testing.T, text []byte) {
	t.Helper()
	ours, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	oerr := ours.decode("fuzz", text)
	theirs, _ := Default()
	md, berr := bstoml.NewDecoder(bytes.NewReader(text)).Decode(theirs)
	if berr == nil && len(md.Undecoded()) > 0 {
		berr = errors.New("unknown keys")
	}
	switch {
	case oerr != nil && berr != nil:
	case oerr == nil && berr == nil:
		if !reflect.DeepEqual(ours, theirs) {
			t.Errorf("decoded differently\nours   %+v\ntheirs %+v\ninput: %q", ours, theirs, text)
		}
	case oerr != nil && (bsLenient(oerr) || bytes.HasPrefix(text, []byte("\xff\xfe")) || bytes.HasPrefix(text, []byte("\xfe\xff"))):
	case oerr != nil:
		t.Errorf("only we refuse: %v\ninput: %q", oerr, text)
	default:
		t.Errorf("only BurntSushi refuses: %v\ninput: %q", berr, text)
	}
}

// badOffset finds the offset in our error about a date-time.
var badOffset = regexp.MustCompile(`invalid date-time ".*[+-](\d\d):(\d\d)"$`)

// bsLenient is where BurntSushi/toml v1.6 accepts what we refuse on
// purpose: keys matched without regard to case (TOML keys are
// case-sensitive; the key contracts are lower case), a [[tunnels]] or
// tunnels = 1 silently ignored, and what the toml package's differential
// test lists (table redefinitions, offsets past 23:59, unbounded nesting, a
// UTF-16 byte order mark before UTF-8 text).
func bsLenient(err error) bool {
	for _, m := range []string{"cannot be added to", "is defined twice", "already defined by dotted keys",
		"cannot be defined again", "not a table a dotted key can add to", "not an array of tables",
		"nested more than", "parts", "tunnels: expected a table"} {
		if strings.Contains(err.Error(), m) {
			return true
		}
	}
	if m := badOffset.FindStringSubmatch(err.Error()); m != nil && (m[1] > "23" || m[2] > "59") {
		return true
	}
	var u *toml.UnknownKeyError
	if errors.As(err, &u) {
		return strings.ToLower(u.Key) != u.Key
	}
	return false
}

// FuzzDecode lays arbitrary text over the default configuration: it must
// never panic, and it must agree with BurntSushi/toml but where bsLenient
// says.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		decodeBoth(t, text)
	})
}
