package ntcp2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"i2pgate/router/crypto"
)

// ErrFrame is wrapped by data-phase frame errors: a length outside
// MinFrameSize..MaxFrameSize or a frame that fails to authenticate.
var ErrFrame = errors.New("ntcp2: bad frame")

// sealer protects one direction's frames (ntcp2.rst "4) Data Phase",
// "Raw contents"): a SipHash-obfuscated big-endian length, then the
// ChaCha20-Poly1305 frame with no associated data and nonces from 0.
type sealer struct {
	aead *crypto.AEAD
	mask *crypto.LengthMask
	n    uint64
}

func newSealer(key *[32]byte, sip *[crypto.SipKeysSize]byte) *sealer {
	return &sealer{aead: crypto.NewAEAD(key), mask: crypto.NewLengthMaskFromKeys(sip)}
}

// seal appends the obfuscated length and the encrypted frame of payload.
func (s *sealer) seal(dst, payload []byte) ([]byte, error) {
	n := len(payload) + MACSize
	if n > MaxFrameSize {
		return dst, fmt.Errorf("%w: payload of %d bytes", ErrFrame, len(payload))
	}
	if s.n == math.MaxUint64 {
		return dst, fmt.Errorf("%w: nonce exhausted", ErrFrame)
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(n)^s.mask.Next())
	dst = s.aead.Seal(dst, s.n, payload, nil)
	s.n++
	return dst, nil
}

// opener reads one direction's frames.
type opener struct {
	aead *crypto.AEAD
	mask *crypto.LengthMask
	n    uint64
}

func newOpener(key *[32]byte, sip *[crypto.SipKeysSize]byte) *opener {
	return &opener{aead: crypto.NewAEAD(key), mask: crypto.NewLengthMaskFromKeys(sip)}
}

// length de-obfuscates the next frame's length field.
func (o *opener) length(b [LengthSize]byte) (int, error) {
	n := int(binary.BigEndian.Uint16(b[:]) ^ o.mask.Next())
	if n < MinFrameSize {
		return 0, fmt.Errorf("%w: length %d", ErrFrame, n)
	}
	return n, nil
}

// open authenticates and decrypts a frame of the length just read,
// appending the payload to dst.
func (o *opener) open(dst, frame []byte) ([]byte, error) {
	if o.n == math.MaxUint64 {
		return dst, fmt.Errorf("%w: nonce exhausted", ErrFrame)
	}
	out, err := o.aead.Open(dst, o.n, frame, nil)
	if err != nil {
		return dst, fmt.Errorf("%w: %w", ErrFrame, err)
	}
	o.n++
	return out, nil
}

// received returns the number of frames authenticated so far, for the
// Termination block.
func (o *opener) received() uint64 { return o.n }
