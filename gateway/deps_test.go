package gateway_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The LAN front-ends import no router/** package: they declare the small interfaces
// they need (Dialer, Resolver) and cmd/i2pgate hands them a *router.Router. Sibling
// front-ends do not import each other; a package may import its own ancestors.
func TestGatewayImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "i2pgate/gateway/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pkg := f[0]
		for _, imp := range f[1:] {
			switch {
			case strings.HasPrefix(imp, "i2pgate/router"), strings.HasPrefix(imp, "i2pgate/cmd"):
				t.Errorf("%s imports %s: gateway/ never imports router/** or cmd/", pkg, imp)
			case imp == "go.etcd.io/bbolt" || strings.HasPrefix(imp, "go.etcd.io/bbolt/"):
				t.Errorf("%s imports %s: only router/store uses bbolt", pkg, imp)
			case imp == "html/template" || imp == "text/template":
				t.Errorf("%s imports %s: its reflective method lookup keeps every exported method in the binary (2.7 MB on mipsle); pages are written by hand", pkg, imp)
			case strings.HasPrefix(imp, "i2pgate/gateway/internal/"):
				// Helpers the front-ends share (page markup).
			case strings.HasPrefix(imp, "i2pgate/gateway/") && !strings.HasPrefix(pkg, imp+"/"):
				t.Errorf("%s imports its sibling %s", pkg, imp)
			}
		}
	}
}
