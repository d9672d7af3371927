package crypto

import (
	"bytes"
	"errors"
	"testing"
)

// Vectors from i2pd tests/test-elligator.cpp (the first two also appear in
// Java I2P's Elligator2.java main()). The i2pd key has bit 255 set, which
// i2pd and Java read as part of the integer (2^255 = 19 mod p), so it
// decodes back to its canonical form, 19 more with bit 255 cleared.
var elligatorEncodeVectors = []struct {
	name     string
	tweak    byte
	pub, rep string
}{
	{"i2pd key", 0x00,
		"33951964003c940878063ccfd0348af42150ca16d2646f2c5856e8338377d880",
		"2820b6b241e0f68a6c4a7fee3d978228ef3ae45533cd410aa91a415331d8612d"},
	{"i2pd key highY", 0x01,
		"33951964003c940878063ccfd0348af42150ca16d2646f2c5856e8338377d880",
		"3cfb87c46c0b4575ca8175e0ed1c0ae9dae79db78df86997c4847b9f20b27718"},
	{"i2pd key random bits", 0xc0,
		"33951964003c940878063ccfd0348af42150ca16d2646f2c5856e8338377d880",
		"2820b6b241e0f68a6c4a7fee3d978228ef3ae45533cd410aa91a415331d861ed"},
}

const i2pdKeyCanonical = "46951964003c940878063ccfd0348af42150ca16d2646f2c5856e8338377d800"

var elligatorDecodeVectors = []struct {
	name, rep, pub string
}{
	{"i2pd encoded1",
		"e73507d38bae63992b3f57aac48c0abc14509589288457995a2b4ca3490aa207",
		"1e8afffed6bf53fe271ad572473262ded8faec68e5e67ef45ebb82eeba52604f"},
	{"i2pd encoded2",
		"95a16019041dbefed9832048ede11928d90365f24a38aa7aef1b97e23954101b",
		"794f05ba3e3a72958022468c88981e0be5782be1e1145ce2c3c6fde16ded5363"},
	{"i2pd encoded3 = (p-1)/2",
		"f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff3f",
		"9cdb525555555555555555555555555555555555555555555555555555555555"},
	{"encoded1 with random high bits",
		"e73507d38bae63992b3f57aac48c0abc14509589288457995a2b4ca3490aa2c7",
		"1e8afffed6bf53fe271ad572473262ded8faec68e5e67ef45ebb82eeba52604f"},
}

func TestElligatorEncodeVectors(t *testing.T) {
	for _, v := range elligatorEncodeVectors {
		t.Run(v.name, func(t *testing.T) {
			pub := X25519PublicKey(unhex32(t, v.pub))
			got, ok := EncodeElligatorTweak(&pub, v.tweak)
			if !ok {
				t.Fatal("not encodable")
			}
			if want := unhex32(t, v.rep); got != want {
				t.Fatalf("got %x\nwant %x", got, want)
			}
			back, err := DecodeElligator(&got)
			if want := X25519PublicKey(unhex32(t, i2pdKeyCanonical)); err != nil || back != want {
				t.Fatalf("decode(encode) = %x, %v; want %x", back, err, want)
			}
		})
	}
}

func TestElligatorDecodeVectors(t *testing.T) {
	for _, v := range elligatorDecodeVectors {
		t.Run(v.name, func(t *testing.T) {
			rep := unhex32(t, v.rep)
			got, err := DecodeElligator(&rep)
			if err != nil {
				t.Fatal(err)
			}
			if want := X25519PublicKey(unhex32(t, v.pub)); got != want {
				t.Fatalf("got %x\nwant %x", got, want)
			}
		})
	}
}

func TestElligatorNotEncodable(t *testing.T) {
	// i2pd tests/test-elligator.cpp failed_key.
	pub := X25519PublicKey(unhex32(t, "e6f66fdf6e230c603c5e6e59a254ea1476a13eb9511b9549846781e12e52230a"))
	for _, tweak := range []byte{0, 1, 0xc1} {
		if _, ok := EncodeElligatorTweak(&pub, tweak); ok {
			t.Errorf("tweak %#x: encoded a key that has no representative", tweak)
		}
	}
	if _, err := EncodeElligator(&pub, &countingReader{}); !errors.Is(err, ErrNotEncodable) {
		t.Errorf("EncodeElligator err = %v", err)
	}
}

func TestElligatorOutOfRange(t *testing.T) {
	// (p-1)/2 + 1 .. 2^254-1 after masking are rejected.
	for _, h := range []string{
		"f7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff3f",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff3f",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	} {
		rep := unhex32(t, h)
		if _, err := DecodeElligator(&rep); !errors.Is(err, ErrBadRepresentative) {
			t.Errorf("%s: err = %v", h, err)
		}
	}
	zero := [32]byte{}
	if pub, err := DecodeElligator(&zero); err != nil {
		t.Errorf("zero representative: %x, %v", pub, err)
	}
}

// Property: keys are generated until encodable; decode(encode(pk)) == pk
// for every tweak, the random high bits vary, and about half of all keys
// are encodable.
func TestElligatorRoundTrip(t *testing.T) {
	rng := &countingReader{next: 42}
	encodable := 0
	const keys = 200
	for range keys {
		kp, err := GenerateX25519(rng)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := EncodeElligatorTweak(&kp.Public, 0); !ok {
			continue
		}
		encodable++
		for _, tweak := range []byte{0x00, 0x01, 0x40, 0x81, 0xc0, 0xff} {
			rep, ok := EncodeElligatorTweak(&kp.Public, tweak)
			if !ok {
				t.Fatalf("tweak %#x: not encodable although tweak 0 was", tweak)
			}
			if rep[31]&0xc0 != tweak&0xc0 {
				t.Fatalf("tweak %#x: high bits %#x", tweak, rep[31]&0xc0)
			}
			back, err := DecodeElligator(&rep)
			if err != nil || back != kp.Public {
				t.Fatalf("tweak %#x: decode(encode(%x)) = %x, %v", tweak, kp.Public, back, err)
			}
		}
	}
	if encodable < keys/4 || encodable > keys*3/4 {
		t.Errorf("%d of %d keys encodable, want about half", encodable, keys)
	}
}

func TestGenerateElligatorKey(t *testing.T) {
	highBits := map[byte]bool{}
	for range 20 {
		kp, rep, err := GenerateElligatorKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		if kp.Public != kp.Private.PublicKey() {
			t.Fatal("public key mismatch")
		}
		back, err := DecodeElligator(&rep)
		if err != nil || back != kp.Public {
			t.Fatalf("decode = %x, %v; want %x", back, err, kp.Public)
		}
		highBits[rep[31]&0xc0] = true
	}
	if len(highBits) < 2 {
		t.Errorf("high bits never vary: %v", highBits)
	}
	if _, _, err := GenerateElligatorKey(bytes.NewReader(nil)); err == nil {
		t.Error("empty reader: no error")
	}
	// A reader that always yields the same non-encodable key must give up.
	if _, _, err := GenerateElligatorKey(&repeatReader{b: unhexKeyNotEncodable()}); err == nil {
		t.Error("stuck reader: no error")
	}
}

// repeatReader yields b over and over, 33 bytes per key attempt.
type repeatReader struct {
	b   []byte
	pos int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.b[r.pos%len(r.b)]
		r.pos++
	}
	return len(p), nil
}

// unhexKeyNotEncodable returns 33 bytes: a private key whose public key has
// no representative, then a tweak byte.
func unhexKeyNotEncodable() []byte {
	for i := range 256 {
		var priv X25519PrivateKey
		priv[0] = byte(i)
		priv[1] = 1
		pub := priv.PublicKey()
		if _, ok := EncodeElligatorTweak(&pub, 0); !ok {
			return append(priv[:], 0)
		}
	}
	panic("no non-encodable key found")
}

func FuzzDecodeElligator(f *testing.F) {
	for _, v := range elligatorDecodeVectors {
		f.Add(unhex(f, v.rep))
	}
	f.Add(make([]byte, 32))
	f.Fuzz(func(t *testing.T, in []byte) {
		var rep [32]byte
		copy(rep[:], in)
		pub, err := DecodeElligator(&rep)
		if err != nil {
			return
		}
		// A decoded point has a representative that decodes to it again.
		for _, tweak := range []byte{0, 1} {
			again, ok := EncodeElligatorTweak(&pub, tweak)
			if !ok {
				t.Fatalf("decoded key %x is not encodable", pub)
			}
			if back, err := DecodeElligator(&again); err != nil || back != pub {
				t.Fatalf("re-decode = %x, %v; want %x", back, err, pub)
			}
		}
	})
}

func BenchmarkGenerateElligatorKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := GenerateElligatorKey(nil); err != nil {
			b.Fatal(err)
		}
	}
}
