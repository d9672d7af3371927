package packaging_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// shellScripts returns every shell script under firmware/ and packaging/:
// files whose first line is a #!/bin/sh (or bash) line.
func shellScripts(t *testing.T) []string {
	t.Helper()
	var scripts []string
	for _, dir := range []string{"firmware", "packaging"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "tools" || d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			first, _, _ := bytes.Cut(b, []byte("\n"))
			if bytes.HasPrefix(first, []byte("#!/bin/sh")) || bytes.HasPrefix(first, []byte("#!/usr/bin/env bash")) || bytes.HasPrefix(first, []byte("#!/bin/bash")) {
				scripts = append(scripts, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(scripts)
	return scripts
}

// TestShellScriptsKnown: the scripts the packages and the OpenWrt Makefile
// use are all found by shellScripts, so shellcheck sees each of them.
func TestShellScriptsKnown(t *testing.T) {
	want := []string{
		"firmware/openwrt/i2pgate/files/i2pgate-uci2toml.sh",
		"firmware/openwrt/i2pgate/files/i2pgate.defaults",
		"firmware/openwrt/i2pgate/files/i2pgate.init",
		"packaging/deb/postinst", "packaging/deb/postrm", "packaging/deb/prerm",
		"packaging/ipk/postinst", "packaging/ipk/prerm",
		"packaging/version.sh",
	}
	got := make(map[string]bool)
	for _, s := range shellScripts(t) {
		rel, _ := filepath.Rel(repoRoot, s)
		got[filepath.ToSlash(rel)] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("%s is not found as a shell script", w)
		}
	}
}

// TestShellcheck runs shellcheck on every shell script. The procd init script
// is a /etc/rc.common script: its directives disable SC2034 (START, STOP and
// USE_PROCD are read by rc.common) and SC3043 (OpenWrt's ash has `local`).
func TestShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck not installed (scripts/install-deps.sh installs it)")
	}
	for _, s := range shellScripts(t) {
		out, err := exec.Command(sc, "--norc", s).CombinedOutput()
		if err != nil {
			t.Errorf("shellcheck %s: %v\n%s", s, err, out)
		}
	}
}

// TestScriptsParseUnderBusybox: OpenWrt runs the scripts with busybox ash.
func TestScriptsParseUnderBusybox(t *testing.T) {
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox not installed (scripts/install-deps.sh installs it)")
	}
	for _, s := range shellScripts(t) {
		if out, err := exec.Command(bb, "sh", "-n", s).CombinedOutput(); err != nil {
			t.Errorf("busybox sh -n %s: %v\n%s", s, err, out)
		}
	}
}

// runVersionScript runs packaging/version.sh with a git description.
func runVersionScript(t *testing.T, desc string) string {
	t.Helper()
	out, err := exec.Command("sh", filepath.Join(repoRoot, "packaging", "version.sh"), desc).Output()
	if err != nil {
		t.Fatalf("version.sh %q: %v", desc, err)
	}
	return strings.TrimSpace(string(out))
}

func TestVersionScript(t *testing.T) {
	tests := []struct{ desc, want string }{
		{"v1.2.0", "1.2.0"},
		{"1.2.0", "1.2.0"},
		{"v1.2.0-5-gabc1234", "1.2.0+5.gabc1234"},
		{"v1.2.0-5-gabc1234-dirty", "1.2.0+5.gabc1234.dirty"},
		{"v1.3.0-rc1", "1.3.0~rc1"},
		{"v1.3.0-rc1-2-gabc1234", "1.3.0~rc1.2.gabc1234"},
		{"abc1234", "0.0.0+gitabc1234"},
		{"74d28e6-dirty", "0.0.0+git74d28e6.dirty"},
		{"1234567", "0.0.0+git1234567"},
		{"dev", "0.0.0+gitdev"},
	}
	for _, tt := range tests {
		if got := runVersionScript(t, tt.desc); got != tt.want {
			t.Errorf("version.sh %q = %q, want %q", tt.desc, got, tt.want)
		}
		if !debVersion.MatchString(tt.want + "-1") {
			t.Errorf("%q is not a package version", tt.want)
		}
	}
	// Without an argument: this checkout's description.
	out, err := exec.Command("sh", filepath.Join(repoRoot, "packaging", "version.sh")).Output()
	if err != nil || !debVersion.MatchString(strings.TrimSpace(string(out))+"-1") {
		t.Errorf("version.sh without argument: %q, %v", out, err)
	}
}

// TestVersionsOrder: the versions version.sh makes sort as dpkg must see them.
func TestVersionsOrder(t *testing.T) {
	dpkg, err := exec.LookPath("dpkg")
	if err != nil {
		t.Skip("dpkg not installed")
	}
	order := []string{"v1.2.0-rc1", "v1.2.0", "v1.2.0-3-gabc1234", "v1.2.0-3-gabc1234-dirty", "v1.10.0"}
	for i := 1; i < len(order); i++ {
		a, b := runVersionScript(t, order[i-1]), runVersionScript(t, order[i])
		if err := exec.Command(dpkg, "--compare-versions", a, "lt", b).Run(); err != nil {
			t.Errorf("dpkg does not order %s < %s", a, b)
		}
	}
}
