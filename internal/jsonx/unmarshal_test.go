package jsonx_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"i2pgate/internal/jsonx"
)

func TestUnmarshalAny(t *testing.T) {
	for _, in := range []string{
		`null`, `true`, `false`, ` 0 `, `-0`, `1.5e3`, `-1E-2`, `1e+2`, `123456789012345678901234567890`,
		`""`, `"a\"\\\/\b\f\n\r\t\u0041\u00e9\u2028"`, `"\ud834\udd1e"`, `"\ud834"`, `"\udd1e"`, `"\ud834\u0041"`,
		`"\ud834\ud834\udd1e"`, `"\ud834x"`, "\"\xff\xfe\"", "\"\xed\xa0\x80\"", `"é☃"`,
		`[]`, `{}`, `[1,[2,[3]],{"a":[]}]`, `{"a":1,"a":2}`, "\t{ \"a\" :\n[ true , null ] }\r\n",
		`{"":{"":{}}}`, `1e-400`,
	} {
		var want, got any
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("%s: encoding/json: %v", in, err)
		}
		if err := jsonx.Unmarshal([]byte(in), &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v %v, want %#v", in, got, err, want)
		}
	}
}

func TestUnmarshalSyntaxErrors(t *testing.T) {
	for _, in := range []string{
		``, ` `, `nul`, `nulll`, `True`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x1`, `NaN`, `Infinity`,
		`"`, `"abc`, "\"a\nb\"", "\"\x00\"", `"\x"`, `"\u12"`, `"\u12g4"`, `"\'"`, `[`, `[1`, `[1,]`, `[,1]`,
		`{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{a:1}`, `{'a':1}`, `{"a" 1}`, `[1 2]`, `1 2`, `{}x`, `/**/1`,
		"\u00a01", "\v1",
	} {
		var json1 any
		if json.Unmarshal([]byte(in), &json1) == nil {
			t.Fatalf("%q: encoding/json accepts it", in)
		}
		var got any
		if err := jsonx.Unmarshal([]byte(in), &got); !errors.Is(err, jsonx.ErrSyntax) {
			t.Errorf("%q: %v, want a syntax error", in, err)
		}
	}
}

func TestUnmarshalDepth(t *testing.T) {
	ok := strings.Repeat("[", 64) + strings.Repeat("]", 64)
	var v any
	if err := jsonx.Unmarshal([]byte(ok), &v); err != nil {
		t.Errorf("64 deep: %v", err)
	}
	deep := strings.Repeat(`{"a":[`, 33) + strings.Repeat("]}", 33)
	for _, target := range []any{new(any), new(map[string]any), new(struct{ A []any })} {
		if err := jsonx.Unmarshal([]byte(deep), target); !errors.Is(err, jsonx.ErrDepth) {
			t.Errorf("%T: %v", target, err)
		}
	}
	if _, err := jsonx.Fields([]byte(deep)); !errors.Is(err, jsonx.ErrDepth) {
		t.Errorf("Fields: %v", err)
	}
	// Skipped members count too.
	if err := jsonx.Unmarshal([]byte(`{"b":`+deep+`}`), new(struct{ A int })); !errors.Is(err, jsonx.ErrDepth) {
		t.Errorf("skipped: %v", err)
	}
}

type target struct {
	Embedded
	I8    int8              `json:"i8"`
	U16   uint16            `json:"u16"`
	I64   int64             `json:"i64"`
	U64   uint64            `json:"u64"`
	F32   float32           `json:"f32"`
	F64   float64           `json:"f64"`
	S     string            `json:"s"`
	B     bool              `json:"b"`
	P     *int              `json:"p"`
	PP    **string          `json:"pp"`
	Sl    []inner           `json:"sl"`
	Arr   [2]int            `json:"arr"`
	M     map[string]*inner `json:"m"`
	IM    map[int8]int      `json:"im"`
	Bytes []byte            `json:"bytes"`
	Any   any               `json:"any"`
	Skip  int               `json:"-"`
	Ptr   *embeddedPtr      `json:"ptr"`
}

func TestUnmarshalStruct(t *testing.T) {
	in := `{"E1":1,"e2":2,"x":3,"i8":-128,"u16":65535,"i64":-9223372036854775808,"u64":18446744073709551615,
		"f32":3.4e38,"f64":1e-7,"s":"<\u00e9>","b":true,"p":5,"pp":"x","sl":[{"a":1,"b":"y"},{}],"arr":[1,2,3],
		"m":{"k":{"a":2},"n":null},"im":{"-3":1,"127":2},"bytes":"aGVsbG8=","any":{"x":[1,"2"]},"unknown":{"deep":[1,{}]},
		"Skip":9,"-":9,"ptr":{"p1":"q"},"I8":99}`
	var got, want target
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	want.I8 = -128 // encoding/json also matches "I8" case-insensitively; jsonx does not
	if err := jsonx.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}

	// null leaves values, clears pointers, maps, slices and interfaces.
	if err := jsonx.Unmarshal([]byte(`{"i8":null,"p":null,"sl":null,"m":null,"any":null,"bytes":null}`), &got); err != nil {
		t.Fatal(err)
	}
	if got.I8 != -128 || got.P != nil || got.Sl != nil || got.M != nil || got.Any != nil || got.Bytes != nil {
		t.Errorf("after nulls: %+v", got)
	}
	// An empty array is an empty slice, not nil; an existing map gains members.
	got.IM = map[int8]int{1: 1}
	if err := jsonx.Unmarshal([]byte(`{"sl":[],"arr":[7],"im":{"2":2}}`), &got); err != nil {
		t.Fatal(err)
	}
	if got.Sl == nil || len(got.Sl) != 0 || got.Arr != [2]int{7, 0} || len(got.IM) != 2 {
		t.Errorf("after empties: %+v", got)
	}
}

func TestUnmarshalTypeErrors(t *testing.T) {
	for _, tt := range []struct {
		in     string
		target any
	}{
		{`128`, new(int8)}, {`-129`, new(int8)}, {`-1`, new(uint)}, {`65536`, new(uint16)}, {`1.5`, new(int)},
		{`1e2`, new(int)}, {`9223372036854775808`, new(int64)}, {`18446744073709551616`, new(uint64)},
		{`1e39`, new(float32)}, {`1e309`, new(float64)}, {`1e309`, new(any)}, {`"1"`, new(int)}, {`1`, new(string)},
		{`true`, new(int)}, {`[]`, new(map[string]int)}, {`{}`, new([]int)}, {`{"a":1}`, new(map[float64]int)},
		{`{"300":1}`, new(map[uint8]int)}, {`{"x":1}`, new(map[int]int)}, {`"!"`, new([]byte)}, {`1`, new(error)},
		{`{"i8":"x"}`, new(target)}, {`{"sl":[{"a":"1"}]}`, new(target)},
	} {
		if err := jsonx.Unmarshal([]byte(tt.in), tt.target); !errors.Is(err, jsonx.ErrType) && !errors.Is(err, jsonx.ErrUnsupported) {
			t.Errorf("%s into %T: %v", tt.in, tt.target, err)
		}
		if json.Unmarshal([]byte(tt.in), tt.target) == nil {
			t.Errorf("%s into %T: encoding/json accepts it", tt.in, tt.target)
		}
	}
}

type withUnmarshalText struct{ s string }

func (w *withUnmarshalText) UnmarshalText(b []byte) error { w.s = string(b); return nil }

func TestUnmarshalRefuses(t *testing.T) {
	for _, target := range []any{nil, 1, (*int)(nil), new(withUnmarshalText), new([]withUnmarshalText),
		new(map[withUnmarshalText]int), new(chan int)} {
		if err := jsonx.Unmarshal([]byte(`"x"`), target); err == nil {
			t.Errorf("%T: no error", target)
		}
	}
	var s struct {
		N int `json:"n,string"`
	}
	if err := jsonx.Unmarshal([]byte(`{"n":"1"}`), &s); !errors.Is(err, jsonx.ErrUnsupported) {
		t.Errorf(",string: %v", err)
	}
}

func TestUnmarshalFloats(t *testing.T) {
	for _, f := range []float64{0, 1e-7, 1e21, 123.456, 1.0 / 3, math.MaxFloat64, 5e-324} {
		b, err := jsonx.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var got float64
		if err := jsonx.Unmarshal(b, &got); err != nil || got != f {
			t.Errorf("%v: %v %v", f, got, err)
		}
	}
}

func TestFields(t *testing.T) {
	got, err := jsonx.Fields([]byte(` { "b" : [ 1 , " x y " ] , "a":{ },"\u003c":null, "b2":"\n" } `))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"b": `[1," x y "]`, "a": `{}`, "<": `null`, "b2": `"\n"`}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for k, v := range want {
		if string(got[k]) != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	for _, in := range []string{`[]`, `1`, `{"a":1} x`, `{"a":}`, ``} {
		if _, err := jsonx.Fields([]byte(in)); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}
