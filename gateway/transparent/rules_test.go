package transparent

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const goldenPath = "../../configs/nftables-i2pgate.nft"

// The shipped example is the generator's output for the defaults.
func TestRulesGolden(t *testing.T) {
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := Rules(DefaultRulesConfig()); got != string(want) {
		t.Errorf("Rules(defaults) differs from %s:\n%s", goldenPath, got)
	}
}

func TestRulesIPv6(t *testing.T) {
	got := Rules(RulesConfig{Network4: "10.192.0.0/10", Network6: "fd00:1:2:3::1/64", LANInterface: "eth1", Port: 9040})
	for _, line := range []string{
		`iifname "eth1" ip daddr 10.192.0.0/10 tcp dport 1-65535 redirect to :9040`,
		`iifname "eth1" ip6 daddr fd00:1:2:3::/64 tcp dport 1-65535 redirect to :9040`,
		`iifname "eth1" ip6 daddr fd00:1:2:3::/64 reject`,
	} {
		if !strings.Contains(got, "\t\t"+line+"\n") {
			t.Errorf("missing %q in\n%s", line, got)
		}
	}
	only6 := Rules(RulesConfig{Network6: "fd00::/8", LANInterface: "br-lan", Port: 7040})
	if strings.Contains(only6, " ip daddr") || !strings.Contains(only6, "ip6 daddr fd00::/8 tcp") {
		t.Errorf("IPv6-only rules:\n%s", only6)
	}
}

func TestRulesInvalid(t *testing.T) {
	tests := []RulesConfig{
		{LANInterface: "br-lan", Port: 7040},
		{Network4: "fd00::/8", LANInterface: "br-lan", Port: 7040},
		{Network4: "10.0.0.0/33", LANInterface: "br-lan", Port: 7040},
		{Network6: "10.0.0.0/8", LANInterface: "br-lan", Port: 7040},
		{Network6: "::ffff:10.0.0.0/104", LANInterface: "br-lan", Port: 7040},
		{Network4: "10.192.0.0/10", LANInterface: "", Port: 7040},
		{Network4: "10.192.0.0/10", LANInterface: `lan" accept; #`, Port: 7040},
		{Network4: "10.192.0.0/10", LANInterface: "a-very-long-interface", Port: 7040},
		{Network4: "10.192.0.0/10\ntable ip x {}", LANInterface: "br-lan", Port: 7040},
		{Network4: "10.192.0.0/10", LANInterface: "br-lan"},
	}
	for _, c := range tests {
		if c.Validate() == nil {
			t.Errorf("Validate(%+v) passed", c)
		}
		got := Rules(c)
		if strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "# ") {
			t.Errorf("Rules(%+v) = %q, want one comment line", c, got)
		}
	}
}

// nft -c checks a ruleset against the kernel without loading it; it needs nft and
// CAP_NET_ADMIN.
func TestRulesNftCheck(t *testing.T) {
	nft, err := exec.LookPath("nft")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nft", "/sbin/nft"} {
			if _, err := os.Stat(p); err == nil {
				nft = p
			}
		}
	}
	if nft == "" {
		t.Skip("nft is not installed")
	}
	probe := filepath.Join(t.TempDir(), "probe.nft")
	os.WriteFile(probe, []byte("table inet i2pgate_probe\n"), 0o644)
	if out, err := exec.Command(nft, "-c", "-f", probe).CombinedOutput(); err != nil {
		t.Skipf("nft -c unavailable (needs root/CAP_NET_ADMIN and nf_tables): %v: %s", err, out)
	}
	for _, c := range []RulesConfig{
		DefaultRulesConfig(),
		{Network4: "10.192.0.0/10", Network6: "fd49:3250::/32", LANInterface: "br-lan", Port: 7040},
	} {
		f := filepath.Join(t.TempDir(), "rules.nft")
		os.WriteFile(f, []byte(Rules(c)), 0o644)
		if out, err := exec.Command(nft, "-c", "-f", f).CombinedOutput(); err != nil {
			t.Errorf("nft -c %+v: %v: %s", c, err, out)
		}
	}
	if out, err := exec.Command(nft, "-c", "-f", goldenPath).CombinedOutput(); err != nil {
		t.Errorf("nft -c %s: %v: %s", goldenPath, err, out)
	}
}
