package crypto

import (
	"encoding/binary"
	"testing"

	"github.com/dchest/siphash"
)

// SipHash-2-4 reference vectors (Aumasson and Bernstein, "SipHash: a fast
// short-input PRF", appendix A and the reference implementation's
// vectors.h): key = 00 01 .. 0f, input i = 00 01 .. (i-1), output as 8
// little-endian bytes.
var sipHashVectors = []string{
	"310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785",
	"b7877127e09427cf", "8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab",
	"6224939a79f5f593", "b0e4a90bdf82009e", "f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4",
	"fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7", "e545be4961ca29a1",
	"db9bc2577fcc2a3f", "9447be2cf5e99a69", "9cd38d96f0b3c14b", "bd6179a71dc96dbb",
	"98eea21af25cd6be", "c7673b2eb0cbf2d0", "883ea3e395675393", "c8ce5ccd8c030ca8",
	"94af49f6c650adb8", "eab8858ade92e1bc", "f315bb5bb835d817", "adcf6b0763612e2f",
	"a5c91da7acaa4dde", "716595876650a2a6", "28ef495c53a387ad", "42c341d8fa92d832",
	"ce7cf2722f512771", "e37859f94623f3a7", "381205bb1ab0e012", "ae97a10fd434e015",
	"b4a31508beff4d31", "81396229f0907902", "4d0cf49ee5d4dcca", "5c73336a76d8bf9a",
	"d0a704536ba93e0e", "925958fcd6420cad", "a915c29bc8067318", "952b79f3bc0aa6d4",
	"f21df2e41d4535f9", "87577519048f53a9", "10a56cf5dfcd9adb", "eb75095ccd986cd0",
	"51a9cb9ecba312e6", "96afadfc2ce666c7", "72fe52975a4364ee", "5a1645b276d592a1",
	"b274cb8ebf87870a", "6f9bb4203de7b381", "eaecb2a30b22a87f", "9924a43cc1315724",
	"bd838d3aafbf8db7", "0b1a2a3265d51aea", "135079a3231ce660", "932b2846e4d70666",
	"e1915f5cb1eca46c", "f325965ca16d629f", "575ff28e60381be5", "724506eb4c328a95",
}

const (
	sipTestK0 = 0x0706050403020100 // key bytes 00..07, little endian
	sipTestK1 = 0x0f0e0d0c0b0a0908 // key bytes 08..0f
)

func TestSipHashVectors(t *testing.T) {
	in := make([]byte, len(sipHashVectors))
	for i := range in {
		in[i] = byte(i)
	}
	for i, want := range sipHashVectors {
		var got [8]byte
		binary.LittleEndian.PutUint64(got[:], siphash.Hash(sipTestK0, sipTestK1, in[:i]))
		if w := unhex(t, want); string(got[:]) != string(w) {
			t.Errorf("input length %d: got %x, want %s", i, got, want)
		}
	}
	// Paper appendix A: 15-byte input.
	if got := siphash.Hash(sipTestK0, sipTestK1, in[:15]); got != 0xa129ca6149be45e5 {
		t.Errorf("paper example: got %x", got)
	}
}

// The masks chain: IV[n] = SipHash(k1, k2, IV[n-1]), mask = low 16 bits.
// The 8-byte inputs here are exactly vector 8's input, so the first step
// is checked against the reference table.
func TestLengthMaskChain(t *testing.T) {
	iv := [8]byte{0, 1, 2, 3, 4, 5, 6, 7}
	m := NewLengthMask(sipTestK0, sipTestK1, iv)
	first := m.Next()
	want8 := unhex(t, sipHashVectors[8])
	if first != binary.LittleEndian.Uint16(want8) {
		t.Fatalf("first mask %04x, want %02x%02x little endian", first, want8[1], want8[0])
	}
	if got := m.IV(); string(got[:]) != string(want8) {
		t.Fatalf("IV[1] = %x, want %x", got, want8)
	}
	// Independent chaining with the library over 100 frames.
	cur := binary.LittleEndian.Uint64(want8)
	for n := 2; n <= 100; n++ {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], cur)
		cur = siphash.Hash(sipTestK0, sipTestK1, b[:])
		if got := m.Next(); got != uint16(cur) {
			t.Fatalf("frame %d: mask %04x, want %04x", n, got, uint16(cur))
		}
	}
}

// Keys come from the 24-byte KDF output: k1 LE, k2 LE, IV; two parties
// with the same keys agree, and a length round-trips through the wire.
func TestLengthMaskFromKeys(t *testing.T) {
	var keys [SipKeysSize]byte
	for i := range keys {
		keys[i] = byte(i)
	}
	a, b := NewLengthMaskFromKeys(&keys), NewLengthMask(sipTestK0, sipTestK1, [8]byte{16, 17, 18, 19, 20, 21, 22, 23})
	for n := range 10 {
		length := uint16(100 + n)
		var wire [2]byte
		binary.BigEndian.PutUint16(wire[:], length^a.Next())
		if got := binary.BigEndian.Uint16(wire[:]) ^ b.Next(); got != length {
			t.Fatalf("frame %d: length %d came back as %d", n, length, got)
		}
	}
}

func TestLengthMaskNoAllocs(t *testing.T) {
	m := NewLengthMask(1, 2, [8]byte{3})
	if a := testing.AllocsPerRun(100, func() { m.Next() }); a != 0 {
		t.Errorf("Next allocates %.0f times", a)
	}
}
