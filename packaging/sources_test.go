package packaging_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestFirewallInclude checks the fw4 include with `nft -c` inside a table
// and chain like fw4's dstnat chain (chain-pre files are rules, no table).
func TestFirewallInclude(t *testing.T) {
	rule := string(readRepoFile(t, filepath.Join(openwrtFiles, "i2pgate.nft")))
	for _, want := range []string{`iifname "br-lan"`, "ip daddr 10.192.0.0/10", "redirect to :7040"} {
		if !strings.Contains(rule, want) {
			t.Errorf("i2pgate.nft lacks %q", want)
		}
	}
	config := string(readRepoFile(t, filepath.Join(openwrtFiles, "i2pgate.config")))
	for _, want := range []string{"option automap_network '10.192.0.0/10'", "option transparent_port '7040'"} {
		if !strings.Contains(config, want) {
			t.Errorf("the nft include and /etc/config/i2pgate disagree: no %q", want)
		}
	}
	nft, err := exec.LookPath("nft")
	if err != nil {
		t.Skip("nft not installed (Debian package nftables)")
	}
	dir := t.TempDir()
	abs, err := filepath.Abs(filepath.Join(repoRoot, openwrtFiles, "i2pgate.nft"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(include string) ([]byte, error) {
		table := "table inet fw4 {\n\tchain dstnat {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tinclude \"" + include + "\"\n\t}\n}\n"
		path := filepath.Join(dir, "ruleset.nft")
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
		return exec.Command(nft, "-c", "-f", path).CombinedOutput()
	}
	// nft -c needs a netlink socket; where it is refused, say so and stop.
	bad := filepath.Join(dir, "bad.nft")
	if err := os.WriteFile(bad, []byte("ip daddr 10.192.0.0/10 meta l4proto tcp redirect to :70400\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := check(bad)
	if err == nil {
		t.Fatal("nft -c accepts a port out of range: it checks nothing here")
	}
	if !strings.Contains(string(out), "bad.nft") || !strings.Contains(string(out), "Error:") {
		t.Skipf("nft -c cannot run here: %s", out)
	}
	if out, err := check(abs); err != nil {
		t.Errorf("nft -c: %v\n%s", err, out)
	}
}

// openwrtInstalls lists the destinations Package/i2pgate/install of the
// OpenWrt Makefile installs files to, with their sources.
func openwrtInstalls(t *testing.T) map[string]string {
	t.Helper()
	mk := string(readRepoFile(t, "firmware/openwrt/i2pgate/Makefile"))
	// Continuation lines joined.
	mk = strings.ReplaceAll(mk, "\\\n", " ")
	re := regexp.MustCompile(`\$\((INSTALL_BIN|INSTALL_CONF|INSTALL_DATA)\)\s+(\S+)\s+\$\(1\)(\S+)`)
	out := make(map[string]string)
	for _, m := range re.FindAllStringSubmatch(mk, -1) {
		src := strings.Replace(m[2], "$(I2PGATE_SRC)/", "", 1)
		src = strings.Replace(src, "./files/", openwrtFiles+"/", 1)
		out[m[3]] = src
	}
	return out
}

// TestOpenWrtPackageMatchesIPK: the SDK package (firmware/openwrt) and the
// nfpm .ipk install the same files from the same sources.
func TestOpenWrtPackageMatchesIPK(t *testing.T) {
	installs := openwrtInstalls(t)
	for dst, spec := range ipkFiles {
		if dst == "/usr/bin/i2pgate" {
			continue // GoPackage/Package/Install/Bin
		}
		if src, ok := installs[dst]; !ok {
			t.Errorf("OpenWrt Makefile does not install %s", dst)
		} else if src != spec.src {
			t.Errorf("OpenWrt Makefile installs %s from %s, the ipk from %s", dst, src, spec.src)
		}
	}
	for dst := range installs {
		if _, ok := ipkFiles[dst]; !ok {
			t.Errorf("OpenWrt Makefile installs %s, the ipk does not", dst)
		}
	}
	mk := string(readRepoFile(t, "firmware/openwrt/i2pgate/Makefile"))
	for _, want := range []string{
		"GO_PKG:=i2pgate\n",
		"GO_PKG_BUILD_PKG:=i2pgate/cmd/i2pgate\n",
		"include ../../lang/golang/golang-package.mk\n",
		"USERID:=i2pgate:i2pgate\n",
		"GO_PKG_TARGET_VARS+=CGO_ENABLED=0\n",
		"$(eval $(call GoBinPackage,i2pgate))\n",
		"$(eval $(call BuildPackage,i2pgate))\n",
	} {
		if !strings.Contains(mk, want) {
			t.Errorf("OpenWrt Makefile lacks %q", want)
		}
	}
	conf := regexp.MustCompile(`(?s)define Package/i2pgate/conffiles\n(.*?)endef`).FindStringSubmatch(mk)
	if conf == nil {
		t.Fatal("OpenWrt Makefile has no conffiles")
	}
	got := strings.Fields(conf[1])
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(ipkConffiles, " ") {
		t.Errorf("OpenWrt conffiles %v, the ipk's %v", got, ipkConffiles)
	}
}

// TestNfpmConfigs: the nfpm configurations install what the package tests
// expect, from the sources they expect, and every source exists.
func TestNfpmConfigs(t *testing.T) {
	for _, c := range []struct {
		file      string
		files     map[string]fileSpec
		conffiles []string
		scripts   map[string]string
	}{
		{"packaging/nfpm-deb.yaml", debFiles, debConffiles, debScripts},
		{"packaging/nfpm-ipk.yaml", ipkFiles, ipkConffiles, ipkScripts},
	} {
		text := string(readRepoFile(t, c.file))
		entry := regexp.MustCompile(`(?m)^  - src: (\S+)\n    dst: (\S+)\n((?:    .*\n)*)`)
		seen := make(map[string]bool)
		for _, m := range entry.FindAllStringSubmatch(text, -1) {
			src, dst, rest := m[1], m[2], m[3]
			seen[dst] = true
			spec, ok := c.files[dst]
			if !ok {
				t.Errorf("%s installs %s, not expected by the package test", c.file, dst)
				continue
			}
			if spec.src != "" && src != spec.src {
				t.Errorf("%s: %s from %s, want %s", c.file, dst, src, spec.src)
			}
			if !strings.HasPrefix(src, "${") {
				if _, err := os.Stat(filepath.Join(repoRoot, src)); err != nil {
					t.Errorf("%s: %v", c.file, err)
				}
			}
			isConf := strings.Contains(rest, "type: config")
			if want := contains(c.conffiles, dst); isConf != want {
				t.Errorf("%s: %s conffile %v, want %v", c.file, dst, isConf, want)
			}
		}
		for dst := range c.files {
			if !seen[dst] {
				t.Errorf("%s does not install %s", c.file, dst)
			}
		}
		for _, src := range c.scripts {
			if !strings.Contains(text, ": "+src+"\n") {
				t.Errorf("%s does not use %s", c.file, src)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
