package naming

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"i2pgate/router/data"
)

func TestParseLine(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Line
		ok   bool
		err  bool
	}{
		{in: "", ok: false},
		{in: "   \t", ok: false},
		{in: "# a comment", ok: false},
		{in: "; a comment", ok: false},
		{in: "#!", ok: false},
		{in: "#!#", ok: false},
		{in: "example.i2p=AAAA", want: Line{Name: "example.i2p", Dest: "AAAA"}, ok: true},
		{in: "  Example.I2P = AAAA  \r", want: Line{Name: "example.i2p", Dest: "AAAA"}, ok: true},
		{in: "example.i2p=AAAA#a comment", want: Line{Name: "example.i2p", Dest: "AAAA"}, ok: true},
		{in: "example.i2p=AAAA#!", want: Line{Name: "example.i2p", Dest: "AAAA"}, ok: true},
		{in: "example.i2p=AAAA#x#!a=b", want: Line{Name: "example.i2p", Dest: "AAAA"}, ok: true},
		{in: "example.i2p=AA==#!sig=xyz#action=addname#oldname=ex.i2p", ok: true, want: Line{
			Name: "example.i2p", Dest: "AA==",
			Props: []Prop{{"action", "addname"}, {"oldname", "ex.i2p"}, {"sig", "xyz"}},
		}},
		{in: "example.i2p=AAAA#!a=b#", want: Line{Name: "example.i2p", Dest: "AAAA", Props: []Prop{{"a", "b"}}}, ok: true},
		{in: "#!action=remove#name=x.i2p#dest=AAAA#sig=s", ok: true, want: Line{
			Props: []Prop{{"action", "remove"}, {"dest", "AAAA"}, {"name", "x.i2p"}, {"sig", "s"}},
		}},
		{in: "example.i2p=AAAA#!k=v=w", want: Line{Name: "example.i2p", Dest: "AAAA", Props: []Prop{{"k", "v=w"}}}, ok: true},
		{in: "example.i2p", err: true},
		{in: "=AAAA", err: true},
		{in: "example.i2p=", err: true},
		{in: "example.i2p=#!a=b", err: true},
		{in: "example.i2p=AAAA#!a=b#a=c", err: true},
		{in: "example.i2p=AAAA#!a=", err: true},
		{in: "example.i2p=AAAA#!=b", err: true},
		{in: "example.i2p=AAAA#!a=b##c=d", err: true},
		{in: "example.i2p=AAAA#!a =b#c=d", err: true},
		{in: "example.i2p=AAAA#!a= b#c=d", err: true},
		{in: "example.i2p=AAAA#!" + strings.Repeat("k=v#", MaxProps) + "z=z", err: true},
		{in: "example.i2p=" + strings.Repeat("A", MaxLineLen), err: true},
	} {
		got, ok, err := ParseLine(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseLine(%.40q) error %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseLine(%.40q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLineString(t *testing.T) {
	l := Line{Name: "a.i2p", Dest: "AAAA", Props: []Prop{{"action", "update"}, {"sig", "x"}}}
	if got, want := l.String(), "a.i2p=AAAA#!action=update#sig=x"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := (Line{Name: "a.i2p", Dest: "AAAA"}).String(), "a.i2p=AAAA"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := string(l.SignedText(false)), "a.i2p=AAAA#!action=update"; got != want {
		t.Errorf("SignedText = %q, want %q", got, want)
	}
	cmd := Line{Props: []Prop{{"action", "remove"}, {"dest", "D"}, {"name", "a.i2p"}, {"oldsig", "o"}, {"sig", "s"}}}
	if got, want := string(cmd.SignedText(false)), "#!action=remove#dest=D#name=a.i2p"; got != want {
		t.Errorf("remove SignedText = %q, want %q", got, want)
	}
}

func TestDecodeDest(t *testing.T) {
	k := newKey(t, 1)
	d, err := DecodeDest(k.b64)
	if err != nil {
		t.Fatal(err)
	}
	if d.Hash() != k.dest.Hash() {
		t.Error("hash differs")
	}
	for name, s := range map[string]string{
		"short":     k.b64[:MinDestLen-1],
		"long":      strings.Repeat("A", MaxDestLen+1),
		"alphabet":  strings.Replace(k.b64, k.b64[:1], "+", 1),
		"truncated": k.b64[:len(k.b64)-8],
		"trailing":  data.EncodeBase64(append(k.dest.Bytes(), 1, 2, 3)),
	} {
		if _, err := DecodeDest(s); !errors.Is(err, ErrInvalidDestination) {
			t.Errorf("%s: err %v, want ErrInvalidDestination", name, err)
		}
	}
}

func TestVerifySignatures(t *testing.T) {
	k, old := newKey(t, 1), newKey(t, 2)
	add := signLine(t, withProp(Line{Name: "new.i2p", Dest: k.b64}, "date", "1700000000"), k)
	if err := add.VerifySig(); err != nil {
		t.Errorf("add: %v", err)
	}
	// Through text and back, as a subscriber sees it.
	reparsed, ok, err := ParseLine(add.String())
	if err != nil || !ok {
		t.Fatalf("reparse: %v %v", ok, err)
	}
	if err := reparsed.VerifySig(); err != nil {
		t.Errorf("reparsed add: %v", err)
	}
	tampered := add
	tampered.Name = "other.i2p"
	if err := tampered.VerifySig(); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered name: %v", err)
	}
	wrongKey := signLine(t, Line{Name: "new.i2p", Dest: k.b64}, old)
	if err := wrongKey.VerifySig(); !errors.Is(err, ErrBadSignature) {
		t.Errorf("signed by another key: %v", err)
	}
	if err := (Line{Name: "new.i2p", Dest: k.b64, Props: []Prop{{"a", "b"}}}).VerifySig(); !errors.Is(err, ErrBadSignature) {
		t.Errorf("no sig: %v", err)
	}
	if err := withProp(Line{Name: "new.i2p", Dest: k.b64}, KeySig, "!!!").VerifySig(); !errors.Is(err, ErrBadSignature) {
		t.Errorf("bad base64 sig: %v", err)
	}

	// changedest: inner signature by the old destination, outer by the new.
	cd := Line{Name: "site.i2p", Dest: k.b64}
	cd = withProp(withProp(cd, KeyAction, ActionChangeDest), KeyOldDest, old.b64)
	cd = signLine(t, signInner(t, cd, old), k)
	if err := cd.VerifyInnerSig(); err != nil {
		t.Errorf("inner: %v", err)
	}
	if err := cd.VerifySig(); err != nil {
		t.Errorf("outer: %v", err)
	}
	badInner := signLine(t, signInner(t, withProp(withProp(Line{Name: "site.i2p", Dest: k.b64}, KeyAction, ActionChangeDest), KeyOldDest, old.b64), k), k)
	if err := badInner.VerifyInnerSig(); !errors.Is(err, ErrBadSignature) {
		t.Errorf("inner signed by the new key: %v", err)
	}

	rm := Line{Props: []Prop{{KeyAction, ActionRemove}, {KeyDest, k.b64}, {KeyName, "x.i2p"}}}
	rm = signLine(t, rm, k)
	if err := rm.VerifyRemoveSig(); err != nil {
		t.Errorf("remove: %v", err)
	}
	if !strings.HasPrefix(rm.String(), "#!action=remove#dest=") {
		t.Errorf("remove line %q", rm.String())
	}
	if err := rm.VerifySig(); !errors.Is(err, ErrBadSignature) {
		t.Errorf("VerifySig on a command-only line: %v", err)
	}
}

// FuzzParseLine checks that no line panics the parser, that what parses
// prints back to a line that parses the same, and that the checks on top of
// it (names, destinations, signatures) are silent too.
func FuzzParseLine(f *testing.F) {
	k := newKey(f, 1)
	signed := signLine(f, Line{Name: "fuzz.i2p", Dest: k.b64}, k)
	f.Add(signed.String())
	f.Add("example.i2p=" + k.b64)
	f.Add("#!action=remove#name=x.i2p#dest=" + k.b64 + "#sig=AAAA")
	f.Add("a.i2p=AAAA#!action=addsubdomain#oldname=i2p#olddest=AAAA#oldsig=AA#sig=AA")
	f.Add("; comment")
	f.Add("x=y#!k=v#")
	f.Fuzz(func(t *testing.T, s string) {
		l, ok, err := ParseLine(s)
		if err != nil || !ok {
			return
		}
		again, ok2, err := ParseLine(l.String())
		if err != nil || !ok2 {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, l.String(), err)
		}
		if !reflect.DeepEqual(again, l) {
			t.Fatalf("round trip: %+v != %+v", again, l)
		}
		var st Stats
		b := &Book{}
		b.check(s, &st)
		_ = l.VerifySig()
		_ = l.VerifyInnerSig()
		_ = l.VerifyRemoveSig()
	})
}
