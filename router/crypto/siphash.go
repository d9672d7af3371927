package crypto

import (
	"encoding/binary"

	"github.com/dchest/siphash"
)

// SipHash key material sizes (ntcp2.rst "KDF for data phase": sipkeys are
// k1 (8 bytes LE) || k2 (8 bytes LE) || IV (8 bytes)).
const (
	SipKeysSize   = 24
	sipK1Offset   = 0
	sipK2Offset   = 8
	sipIVOffset   = 16
	SipHashIVSize = 8
)

// LengthMask produces the per-frame masks that obfuscate NTCP2 data-phase
// frame lengths (ntcp2.rst "SipHash obfuscated length"):
//
//	IV[n]   = SipHash-2-4(k1, k2, IV[n-1])   (IV as 8 bytes, little endian)
//	Mask[n] = first 2 bytes of IV[n], little endian
//	wire    = big-endian uint16(length ^ Mask[n])
//
// The first frame uses IV[1]. Each direction has its own LengthMask. It is
// not safe for concurrent use.
type LengthMask struct {
	k1, k2 uint64
	iv     [SipHashIVSize]byte
}

// NewLengthMask returns a LengthMask for keys k1, k2 and the initial IV.
func NewLengthMask(k1, k2 uint64, iv [SipHashIVSize]byte) *LengthMask {
	return &LengthMask{k1: k1, k2: k2, iv: iv}
}

// NewLengthMaskFromKeys returns a LengthMask from the 24-byte sipkeys
// output of the NTCP2 data-phase KDF.
func NewLengthMaskFromKeys(sipkeys *[SipKeysSize]byte) *LengthMask {
	var iv [SipHashIVSize]byte
	copy(iv[:], sipkeys[sipIVOffset:])
	return NewLengthMask(
		binary.LittleEndian.Uint64(sipkeys[sipK1Offset:]),
		binary.LittleEndian.Uint64(sipkeys[sipK2Offset:]),
		iv)
}

// Next advances the IV and returns the mask for the next frame; XOR it with
// the frame length (as an integer) before writing or after reading it big
// endian.
func (m *LengthMask) Next() uint16 {
	h := siphash.Hash(m.k1, m.k2, m.iv[:])
	binary.LittleEndian.PutUint64(m.iv[:], h)
	return binary.LittleEndian.Uint16(m.iv[:2])
}

// IV returns the current IV (IV[n] after n calls to Next).
func (m *LengthMask) IV() [SipHashIVSize]byte { return m.iv }
