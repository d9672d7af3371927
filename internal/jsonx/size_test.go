package jsonx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoMethodLookup guards the binary's size: reflect's Type.Method,
// Value.Method and MethodByName make the linker keep every exported method
// of every type (1.7 MB on mipsle when Type.Method slipped in here).
func TestNoMethodLookup(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{".Method(", ".MethodByName("} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s", f, bad)
			}
		}
	}
}
