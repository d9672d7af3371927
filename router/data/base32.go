package data

import (
	"encoding/base32"
	"fmt"
	"strings"
)

const (
	// B32Suffix ends every base32 destination name.
	B32Suffix = ".b32.i2p"
	// b32HashLen is the length of a base32-encoded Hash (52 characters).
	b32HashLen = 52
	// b33MinLen is the shortest base32 part of a b33 (encrypted LeaseSet2)
	// name; see i2p2www/spec/b32encrypted.rst.
	b33MinLen = 56
)

// i2pBase32 is read-only after initialisation: RFC 4648 lower case, no
// padding.
var i2pBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// EncodeBase32 returns b in lower-case RFC 4648 base32 without padding.
func EncodeBase32(b []byte) string {
	return i2pBase32.EncodeToString(b)
}

// DecodeBase32 decodes unpadded RFC 4648 base32, in either case. Only
// canonical encodings (unused trailing bits zero) are accepted.
func DecodeBase32(s string) ([]byte, error) {
	lower := strings.ToLower(s)
	b, err := i2pBase32.DecodeString(lower)
	if err != nil {
		return nil, fmt.Errorf("data: base32: %w", err)
	}
	if i2pBase32.EncodeToString(b) != lower {
		return nil, fmt.Errorf("data: base32: not canonical: %w", ErrInvalid)
	}
	return b, nil
}

// B32Address returns the "xxxx.b32.i2p" name of a destination hash
// (52 base32 characters plus the suffix).
func B32Address(h Hash) string {
	return EncodeBase32(h[:]) + B32Suffix
}

// ParseB32Address parses a ".b32.i2p" name (case-insensitive) back to its
// destination hash. A b33 name (56 or more base32 characters, used for
// encrypted LeaseSets) yields an error wrapping ErrB33NotSupported.
func ParseB32Address(name string) (Hash, error) {
	lower := strings.ToLower(name)
	base, ok := strings.CutSuffix(lower, B32Suffix)
	if !ok {
		return Hash{}, fmt.Errorf("data: b32 name %q: missing %s suffix: %w", name, B32Suffix, ErrInvalid)
	}
	switch {
	case len(base) == b32HashLen:
	case len(base) >= b33MinLen:
		return Hash{}, fmt.Errorf("data: b32 name: %w", ErrB33NotSupported)
	default:
		return Hash{}, fmt.Errorf("data: b32 name: length %d: %w", len(base), ErrInvalid)
	}
	b, err := DecodeBase32(base)
	if err != nil || len(b) != HashSize {
		return Hash{}, fmt.Errorf("data: b32 name: not canonical base32: %w", ErrInvalid)
	}
	return Hash(b), nil
}
