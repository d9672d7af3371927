package jsonx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"i2pgate/internal/jsonx"
)

// sameAsJSON checks that jsonx writes what encoding/json writes for v, both
// compact and indented.
func sameAsJSON(t *testing.T, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	got, err := jsonx.Marshal(v)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("Marshal(%#v)\n got %s %v\nwant %s", v, got, err, want)
	}
	for _, in := range [][2]string{{"", "  "}, {"", "\t"}, {">", "--"}, {"", ""}} {
		want, _ := json.MarshalIndent(v, in[0], in[1])
		got, err := jsonx.MarshalIndent(v, in[0], in[1])
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("MarshalIndent(%#v, %q, %q)\n got %s %v\nwant %s", v, in[0], in[1], got, err, want)
		}
	}
}

func TestMarshalScalars(t *testing.T) {
	for _, v := range []any{
		nil, true, false, 0, -1, int8(-128), int16(32767), int32(math.MinInt32), int64(math.MinInt64),
		uint(7), uint8(255), uint16(65535), uint32(math.MaxUint32), uint64(math.MaxUint64), uintptr(9),
		"", "plain", "<a href=\"x\">&amp;</a>", "tab\tnl\ncr\rbs\bff\fnul\x00 \x1f\x7f",
		"\\ / ' \u2028 \u2029 \u2027 é ☃ 𝄞", "bad \xff utf8 \xe2\x82", "\xed\xa0\x80 surrogate bytes",
	} {
		sameAsJSON(t, v)
	}
}

func TestMarshalAllBytes(t *testing.T) {
	var b strings.Builder
	for i := range 256 {
		b.WriteByte(byte(i))
		b.WriteString("a")
	}
	sameAsJSON(t, b.String())
	for r := rune(0); r < 0x3000; r++ {
		sameAsJSON(t, string(r)+"x")
	}
}

func TestMarshalFloats(t *testing.T) {
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-7, 1e-6, 9.99999e-7, 1e20, 1e21, 1e-300,
		123.456, 1.0 / 3, -2.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64, 1e100, 5e-324, 100, 1e6,
		123456789012345678, 0.000001234, 12345678901234567890123.0}
	for _, f := range floats {
		sameAsJSON(t, f)
		sameAsJSON(t, -f)
		if f32 := float32(f); !math.IsInf(float64(f32), 0) {
			sameAsJSON(t, f32)
			sameAsJSON(t, -f32)
		}
	}
	for _, f32 := range []float32{1e-7, 1e21, 9.9999999e20, 1.0 / 3, math.MaxFloat32, 16777216} {
		sameAsJSON(t, f32)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := jsonx.Marshal(f); !errors.Is(err, jsonx.ErrUnsupported) {
			t.Errorf("%v: %v", f, err)
		}
	}
}

type inner struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
}

type Embedded struct {
	E1 int
	E2 int `json:"e2"`
	X  int `json:"x"`
	Y  int `json:"E3"` // beats other.E3, as deep but untagged
}

type embeddedPtr struct {
	P1 string `json:"p1"`
}

type other struct {
	E1 int // as deep as Embedded.E1, both untagged: ambiguous
	E3 int
}

type zeroByMethod struct{ N int }

func (z zeroByMethod) IsZero() bool { return z.N < 0 }

type kitchen struct {
	Embedded
	*embeddedPtr
	other
	Name      string            `json:"name"`
	Skip      int               `json:"-"`
	Dash      int               `json:"-,"`
	NoTag     float64           //
	BadTag    int               `json:"a\\b"`
	Odd       int               `json:"$%&!"`
	unexp     int               //nolint:unused
	Empty     string            `json:",omitempty"`
	Ptr       *inner            `json:"ptr"`
	NilPtr    *inner            `json:"nil_ptr"`
	OmitPtr   *inner            `json:"omit_ptr,omitempty"`
	Slice     []inner           `json:"slice"`
	NilSlice  []int             `json:"nil_slice"`
	EmptySl   []int             `json:"empty_slice"`
	OmitSl    []int             `json:"omit_slice,omitempty"`
	Array     [3]int8           `json:"array"`
	ZeroArray [0]int            `json:"zero_array,omitempty"`
	Bytes     []byte            `json:"bytes"`
	NilBytes  []byte            `json:"nil_bytes"`
	Map       map[string]int    `json:"map"`
	NilMap    map[string]int    `json:"nil_map"`
	IntMap    map[int]string    `json:"int_map"`
	UintMap   map[uint8]bool    `json:"uint_map"`
	Any       any               `json:"any"`
	NilAny    any               `json:"nil_any"`
	AnyMap    map[string]any    `json:"any_map"`
	OmitZero  inner             `json:"omit_zero,omitzero"`
	OmitZero2 zeroByMethod      `json:"omit_zero2,omitzero"`
	OmitZero3 zeroByMethod      `json:"omit_zero3,omitzero"`
	Named     map[keyName]inner `json:"named"`
	F32       float32           `json:"f32,omitempty"`
	Interface error             `json:"iface"`
}

type keyName string

func TestMarshalStructs(t *testing.T) {
	k := kitchen{
		Embedded:    Embedded{E1: 1, E2: 2, X: 3, Y: 6},
		embeddedPtr: &embeddedPtr{P1: "p<1>"},
		other:       other{E1: 5, E3: 4},
		Name:        "n\u2028", Skip: 1, Dash: 2, NoTag: 0.5, BadTag: 3, Odd: 4, unexp: 5,
		Ptr:   &inner{A: 1},
		Slice: []inner{{1, "x"}, {}}, EmptySl: []int{}, OmitSl: []int{},
		Array: [3]int8{-1, 0, 1}, Bytes: []byte("hello, world\x00\xff"),
		Map:    map[string]int{"b": 2, "a": 1, "<": 0, "é": 3, "": 4},
		IntMap: map[int]string{10: "ten", -2: "m2", 9: "nine"}, UintMap: map[uint8]bool{255: true, 3: false},
		Any:       []any{1, "two", 3.5, nil, map[string]any{"z": true}},
		AnyMap:    map[string]any{"q": []string{"r"}, "p": nil},
		OmitZero2: zeroByMethod{N: -1}, OmitZero3: zeroByMethod{N: 0},
		Named: map[keyName]inner{"k": {A: 2}},
		F32:   1.5,
	}
	sameAsJSON(t, k)
	sameAsJSON(t, &k)
	sameAsJSON(t, kitchen{})
	sameAsJSON(t, []*kitchen{nil, &k})
	sameAsJSON(t, map[string]kitchen{"x": {}})
	sameAsJSON(t, struct{}{})
	sameAsJSON(t, [][]int{{}, nil, {1}})
	sameAsJSON(t, map[string][]int{"e": {}})
	sameAsJSON(t, []byte{})
	sameAsJSON(t, struct {
		A []map[string]struct{} `json:"a"`
	}{[]map[string]struct{}{{}, {"x": {}}}})
}

type withMarshalJSON struct{}

func (withMarshalJSON) MarshalJSON() ([]byte, error) { return []byte("1"), nil }

type withMarshalText int

func (*withMarshalText) MarshalText() ([]byte, error) { return []byte("1"), nil }

type cycle struct {
	Next *cycle `json:"next"`
}

func TestMarshalRefuses(t *testing.T) {
	c := &cycle{}
	c.Next = c
	for _, v := range []any{
		withMarshalJSON{}, []withMarshalText{1}, time.Time{}, make(chan int), func() {}, complex(1, 2),
		map[float64]int{1: 1}, c, struct {
			N int `json:"n,string"`
		}{},
	} {
		if b, err := jsonx.Marshal(v); err == nil {
			t.Errorf("%T: %s, want an error", v, b)
		}
	}
}
