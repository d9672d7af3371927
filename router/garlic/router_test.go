package garlic

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/hkdf"

	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
	"i2pgate/router/i2np"
)

// seqReader yields start, start+1, ... for deterministic keys.
type seqReader struct{ next byte }

func (r *seqReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.next
		r.next++
	}
	return len(p), nil
}

func routerKey(t testing.TB, seed byte) crypto.X25519KeyPair {
	t.Helper()
	k, err := crypto.GenerateX25519(&seqReader{next: seed})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func vectorBlocks() []Block {
	return []Block{
		DateTime{Seconds: 0x65000000},
		Clove{Message: i2np.Message{Type: i2np.TypeDeliveryStatus, ID: 0x11223344,
			Expiration: time.Unix(0x65000008, 0).UTC(), Payload: []byte("hello router")}},
		Padding{Size: 3},
	}
}

// routerVector is the Noise_N message of vectorBlocks from the ephemeral
// key 0x21..0x40 to the router key 0x01..0x20, as computed by
// handDerivedRouterMessage (the spec's KDF steps on x/crypto primitives).
// Pinned so that a change on both sides at once still shows.
const routerVector = `
5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b
dee7fb18e2dacaaddc2548e5c90e2da587066097867e602f6c4794a2c1336ee8
6becc82b82aa3fb67e4a88a28acbedfd3cd035d9dbd0`

// handDerivedRouterMessage follows ecies-routers.rst "KDF for Initial ck
// and h" and "KDF for Message" step by step, without the noise package.
func handDerivedRouterMessage(t *testing.T, hesk, sesk [32]byte, payload []byte) []byte {
	t.Helper()
	var h [32]byte
	copy(h[:], "Noise_N_25519_ChaChaPoly_SHA256")
	ck := h
	h = sha256.Sum256(h[:]) // MixHash(null prologue)
	hepk, err := curve25519.X25519(hesk[:], curve25519.Basepoint)
	if err != nil {
		t.Fatal(err)
	}
	h = sha256.Sum256(append(h[:], hepk...))
	sepk, err := curve25519.X25519(sesk[:], curve25519.Basepoint)
	if err != nil {
		t.Fatal(err)
	}
	h = sha256.Sum256(append(h[:], sepk...))
	shared, err := curve25519.X25519(sesk[:], hepk)
	if err != nil {
		t.Fatal(err)
	}
	keydata := make([]byte, 64)
	if _, err := io.ReadFull(hkdf.New(sha256.New, shared, ck[:], nil), keydata); err != nil {
		t.Fatal(err)
	}
	aead, err := chacha20poly1305.New(keydata[32:64])
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, chacha20poly1305.NonceSize) // n = 0
	return aead.Seal(append([]byte(nil), sepk...), nonce, payload, h[:])
}

func TestRouterVector(t *testing.T) {
	router := routerKey(t, 0x01)
	payload, err := AppendBlocks(nil, vectorBlocks())
	if err != nil {
		t.Fatal(err)
	}
	var sesk [32]byte
	if _, err := (&seqReader{next: 0x21}).Read(sesk[:]); err != nil {
		t.Fatal(err)
	}
	want := handDerivedRouterMessage(t, router.Private, sesk, payload)

	got, err := SealForRouter(&seqReader{next: 0x21}, &router.Public, vectorBlocks())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("SealForRouter\n%x\nhand-derived\n%x", got, want)
	}
	if pinned := unhex(t, routerVector); !bytes.Equal(got, pinned) {
		t.Errorf("output differs from the pinned vector:\n%x", got)
	}
	blocks, err := OpenForRouter(&router, want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(blocks, vectorBlocks()) {
		t.Fatalf("opened %#v", blocks)
	}
}

func TestRouterRoundTrip(t *testing.T) {
	router := routerKey(t, 0x50)
	big := make([]byte, 60000)
	tests := []struct {
		name   string
		blocks []Block
	}{
		{"datetime only", []Block{DateTime{Seconds: 1}}},
		{"vector", vectorBlocks()},
		{"several cloves", []Block{DateTime{Seconds: 2}, Options{More: []byte{}},
			Clove{Delivery: Delivery{Type: DeliveryTunnel, Hash: testHash(3), TunnelID: 77},
				Message: i2np.Message{Type: i2np.TypeData, ID: 1, Expiration: time.Unix(5, 0).UTC(), Payload: []byte{1, 2}}},
			Clove{Delivery: Delivery{Type: DeliveryRouter, Hash: testHash(4)},
				Message: i2np.Message{Type: i2np.TypeData, ID: 2, Expiration: time.Unix(6, 0).UTC(), Payload: []byte{}}}}},
		{"large", []Block{DateTime{}, Clove{Message: i2np.Message{Type: i2np.TypeData, Expiration: time.Unix(0, 0).UTC(), Payload: big}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, err := SealForRouter(nil, &router.Public, tc.blocks)
			if err != nil {
				t.Fatal(err)
			}
			if len(body) != EphemeralSize+BlocksLen(tc.blocks)+MACSize {
				t.Errorf("length %d", len(body))
			}
			got, err := OpenForRouter(&router, body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.blocks) {
				t.Fatalf("round trip differs")
			}
			other := routerKey(t, 0x60)
			if _, err := OpenForRouter(&other, body); !errors.Is(err, ErrDecrypt) {
				t.Errorf("wrong key: err = %v", err)
			}
		})
	}
}

func TestSealForRouterErrors(t *testing.T) {
	router := routerKey(t, 0x50)
	dst := []byte{9}
	out, err := AppendSealForRouter(dst, nil, &router.Public, []Block{Clove{}})
	if !errors.Is(err, ErrOrder) || !bytes.Equal(out, dst) {
		t.Errorf("no datetime: %v, %x", err, out)
	}
	var zero crypto.X25519PublicKey
	if _, err := SealForRouter(nil, &zero, []Block{DateTime{}}); !errors.Is(err, crypto.ErrLowOrderPoint) {
		t.Errorf("low-order key: %v", err)
	}
	if _, err := SealForRouter(bytes.NewReader(nil), &router.Public, []Block{DateTime{}}); err == nil {
		t.Error("empty rand accepted")
	}
	if _, err := SealForRouter(nil, &router.Public, []Block{DateTime{}, Ack{}}); !errors.Is(err, ErrOrder) {
		t.Errorf("ack in new session: %v", err)
	}
	if _, err := SealForRouter(nil, &router.Public, []Block{DateTime{}, Padding{Size: -1}}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("bad block: %v", err)
	}
}

func TestOpenForRouterCorrupt(t *testing.T) {
	router := routerKey(t, 0x01)
	body, err := SealForRouter(&seqReader{next: 0x21}, &router.Public, vectorBlocks())
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		bad := bytes.Clone(body)
		bad[i] ^= 0x04
		if _, err := OpenForRouter(&router, bad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("flipped byte %d: err = %v", i, err)
		}
	}
	for n := range body {
		_, err := OpenForRouter(&router, body[:n])
		if err == nil {
			t.Fatalf("truncated to %d accepted", n)
		}
		if n < MinRouterMessageSize && !errors.Is(err, ErrTruncated) {
			t.Errorf("truncated to %d: %v", n, err)
		}
	}
	own := bytes.Clone(body)
	copy(own, router.Public[:])
	if _, err := OpenForRouter(&router, own); !errors.Is(err, ErrDecrypt) {
		t.Errorf("own key as ephemeral: %v", err)
	}
	zero := make([]byte, len(body))
	if _, err := OpenForRouter(&router, zero); !errors.Is(err, ErrDecrypt) {
		t.Errorf("zero ephemeral: %v", err)
	}
}

// TestOpenForRouterBadPayload seals payloads that authenticate but break
// the block format or the New Session rules.
func TestOpenForRouterBadPayload(t *testing.T) {
	router := routerKey(t, 0x01)
	tests := []struct {
		name    string
		payload []byte
		want    error
	}{
		{"no datetime", []byte{0xfe, 0, 4, 0, 0, 0, 0}, ErrOrder},
		{"two datetimes", []byte{0, 0, 4, 1, 2, 3, 4, 0, 0, 4, 1, 2, 3, 4}, ErrOrder},
		{"bad size", []byte{0, 0, 5, 1, 2, 3, 4, 5}, ErrInvalid},
		{"truncated block", []byte{0, 0, 4, 1, 2, 3, 4, 0xfe}, ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hesk, sesk [32]byte
			copy(hesk[:], router.Private[:])
			sesk[0] = 0x77
			body := handDerivedRouterMessage(t, hesk, sesk, tc.payload)
			if _, err := OpenForRouter(&router, body); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestWrapForRouter(t *testing.T) {
	router := routerKey(t, 0x01)
	now := time.Unix(1700000000, 0).UTC()
	m := i2np.Message{Type: i2np.TypeShortTunnelBuild, ID: 42, Expiration: now.Add(i2np.ExpirationTimeout), Payload: []byte{1, 2, 3}}
	body, err := WrapForRouter(nil, &router.Public, now, m)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := OpenForRouter(&router, body)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 || blocks[0] != (DateTime{Seconds: 1700000000}) || blocks[2].Type() != BlockPadding {
		t.Fatalf("blocks %#v", blocks)
	}
	if p := blocks[2].(Padding); p.Size > MaxPadding {
		t.Errorf("padding %d", p.Size)
	}
	if c := Cloves(blocks); len(c) != 1 || !reflect.DeepEqual(c[0], Clove{Message: m}) {
		t.Errorf("cloves %#v", c)
	}
	if _, err := WrapForRouter(bytes.NewReader(nil), &router.Public, now, m); err == nil {
		t.Error("empty rand accepted")
	}
}

// TestInitialHash checks "KDF for Initial ck and h" against the constant
// i2pd precomputes (Crypto.cpp InitNoiseNState: SHA256(protocol_name || 0)).
func TestInitialHash(t *testing.T) {
	var ss noise.SymmetricState
	ss.Init([]byte(noise.ProtocolN))
	ss.MixHash(nil)
	want := unhex(t, "694d52445a27d9adfad29c7632395dc1e4354c69b4f92eac8a1ee46a9ed21554")
	if h := ss.Hash(); !bytes.Equal(h[:], want) {
		t.Fatalf("h = %x", h)
	}
}
