package data

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
)

// HashSize is the size of a Hash in bytes.
const HashSize = 32

// Hash is the SHA-256 of some data (common-structures "Hash"). Router and
// destination hashes are the Hash of the full serialized identity.
type Hash [HashSize]byte

// HashOf returns the SHA-256 of b.
func HashOf(b []byte) Hash {
	return sha256.Sum256(b)
}

// String returns h in I2P base64, the form used in netDb file names and
// logs.
func (h Hash) String() string {
	return EncodeBase64(h[:])
}

// IsZero reports whether h is all zeros.
func (h Hash) IsZero() bool {
	return h == Hash{}
}

// Equal compares two hashes in constant time.
func (h Hash) Equal(o Hash) bool {
	return subtle.ConstantTimeCompare(h[:], o[:]) == 1
}

// XOR returns the bitwise XOR of h and o, the Kademlia distance.
func (h Hash) XOR(o Hash) Hash {
	var d Hash
	for i := range d {
		d[i] = h[i] ^ o[i]
	}
	return d
}

// ParseHashBase64 decodes a Hash from I2P base64 (44 characters padded).
func ParseHashBase64(s string) (Hash, error) {
	b, err := DecodeBase64(s)
	if err != nil {
		return Hash{}, err
	}
	if len(b) != HashSize {
		return Hash{}, fmt.Errorf("data: hash: length %d: %w", len(b), ErrInvalid)
	}
	return Hash(b), nil
}
