package datagram

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"i2pgate/router/data"
)

var testNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// offlineKeys returns keys, the transient signer and its Offline section
// expiring at exp.
func offlineKeys(t *testing.T, seed byte, exp time.Time) (*data.PrivateKeys, data.Signer, *Offline) {
	t.Helper()
	k := testKeys(t, seed)
	tseed := make([]byte, 32)
	newSeeded(seed + 100).Read(tseed)
	transient, err := data.NewEd25519Signer(tseed)
	if err != nil {
		t.Fatal(err)
	}
	off, err := data.NewOfflineSignature(exp, transient.Public(), testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	return k, transient, OfflineFrom(off)
}

func TestDatagram2RoundTrip(t *testing.T) {
	to := testKeys(t, 20).Destination().Hash()
	k := testKeys(t, 21)
	ok, transient, off := offlineKeys(t, 22, testNow.Add(time.Hour))
	var opts data.Mapping
	if err := opts.Set("seqn", "7"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		signer data.Signer
		d      Datagram2
		flags  uint16
	}{
		{"plain", testSigner(t, k), Datagram2{From: k.Destination(), Payload: []byte("hello")}, 0x02},
		{"empty", testSigner(t, k), Datagram2{From: k.Destination()}, 0x02},
		{"options", testSigner(t, k), Datagram2{From: k.Destination(), Options: opts, Payload: []byte("x")}, 0x12},
		{"offline", transient, Datagram2{From: ok.Destination(), Offline: off, Payload: []byte("y")}, 0x22},
		{"offline options", transient, Datagram2{From: ok.Destination(), Offline: off, Options: opts}, 0x32},
	} {
		b, err := BuildDatagram2(tc.signer, to, &tc.d)
		if err != nil {
			t.Fatalf("%s: build: %v", tc.name, err)
		}
		n := tc.d.From.Len()
		if got := uint16(b[n])<<8 | uint16(b[n+1]); got != tc.flags {
			t.Errorf("%s: flags %#04x, want %#04x", tc.name, got, tc.flags)
		}
		d, err := ParseDatagram2(b, to, testNow)
		if err != nil {
			t.Fatalf("%s: parse: %v", tc.name, err)
		}
		if d.From.Hash() != tc.d.From.Hash() || !bytes.Equal(d.Payload, tc.d.Payload) || !d.Options.Equal(tc.d.Options) {
			t.Fatalf("%s: round trip differs: %+v", tc.name, d)
		}
		if (d.Offline == nil) != (tc.d.Offline == nil) {
			t.Fatalf("%s: offline section lost or invented", tc.name)
		}
		// Replayed to another destination, it does not verify.
		if _, err := ParseDatagram2(b, k.Destination().Hash(), testNow); !errors.Is(err, data.ErrBadSignature) {
			t.Errorf("%s: replayed to another target: %v", tc.name, err)
		}
		for i := range len(b) {
			if _, err := ParseDatagram2(b[:i], to, testNow); err == nil {
				t.Fatalf("%s: prefix of %d bytes accepted", tc.name, i)
			}
		}
		for off := n; off < len(b); off += 7 {
			bad := bytes.Clone(b)
			bad[off] ^= 0x40
			if _, err := ParseDatagram2(bad, to, testNow); err == nil {
				t.Fatalf("%s: byte %d flipped: accepted", tc.name, off)
			}
		}
	}
}

func TestDatagram2Offline(t *testing.T) {
	to := testKeys(t, 30).Destination().Hash()
	k, transient, off := offlineKeys(t, 31, testNow.Add(time.Minute))
	b, err := BuildDatagram2(transient, to, &Datagram2{From: k.Destination(), Offline: off, Payload: []byte("z")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseDatagram2(b, to, testNow.Add(time.Minute)); err != nil {
		t.Errorf("at expiry: %v", err)
	}
	if _, err := ParseDatagram2(b, to, testNow.Add(time.Minute+time.Second)); !errors.Is(err, ErrExpired) {
		t.Errorf("after expiry: %v, want ErrExpired", err)
	}
	// The destination's own key must not sign for offline keys.
	if _, err := BuildDatagram2(testSigner(t, k), to, &Datagram2{From: k.Destination(), Offline: off}); !errors.Is(err, data.ErrKeyMismatch) {
		t.Errorf("long-term key with offline section: %v", err)
	}
	// An offline section signed by someone else.
	_, _, foreign := offlineKeys(t, 32, testNow.Add(time.Hour))
	foreign.Transient = off.Transient
	b, err = BuildDatagram2(transient, to, &Datagram2{From: k.Destination(), Offline: foreign, Payload: []byte("z")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseDatagram2(b, to, testNow); !errors.Is(err, data.ErrBadSignature) {
		t.Errorf("foreign offline signature: %v", err)
	}
	// Offline signature of the wrong length.
	short := *off
	short.Signature = short.Signature[:10]
	if _, err := BuildDatagram2(transient, to, &Datagram2{From: k.Destination(), Offline: &short}); !errors.Is(err, ErrInvalid) {
		t.Errorf("short offline signature: %v", err)
	}
}

func TestDatagram2Invalid(t *testing.T) {
	to := testKeys(t, 40).Destination().Hash()
	k := testKeys(t, 41)
	b, err := BuildDatagram2(testSigner(t, k), to, &Datagram2{From: k.Destination(), Payload: []byte("v")})
	if err != nil {
		t.Fatal(err)
	}
	n := k.Destination().Len()
	for _, v := range []byte{0, 1, 3, 15} {
		bad := bytes.Clone(b)
		bad[n+1] = bad[n+1]&^0x0f | v
		if _, err := ParseDatagram2(bad, to, testNow); !errors.Is(err, ErrInvalid) {
			t.Errorf("version %d: %v, want ErrInvalid", v, err)
		}
	}
	// A Datagram1 is no Datagram2.
	d1, _ := BuildRepliable(testSigner(t, k), k.Destination(), []byte("v"))
	if _, err := ParseDatagram2(d1, to, testNow); err == nil {
		t.Error("Datagram1 parsed as Datagram2")
	}
	if _, err := BuildDatagram2(testSigner(t, k), to, &Datagram2{From: k.Destination(), Payload: make([]byte, MaxSize)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize: %v", err)
	}
	if _, err := ParseDatagram2(make([]byte, MaxSize+1), to, testNow); !errors.Is(err, ErrTooLarge) {
		t.Errorf("parse oversize: %v", err)
	}
	if _, err := BuildDatagram2(testSigner(t, testKeys(t, 42)), to, &Datagram2{From: k.Destination()}); !errors.Is(err, data.ErrKeyMismatch) {
		t.Errorf("foreign signer: %v", err)
	}
	if _, err := BuildDatagram2(nil, to, &Datagram2{From: k.Destination()}); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil signer: %v", err)
	}
}

func TestDatagram3(t *testing.T) {
	from := testKeys(t, 50).Destination().Hash()
	var opts data.Mapping
	if err := opts.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []Datagram3{
		{From: from},
		{From: from, Payload: []byte("payload")},
		{From: from, Options: opts, Payload: []byte("p")},
	} {
		b, err := BuildDatagram3(&d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseDatagram3(b)
		if err != nil {
			t.Fatal(err)
		}
		if got.From != d.From || !bytes.Equal(got.Payload, d.Payload) || !got.Options.Equal(d.Options) {
			t.Fatalf("round trip %+v -> %+v", d, got)
		}
		for i := range MinDatagram3Size {
			if _, err := ParseDatagram3(b[:i]); !errors.Is(err, ErrTruncated) {
				t.Fatalf("prefix %d: %v", i, err)
			}
		}
		bad := bytes.Clone(b)
		bad[data.HashSize+1] = 0x02
		if _, err := ParseDatagram3(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("version 2: %v", err)
		}
	}
	// Options flagged but cut.
	b, _ := BuildDatagram3(&Datagram3{From: from, Options: opts})
	if _, err := ParseDatagram3(b[:len(b)-1]); err == nil {
		t.Error("cut options accepted")
	}
	if _, err := ParseDatagram3(make([]byte, MinDatagram3Size)); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero sender: %v", err)
	}
	if _, err := BuildDatagram3(&Datagram3{From: from, Payload: make([]byte, MaxSize)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize: %v", err)
	}
}
