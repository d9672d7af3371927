package tunnel

import (
	"bytes"
	mrand "math/rand/v2"
	"testing"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/i2np"
)

var testStart = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testRand is a deterministic io.Reader for IVs, padding and keys.
func testRand(seed uint64) *mrand.ChaCha8 {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return mrand.NewChaCha8(s)
}

func testLayers(t testing.TB, r *mrand.ChaCha8, n int) []*crypto.TunnelLayer {
	t.Helper()
	layers := make([]*crypto.TunnelLayer, n)
	for i := range layers {
		var lk, ik [crypto.AESKeySize]byte
		r.Read(lk[:])
		r.Read(ik[:])
		layers[i] = crypto.NewTunnelLayer(&lk, &ik)
	}
	return layers
}

func testMessage(r *mrand.ChaCha8, id uint32, size int) i2np.Message {
	p := make([]byte, size)
	r.Read(p)
	return i2np.Message{Type: i2np.TypeData, ID: id, Expiration: testStart.Add(time.Minute), Payload: p}
}

func encodeStd(t testing.TB, m i2np.Message) []byte {
	t.Helper()
	b, err := m.AppendStandard(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkReceived compares the delivered messages with the sent ones, in
// order.
func checkReceived(t testing.TB, got []Received, want []i2np.Message, to Delivery) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("received %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Delivery != to {
			t.Fatalf("message %d: delivery %+v, want %+v", i, got[i].Delivery, to)
		}
		if !bytes.Equal(encodeStd(t, got[i].Message), encodeStd(t, want[i])) {
			t.Fatalf("message %d (id %d, %d bytes) differs", i, want[i].ID, len(want[i].Payload))
		}
	}
}

// rawBody seals payload (instructions and fragments) into a plaintext
// body with a valid checksum.
func rawBody(t testing.TB, r *mrand.ChaCha8, payload []byte) *Body {
	t.Helper()
	if len(payload) > MaxPayloadSize {
		t.Fatalf("payload of %d bytes", len(payload))
	}
	var b Body
	copy(b[BodySize-len(payload):], payload)
	if err := seal(&b, len(payload), r); err != nil {
		t.Fatal(err)
	}
	return &b
}

// frag encodes instructions followed by n filler bytes.
func frag(t testing.TB, in Instructions, fill []byte) []byte {
	t.Helper()
	in.Size = uint16(len(fill))
	b, err := in.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, fill...)
}
