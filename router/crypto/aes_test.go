package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files in testdata")

// FIPS-197 appendix C.3 (AES-256 ECB).
func TestECBVector(t *testing.T) {
	key := unhex32(t, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	pt := unhex(t, "00112233445566778899aabbccddeeff")
	want := unhex(t, "8ea2b7ca516745bfeafc49904b496089")
	got := make([]byte, 16)
	if err := EncryptECB(&key, got, pt); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("EncryptECB = %x, %v; want %x", got, err, want)
	}
	if err := DecryptECB(&key, got, got); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("DecryptECB = %x, %v", got, err)
	}
}

// NIST SP 800-38A F.2.5 / F.2.6 (CBC-AES256), also split across two calls
// of one CBCState as NTCP2 splits X (message 1) and Y (message 2).
func TestCBCVector(t *testing.T) {
	key := unhex32(t, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
	var iv [16]byte
	copy(iv[:], unhex(t, "000102030405060708090a0b0c0d0e0f"))
	pt := unhex(t, `6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
		30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`)
	want := unhex(t, `f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d
		39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b`)

	got := make([]byte, len(pt))
	if err := EncryptCBC(&key, &iv, got, pt); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("EncryptCBC = %x, %v", got, err)
	}
	back := make([]byte, len(pt))
	if err := DecryptCBC(&key, &iv, back, got); err != nil || !bytes.Equal(back, pt) {
		t.Fatalf("DecryptCBC = %x, %v", back, err)
	}

	alice := NewCBCState(&key, &iv) // encrypts X, then decrypts Y
	bob := NewCBCState(&key, &iv)   // decrypts X, then encrypts Y
	x := append([]byte(nil), pt[:32]...)
	if err := alice.Encrypt(x, x); err != nil || !bytes.Equal(x, want[:32]) {
		t.Fatalf("message 1: %x, %v", x, err)
	}
	if err := bob.Decrypt(x, x); err != nil || !bytes.Equal(x, pt[:32]) {
		t.Fatalf("message 1 decrypt: %x, %v", x, err)
	}
	if aiv := alice.IV(); aiv != bob.IV() || !bytes.Equal(aiv[:], want[16:32]) {
		t.Fatalf("states differ after message 1: %x %x", alice.IV(), bob.IV())
	}
	y := append([]byte(nil), pt[32:]...)
	if err := bob.Encrypt(y, y); err != nil || !bytes.Equal(y, want[32:]) {
		t.Fatalf("message 2: %x, %v", y, err)
	}
	if err := alice.Decrypt(y, y); err != nil || !bytes.Equal(y, pt[32:]) {
		t.Fatalf("message 2 decrypt: %x, %v", y, err)
	}
}

func TestCBCBadLengths(t *testing.T) {
	var key [32]byte
	var iv [16]byte
	s := NewCBCState(&key, &iv)
	for _, tc := range []struct{ dst, src int }{{15, 15}, {17, 17}, {16, 32}} {
		if err := s.Encrypt(make([]byte, tc.dst), make([]byte, tc.src)); err == nil {
			t.Errorf("Encrypt %d/%d: no error", tc.dst, tc.src)
		}
		if err := s.Decrypt(make([]byte, tc.dst), make([]byte, tc.src)); err == nil {
			t.Errorf("Decrypt %d/%d: no error", tc.dst, tc.src)
		}
		if err := EncryptECB(&key, make([]byte, tc.dst), make([]byte, tc.src)); err == nil {
			t.Errorf("EncryptECB %d/%d: no error", tc.dst, tc.src)
		}
	}
	if s.IV() != iv {
		t.Error("failed calls changed the state")
	}
}

// referenceLayer is the tunnel layer written plainly with crypto/cipher,
// following docs/tunnels/implementation "Participant Processing".
func referenceLayer(layerKey, ivKey *[32]byte, in *[TunnelBodySize]byte) [TunnelBodySize]byte {
	ivb, _ := aes.NewCipher(ivKey[:])
	lb, _ := aes.NewCipher(layerKey[:])
	var out [TunnelBodySize]byte
	iv := make([]byte, 16)
	ivb.Encrypt(iv, in[:16])
	cipher.NewCBCEncrypter(lb, iv).CryptBlocks(out[16:], in[16:])
	ivb.Encrypt(out[:16], iv)
	return out
}

func tunnelTestKeys() (layerKey, ivKey [32]byte, msg [TunnelBodySize]byte) {
	for i := range layerKey {
		layerKey[i] = byte(i)
		ivKey[i] = byte(0xff - i)
	}
	for i := range msg {
		msg[i] = byte(i * 7)
	}
	return layerKey, ivKey, msg
}

func TestTunnelLayer(t *testing.T) {
	layerKey, ivKey, msg := tunnelTestKeys()
	l := NewTunnelLayer(&layerKey, &ivKey)
	want := referenceLayer(&layerKey, &ivKey, &msg)
	got := msg
	l.Encrypt(&got)
	if got != want {
		t.Fatal("Encrypt differs from the reference construction")
	}
	checkGolden(t, "tunnel_layer.hex", got[:])
	l.Decrypt(&got)
	if got != msg {
		t.Fatal("Decrypt does not invert Encrypt")
	}
}

// An outbound gateway decrypts with each hop's layer from last to first;
// the hops then encrypt in order and the endpoint sees the plaintext.
func TestTunnelLayerOutbound(t *testing.T) {
	_, _, msg := tunnelTestKeys()
	var hops []*TunnelLayer
	for h := range 3 {
		var lk, ik [32]byte
		lk[0], ik[0] = byte(h), byte(h+100)
		hops = append(hops, NewTunnelLayer(&lk, &ik))
	}
	wire := msg
	for i := len(hops) - 1; i >= 0; i-- {
		hops[i].Decrypt(&wire)
	}
	for _, h := range hops {
		h.Encrypt(&wire)
	}
	if wire != msg {
		t.Fatal("outbound tunnel did not reveal the plaintext at the endpoint")
	}
}

func TestTunnelLayerNoAllocs(t *testing.T) {
	layerKey, ivKey, _ := tunnelTestKeys()
	l := NewTunnelLayer(&layerKey, &ivKey)
	msg := new([TunnelBodySize]byte)
	if a := testing.AllocsPerRun(50, func() { l.Encrypt(msg); l.Decrypt(msg) }); a != 0 {
		t.Errorf("Encrypt+Decrypt allocate %.0f times", a)
	}
}

func FuzzTunnelLayer(f *testing.F) {
	f.Add([]byte{}, []byte{1, 2, 3})
	f.Add(bytes.Repeat([]byte{0xff}, 64), bytes.Repeat([]byte{0}, 1024))
	f.Fuzz(func(t *testing.T, keys, body []byte) {
		var lk, ik [32]byte
		copy(lk[:], keys)
		if len(keys) > 32 {
			copy(ik[:], keys[32:])
		}
		var msg [TunnelBodySize]byte
		copy(msg[:], body)
		l := NewTunnelLayer(&lk, &ik)
		got := msg
		l.Encrypt(&got)
		if got != referenceLayer(&lk, &ik, &msg) {
			t.Fatal("Encrypt differs from the reference")
		}
		l.Decrypt(&got)
		if got != msg {
			t.Fatal("round trip failed")
		}
	})
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(hex.EncodeToString(got)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, strings.TrimSpace(string(data)))
	if !bytes.Equal(got, want) {
		t.Errorf("%s: got %x\nwant %x", name, got, want)
	}
}

func benchmarkTunnel(b *testing.B, decrypt bool) {
	layerKey, ivKey, m := tunnelTestKeys()
	l := NewTunnelLayer(&layerKey, &ivKey)
	msg := &m
	b.SetBytes(TunnelBodySize)
	b.ReportAllocs()
	for b.Loop() {
		if decrypt {
			l.Decrypt(msg)
		} else {
			l.Encrypt(msg)
		}
	}
}

func BenchmarkTunnelLayerEncrypt(b *testing.B) { benchmarkTunnel(b, false) }
func BenchmarkTunnelLayerDecrypt(b *testing.B) { benchmarkTunnel(b, true) }
