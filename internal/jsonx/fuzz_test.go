package jsonx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"i2pgate/internal/jsonx"
	"i2pgate/router"
)

var fuzzSeeds = []string{
	`null`, `{"router_hash":"abc","netid":2,"destinations":[{"name":"x","streams":1}],"memory":{"heap_bytes":1}}`,
	`{"a":[1,2,{"b":null}],"c":"\ud834\udd1e\u003c"}`, `[1e400]`, `"\xff"`, `[[[[[]]]]]`, `{"a":1,"a":"x"}`,
	`-0.0e-0`, `"\ud800\udc00\udbff\udfff"`, ` { } `,
}

// FuzzUnmarshal checks that no input makes Unmarshal or Fields panic.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var st router.Status
		jsonx.Unmarshal(data, &st)
		var k target
		jsonx.Unmarshal(data, &k)
		var m map[string]any
		jsonx.Unmarshal(data, &m)
		var a []*int
		jsonx.Unmarshal(data, &a)
		jsonx.Fields(data)
	})
}

// FuzzDifferential checks jsonx against encoding/json: it accepts what
// encoding/json accepts (unless nested deeper than its limit) and nothing
// more, reads the same values, lists the same members, and writes the same
// bytes for what it read.
func FuzzDifferential(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want, got any
		werr := json.Unmarshal(data, &want)
		gerr := jsonx.Unmarshal(data, &got)
		switch {
		case werr != nil && gerr == nil:
			t.Fatalf("%q: jsonx accepts what encoding/json refuses (%v)", data, werr)
		case werr == nil && gerr != nil && !errors.Is(gerr, jsonx.ErrDepth):
			t.Fatalf("%q: jsonx refuses what encoding/json accepts: %v", data, gerr)
		case werr != nil || gerr != nil:
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %#v\nwant %#v", data, got, want)
		}

		wb, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		gb, err := jsonx.Marshal(got)
		if err != nil || !bytes.Equal(gb, wb) {
			t.Fatalf("%q: Marshal %s %v, want %s", data, gb, err, wb)
		}
		wi, _ := json.MarshalIndent(want, "> ", "\t")
		gi, err := jsonx.MarshalIndent(got, "> ", "\t")
		if err != nil || !bytes.Equal(gi, wi) {
			t.Fatalf("%q: MarshalIndent %s %v, want %s", data, gi, err, wi)
		}

		var wf map[string]json.RawMessage
		ferr := json.Unmarshal(data, &wf)
		gf, err := jsonx.Fields(data)
		if (ferr == nil) != (err == nil) {
			t.Fatalf("%q: Fields %v, encoding/json %v", data, err, ferr)
		}
		for k, v := range wf {
			var c bytes.Buffer
			json.Compact(&c, v)
			if !bytes.Equal(gf[k], c.Bytes()) {
				t.Fatalf("%q: member %q is %s, want %s", data, k, gf[k], c.Bytes())
			}
		}
		if len(gf) != len(wf) {
			t.Fatalf("%q: %d members, want %d", data, len(gf), len(wf))
		}
	})
}
