package datagram

import (
	"bytes"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
)

// fuzzSeeds returns valid datagrams of every format for the corpora.
func fuzzSeeds(t testing.TB) (d1, d2, d2off, d3 []byte, to data.Hash) {
	k := testKeys(t, 70)
	to = testKeys(t, 71).Destination().Hash()
	var err error
	if d1, err = BuildRepliable(testSigner(t, k), k.Destination(), []byte("seed")); err != nil {
		t.Fatal(err)
	}
	var opts data.Mapping
	opts.Set("a", "b")
	if d2, err = BuildDatagram2(testSigner(t, k), to, &Datagram2{From: k.Destination(), Options: opts, Payload: []byte("seed")}); err != nil {
		t.Fatal(err)
	}
	tseed := make([]byte, 32)
	transient, _ := data.NewEd25519Signer(tseed)
	off, err := data.NewOfflineSignature(testNow.Add(time.Hour), transient.Public(), testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	if d2off, err = BuildDatagram2(transient, to, &Datagram2{From: k.Destination(), Offline: OfflineFrom(off), Payload: []byte("seed")}); err != nil {
		t.Fatal(err)
	}
	if d3, err = BuildDatagram3(&Datagram3{From: to, Options: opts, Payload: []byte("seed")}); err != nil {
		t.Fatal(err)
	}
	return d1, d2, d2off, d3, to
}

// FuzzParseRepliable: no panic; what parses is exactly from, a signature
// of from's length and the payload, and verifies again.
func FuzzParseRepliable(f *testing.F) {
	d1, d2, _, d3, _ := fuzzSeeds(f)
	f.Add(d1)
	f.Add(d2)
	f.Add(d3)
	f.Add(d1[:MinRepliableSize])
	f.Fuzz(func(t *testing.T, b []byte) {
		from, payload, err := ParseRepliable(b)
		if err != nil {
			return
		}
		n := from.Len() + from.SignatureLen()
		if !bytes.Equal(from.Bytes(), b[:from.Len()]) || !bytes.Equal(payload, b[n:]) {
			t.Fatal("parsed fields are not the input")
		}
		if _, _, err := ParseRepliable(bytes.Clone(b)); err != nil {
			t.Fatalf("second parse: %v", err)
		}
	})
}

// FuzzParseDatagram2: no panic; what parses is from, flags, options,
// offline section, payload and a signature, in that order.
func FuzzParseDatagram2(f *testing.F) {
	d1, d2, d2off, _, to := fuzzSeeds(f)
	f.Add(d2)
	f.Add(d2off)
	f.Add(d1)
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDatagram2(b, to, testNow)
		if err != nil {
			return
		}
		if !bytes.Equal(d.From.Bytes(), b[:d.From.Len()]) || !bytes.HasPrefix(b[len(b)-len(d.Payload)-sigLen(d):], d.Payload) {
			t.Fatal("parsed fields are not the input")
		}
		if d.Offline != nil {
			if err := d.Offline.verify(d.From.SigningPublicKey(), testNow); err != nil {
				t.Fatalf("accepted offline section does not verify: %v", err)
			}
		}
	})
}

func sigLen(d *Datagram2) int {
	if d.Offline != nil {
		return d.Offline.Transient.SignatureLen()
	}
	return d.From.SignatureLen()
}

// FuzzParseDatagram3: no panic; what parses builds back to an equal
// datagram.
func FuzzParseDatagram3(f *testing.F) {
	_, _, _, d3, _ := fuzzSeeds(f)
	f.Add(d3)
	f.Add(d3[:MinDatagram3Size])
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDatagram3(b)
		if err != nil {
			return
		}
		if !bytes.HasSuffix(b, d.Payload) {
			t.Fatal("payload is not the end of the input")
		}
		out, err := BuildDatagram3(d)
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		again, err := ParseDatagram3(out)
		if err != nil || again.From != d.From || !again.Options.Equal(d.Options) || !bytes.Equal(again.Payload, d.Payload) {
			t.Fatalf("round trip: %+v, %v", again, err)
		}
	})
}

// FuzzHandlePayload: any input, any protocol, never panics or blocks;
// every datagram is counted once.
func FuzzHandlePayload(f *testing.F) {
	d1, d2, d2off, d3, _ := fuzzSeeds(f)
	for _, b := range [][]byte{d1, d2, d2off, d3, nil} {
		for _, p := range []uint8{ProtoDatagram, ProtoRaw, ProtoDatagram2, ProtoDatagram3, 6} {
			f.Add(p, uint16(1), b)
		}
	}
	k := testKeys(f, 71) // the seeds' target
	m, err := New(Config{Local: k.Destination(), Signer: testSigner(f, k), Sender: newNetwork(),
		Clock: clocktest.New(testNow), QueueSize: 4})
	if err != nil {
		f.Fatal(err)
	}
	defer m.Close()
	c, err := m.Listen(1, true)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, proto uint8, port uint16, b []byte) {
		before := m.Stats()
		m.HandlePayload(proto, 0, port, b)
		after := m.Stats()
		drops := after.NoListener + after.Invalid + after.Unauthenticated + after.QueueFull -
			(before.NoListener + before.Invalid + before.Unauthenticated + before.QueueFull)
		if after.Received != before.Received+1 || drops+after.Delivered-before.Delivered != 1 {
			t.Fatalf("counted %+v -> %+v", before, after)
		}
		if after.Delivered > before.Delivered {
			if _, _, err := c.ReadDatagram(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
