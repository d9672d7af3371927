package tunnel

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"

	"i2pgate/router/i2np"
)

// TestBodyLayout checks a gateway body against tunnel-message.rst
// "Tunnel Message (Decrypted)", computed independently here.
func TestBodyLayout(t *testing.T) {
	r := testRand(60)
	m := testMessage(r, 0x01020304, 40)
	to := ToRouter(testHash(0x10))
	bodies := bodiesFor(t, 61, m, to)
	if len(bodies) != 1 {
		t.Fatalf("%d bodies", len(bodies))
	}
	b := bodies[0]
	want := append(unhex(t, "40"+hashHex+"0038"), encodeStd(t, m)...) // 35 + 56 bytes
	zero := BodySize - len(want) - 1
	if !bytes.Equal(b[zero+1:], want) || b[zero] != 0 {
		t.Fatalf("instructions and fragment not at the end after a zero byte")
	}
	if bytes.IndexByte(b[20:zero], 0) >= 0 {
		t.Fatal("padding holds a zero byte")
	}
	sum := sha256.Sum256(append(append([]byte(nil), b[zero+1:]...), b[:16]...))
	if !bytes.Equal(b[16:20], sum[:4]) {
		t.Fatalf("checksum %x, want %x", b[16:20], sum[:4])
	}
	if p, err := open(&b); err != nil || !bytes.Equal(p, want) {
		t.Fatalf("open: %v", err)
	}
	// Gateways with the same rand produce the same body; another IV
	// gives another checksum.
	if again := bodiesFor(t, 61, m, to); again[0] != b {
		t.Fatal("not deterministic for a given rand")
	}
	if other := bodiesFor(t, 62, m, to); bytes.Equal(other[0][16:20], b[16:20]) {
		t.Fatal("checksum does not depend on the IV")
	}
}

func TestOpenNoZero(t *testing.T) {
	var b Body
	for i := range b {
		b[i] = 1
	}
	if _, err := open(&b); !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
}

type failReader struct{ n int }

func (f *failReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("rand exhausted")
	}
	n := min(f.n, len(p))
	for i := range p[:n] {
		p[i] = 0 // forces padding rereads
	}
	f.n -= n
	return n, nil
}

func TestGatewayRandFailure(t *testing.T) {
	r := testRand(63)
	for _, budget := range []int{0, 16, 100} {
		gw := NewGateway(&failReader{n: budget})
		bodies, err := gw.Put(nil, testMessage(r, 1, 10), Local())
		if err != nil || len(bodies) != 0 {
			t.Fatal(err)
		}
		if bodies, err = gw.Flush(bodies); err == nil || len(bodies) != 0 {
			t.Fatalf("budget %d: %d bodies, err %v", budget, len(bodies), err)
		}
	}
}

// TestConcurrentUse runs participants and endpoints from several
// goroutines (for the race detector).
func TestConcurrentUse(t *testing.T) {
	r := testRand(64)
	layers := testLayers(t, r, 2)
	p := NewParticipant(layers[0], Hop{}, i2np.NewDupFilter(0))
	ep := NewOutboundEndpoint(layers[1], &Config{Filter: i2np.NewDupFilter(0)})
	const workers, each = 4, 20
	var inputs [workers][]Body
	for w := range inputs {
		gw := NewOutboundGateway(layers, testRand(uint64(65+w)))
		for i := range each {
			inputs[w], _ = gw.Put(inputs[w], testMessage(r, uint32(w*1000+i), 1500), Local())
		}
		inputs[w], _ = gw.Flush(inputs[w])
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for w := range inputs {
		wg.Go(func() {
			for i := range inputs[w] {
				if _, err := p.Process(&inputs[w][i], testStart); err != nil {
					t.Error(err)
					return
				}
				got, err := ep.Handle(nil, &inputs[w][i])
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total += len(got)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if total != workers*each {
		t.Fatalf("delivered %d of %d", total, workers*each)
	}
}
