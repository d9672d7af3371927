package router_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// layers maps each package of router/** (by longest prefix) to its layer, as in
// ARCHITECTURE.md. A package may import i2pgate packages of lower layers, and on its
// own layer only packages of its own component (the table entry it falls under:
// router/transport/ntcp2 -> router/transport, router/tunnel/pool ->
// router/tunnel/build); components on one layer never import each other.
var layers = map[string]int{
	"i2pgate/router/crypto":      0,
	"i2pgate/router/clock":       0,
	"i2pgate/router/netx":        0,
	"i2pgate/router/store":       0,
	"i2pgate/router/data":        1,
	"i2pgate/router/i2np":        2,
	"i2pgate/router/i2cp":        2,
	"i2pgate/router/transport":   3,
	"i2pgate/router/netdb":       4,
	"i2pgate/router/tunnel":      4,
	"i2pgate/router/garlic":      4,
	"i2pgate/router/destination": 5,
	"i2pgate/router/streaming":   5,
	"i2pgate/router/naming":      5,
	"i2pgate/router/datagram":    5,
	"i2pgate/router":             6,
	"i2pgate/router/routertest":  7,
}

// onlyImporter names the single package allowed to import a module.
var onlyImporter = map[string]string{
	"go.etcd.io/bbolt": "i2pgate/router/store",
}

func layerOf(pkg string) (int, bool) {
	_, layer, ok := componentOf(pkg)
	return layer, ok
}

// componentOf returns the table entry pkg falls under and its layer.
func componentOf(pkg string) (string, int, bool) {
	best, layer := "", 0
	for prefix, l := range layers {
		// The root package's entry covers only itself.
		sub := prefix != "i2pgate/router" && strings.HasPrefix(pkg, prefix+"/")
		if (pkg == prefix || sub) && len(prefix) > len(best) {
			best, layer = prefix, l
		}
	}
	return best, layer, best != ""
}

// listImports runs go list over the pattern and returns package -> imports.
func listImports(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", pattern).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			pkgs[f[0]] = f[1:]
		}
	}
	return pkgs
}

// sameComponent reports whether a and b fall under the same table entry.
func sameComponent(a, b string) bool {
	ca, _, _ := componentOf(a)
	cb, _, _ := componentOf(b)
	return ca != "" && ca == cb
}

func TestImportLayers(t *testing.T) {
	pkgs := listImports(t, "i2pgate/router/...")
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, pkg := range names {
		own, ok := layerOf(pkg)
		if !ok {
			t.Errorf("%s: not in the layer table of deps_test.go", pkg)
			continue
		}
		for _, imp := range pkgs[pkg] {
			if only, ok := onlyImporter[modulePrefix(imp)]; ok && only != pkg {
				t.Errorf("%s imports %s; only %s may", pkg, imp, only)
			}
			if strings.HasPrefix(imp, "i2pgate/gateway") || strings.HasPrefix(imp, "i2pgate/cmd") {
				t.Errorf("%s imports %s: router/** never imports gateway/ or cmd/", pkg, imp)
				continue
			}
			if !strings.HasPrefix(imp, "i2pgate/router") {
				continue
			}
			l, ok := layerOf(imp)
			switch {
			case !ok:
				t.Errorf("%s imports %s, which is not in the layer table", pkg, imp)
			case l > own:
				t.Errorf("%s (layer %d) imports %s (layer %d): lower layers never import higher ones", pkg, own, imp, l)
			case l == own && !sameComponent(imp, pkg):
				t.Errorf("%s imports %s on its own layer %d: components on one layer never import each other", pkg, imp, own)
			}
		}
	}
}

func modulePrefix(imp string) string {
	for m := range onlyImporter {
		if imp == m || strings.HasPrefix(imp, m+"/") {
			return m
		}
	}
	return imp
}

func TestLayerOf(t *testing.T) {
	for pkg, want := range map[string]int{
		"i2pgate/router/crypto/noise":          0,
		"i2pgate/router/transport/ntcp2":       3,
		"i2pgate/router":                       6,
		"i2pgate/router/routertest":            7,
		"i2pgate/router/netx/memnet":           0,
		"i2pgate/router/datastore/nonexistent": -1,
		"i2pgate/router/tunnel/pool":           4,
	} {
		got, ok := layerOf(pkg)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("layerOf(%s) = %d, want %d", pkg, got, want)
		}
	}
}

func TestSameComponent(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"i2pgate/router/tunnel/pool", "i2pgate/router/tunnel/build", true},
		{"i2pgate/router/transport/ntcp2", "i2pgate/router/transport", true},
		{"i2pgate/router/tunnel", "i2pgate/router/garlic", false},
		{"i2pgate/router/netdb/reseed", "i2pgate/router/tunnel", false},
		{"i2pgate/router/crypto/noise", "i2pgate/router/clock", false},
	} {
		if got := sameComponent(tt.a, tt.b); got != tt.want {
			t.Errorf("sameComponent(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}
