package toml

import (
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// tomlTestOnlyV10 are the toml-test cases whose verdict TOML v1.1 changed:
// this reader follows v1.1 there, as BurntSushi/toml does.
var tomlTestOnlyV10 = []string{
	"valid/spec-1.0.0/", "invalid/spec-1.0.0/",
	"invalid/datetime/no-secs", "invalid/local-time/no-secs", "invalid/local-datetime/no-secs",
	"invalid/string/basic-byte-escapes", "invalid/inline-table/trailing-comma",
	"invalid/inline-table/linebreak-0",
}

// TestTOMLTestSuite runs the toml-test suite (github.com/toml-lang/toml-test)
// that github.com/BurntSushi/toml ships in its module: every valid document
// must parse to the expected values, every invalid one must be refused.
func TestTOMLTestSuite(t *testing.T) {
	// TOMLTEST_DIR may name another copy of the suite's tests directory.
	dir := os.Getenv("TOMLTEST_DIR")
	if dir == "" {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/BurntSushi/toml").Output()
		if err != nil || strings.TrimSpace(string(out)) == "" {
			// go.mod requires the module and the differential tests import it.
			t.Fatalf("BurntSushi/toml module not found: %v", err)
		}
		dir = filepath.Join(strings.TrimSpace(string(out)), "internal", "toml-test", "tests")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("no toml-test suite: %v", err)
	}
	n := 0
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".toml") || filepath.Dir(path) == dir {
			return err
		}
		rel := filepath.ToSlash(strings.TrimSuffix(path[len(dir)+1:], ".toml"))
		for _, skip := range tomlTestOnlyV10 {
			if strings.HasPrefix(rel, skip) {
				return nil
			}
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		got, perr := parseAny(text)
		if strings.HasPrefix(rel, "invalid/") {
			if perr == nil {
				t.Errorf("%s: accepted\n%s", rel, text)
			}
			return nil
		}
		if perr != nil {
			t.Errorf("%s: %v\n%s", rel, perr, text)
			return nil
		}
		js, err := os.ReadFile(strings.TrimSuffix(path, ".toml") + ".json")
		if err != nil {
			return err
		}
		var want any
		if err := json.Unmarshal(js, &want); err != nil {
			return err
		}
		if err := sameTree(got, untag(t, want), rel); err != nil {
			t.Errorf("%v\n%s", err, text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d documents", n)
}

// untag turns toml-test's {"type": T, "value": V} JSON into the values
// toAny makes.
func untag(t *testing.T, j any) any {
	switch j := j.(type) {
	case []any:
		out := make([]any, len(j))
		for i, e := range j {
			out[i] = untag(t, e)
		}
		return out
	case map[string]any:
		typ, ok1 := j["type"].(string)
		val, ok2 := j["value"].(string)
		if len(j) == 2 && ok1 && ok2 {
			return scalar(t, typ, val)
		}
		out := make(map[string]any, len(j))
		for k, e := range j {
			out[k] = untag(t, e)
		}
		return out
	}
	t.Fatalf("unexpected JSON %T", j)
	return nil
}

func scalar(t *testing.T, typ, val string) any {
	switch typ {
	case "string":
		return val
	case "integer":
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	case "float":
		switch val {
		case "nan", "+nan", "-nan":
			return math.NaN()
		}
		f, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatal(err)
		}
		return f
	case "bool":
		return val == "true"
	case "datetime", "datetime-local", "date-local", "time-local":
		d, ok := parseDatetime(val)
		if !ok {
			t.Fatalf("bad expected date-time %q", val)
		}
		return d
	}
	t.Fatalf("unknown type %q", typ)
	return nil
}
