package tunnel

import (
	"crypto/sha256"
	"fmt"
	"io"

	"i2pgate/router/crypto"
)

// BodySize is the size of a tunnel message body: the TunnelData message
// without its tunnel id (tunnel-message.rst "Tunnel Message").
const BodySize = crypto.TunnelBodySize

// Body is one 1024-byte tunnel message body: IV, then the 1008 encrypted
// (or, at the ends, decrypted) data bytes.
type Body = [BodySize]byte

// Decrypted body layout (tunnel-message.rst "Tunnel Message (Decrypted)"):
// IV 16, checksum 4, nonzero padding, a zero byte, then delivery
// instructions and fragments up to the end.
const (
	ivOffset       = crypto.TunnelIVOffset
	ivSize         = crypto.TunnelIVSize
	checksumOffset = ivOffset + ivSize
	checksumSize   = 4
	paddingOffset  = checksumOffset + checksumSize // 20

	// MaxPayloadSize is the room for instructions and fragments in one
	// body: 1008 data bytes minus the checksum and the zero byte.
	MaxPayloadSize = BodySize - paddingOffset - 1 // 1003
	// MaxFollowOnFragmentSize is the largest follow-on fragment.
	MaxFollowOnFragmentSize = MaxPayloadSize - FollowOnInstructionsSize // 996
)

// seal completes a preprocessed body whose last n bytes already hold the
// instructions and fragments: it writes a random IV, the checksum, the
// zero byte and nonzero random padding, all read from rand.
func seal(b *Body, n int, rand io.Reader) error {
	zero := BodySize - n - 1
	if _, err := io.ReadFull(rand, b[ivOffset:ivOffset+ivSize]); err != nil {
		return fmt.Errorf("tunnel: gateway: iv: %w", err)
	}
	sum := checksum(b, zero+1)
	copy(b[checksumOffset:], sum[:checksumSize])
	b[zero] = 0
	return nonzeroRandom(b[paddingOffset:zero], rand)
}

// checksum is SHA-256 of the bytes after the zero byte followed by the IV
// (hashed from a stack copy, which unlike a streaming hash does not
// allocate).
func checksum(b *Body, payloadOffset int) [sha256.Size]byte {
	var buf [BodySize - paddingOffset + ivSize]byte
	n := copy(buf[:], b[payloadOffset:])
	n += copy(buf[n:], b[ivOffset:ivOffset+ivSize])
	return sha256.Sum256(buf[:n])
}

// nonzeroRandom fills p with random bytes from rand, none of them zero.
func nonzeroRandom(p []byte, rand io.Reader) error {
	if _, err := io.ReadFull(rand, p); err != nil {
		return fmt.Errorf("tunnel: gateway: padding: %w", err)
	}
	for i := range p {
		for p[i] == 0 {
			var extra [1]byte // rarely needed: declared here, allocated here
			if _, err := io.ReadFull(rand, extra[:]); err != nil {
				return fmt.Errorf("tunnel: gateway: padding: %w", err)
			}
			p[i] = extra[0]
		}
	}
	return nil
}

// open checks a decrypted body and returns the instructions and fragments
// after its zero byte (possibly empty: a padding-only body).
func open(b *Body) ([]byte, error) {
	zero := -1
	for i := paddingOffset; i < BodySize; i++ {
		if b[i] == 0 {
			zero = i
			break
		}
	}
	if zero < 0 {
		return nil, fmt.Errorf("tunnel: body: no zero byte: %w", ErrInvalid)
	}
	sum := checksum(b, zero+1)
	if [checksumSize]byte(sum[:checksumSize]) != [checksumSize]byte(b[checksumOffset:paddingOffset]) {
		return nil, fmt.Errorf("tunnel: body: %w", ErrChecksum)
	}
	return b[zero+1:], nil
}
