package crypto

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/chacha20poly1305"
)

// ChaCha20-Poly1305 and ChaCha20 sizes (RFC 8439).
const (
	AEADKeySize   = chacha20poly1305.KeySize   // 32
	AEADNonceSize = chacha20poly1305.NonceSize // 12
	AEADTagSize   = chacha20poly1305.Overhead  // 16

	// nonceCounterOffset is where the 64-bit little-endian counter sits in
	// the 12-byte nonce; the 4 bytes before it are zero (ntcp2.rst "AEAD",
	// ecies.rst "3) AEAD").
	nonceCounterOffset = 4

	// ChaCha20InitialCounter is the block counter I2P starts raw ChaCha20
	// at (RFC 8439 section 2.4; i2pd Crypto.cpp and Java I2P ChaCha20.java
	// both use 1).
	ChaCha20InitialCounter = 1
)

// ErrOpen is returned when a ChaCha20-Poly1305 ciphertext fails to
// authenticate.
var ErrOpen = errors.New("crypto: chacha20-poly1305: message authentication failed")

// Nonce returns I2P's 12-byte AEAD nonce for counter n: 4 zero bytes, then n
// as 8 little-endian bytes.
func Nonce(n uint64) [AEADNonceSize]byte {
	var nonce [AEADNonceSize]byte
	binary.LittleEndian.PutUint64(nonce[nonceCounterOffset:], n)
	return nonce
}

// AEAD is ChaCha20-Poly1305 bound to one key, with I2P's counter nonces.
// It keeps a scratch nonce so that Seal and Open do not allocate; it is not
// safe for concurrent use.
type AEAD struct {
	aead  cipher.AEAD
	nonce [AEADNonceSize]byte
}

// NewAEAD returns an AEAD for key.
func NewAEAD(key *[AEADKeySize]byte) *AEAD {
	a, err := chacha20poly1305.New(key[:])
	if err != nil {
		// New fails only for a wrong key length, which the array excludes.
		panic("crypto: chacha20-poly1305: " + err.Error())
	}
	return &AEAD{aead: a}
}

// Seal appends the encryption of plaintext, authenticated with ad, under
// nonce counter n to dst and returns the extended slice. dst and plaintext
// may alias exactly (dst[:0] over plaintext's storage) or not at all.
func (a *AEAD) Seal(dst []byte, n uint64, plaintext, ad []byte) []byte {
	binary.LittleEndian.PutUint64(a.nonce[nonceCounterOffset:], n)
	return a.aead.Seal(dst, a.nonce[:], plaintext, ad)
}

// Open authenticates and decrypts ciphertext (which includes the 16-byte
// tag) under nonce counter n with ad, appending the plaintext to dst.
func (a *AEAD) Open(dst []byte, n uint64, ciphertext, ad []byte) ([]byte, error) {
	if len(ciphertext) < AEADTagSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the tag", ErrOpen, len(ciphertext))
	}
	binary.LittleEndian.PutUint64(a.nonce[nonceCounterOffset:], n)
	out, err := a.aead.Open(dst, a.nonce[:], ciphertext, ad)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// Seal is a one-shot ChaCha20-Poly1305 encryption with key and I2P nonce
// counter n. Use an AEAD for repeated operations with one key.
func Seal(key *[AEADKeySize]byte, n uint64, dst, plaintext, ad []byte) []byte {
	return NewAEAD(key).Seal(dst, n, plaintext, ad)
}

// Open is a one-shot ChaCha20-Poly1305 decryption with key and I2P nonce
// counter n.
func Open(key *[AEADKeySize]byte, n uint64, dst, ciphertext, ad []byte) ([]byte, error) {
	return NewAEAD(key).Open(dst, n, ciphertext, ad)
}

// ChaCha20 XORs src with the ChaCha20 key stream for key and the 12-byte
// nonce, starting at block counter 1 as I2P does, and writes the result to
// dst (len(dst) >= len(src); dst and src may alias exactly). It is its own
// inverse and does not allocate. SSU2 header protection (ssu2.rst "Header
// Encryption KDF") uses it with the 8 bytes of a mask set to zero.
func ChaCha20(key *[32]byte, nonce *[12]byte, dst, src []byte) {
	ChaCha20Counter(key, nonce, ChaCha20InitialCounter, dst, src)
}

// ChaCha20Counter is ChaCha20 with an explicit initial block counter.
// It panics if len(dst) < len(src), like cipher.Stream.
func ChaCha20Counter(key *[32]byte, nonce *[12]byte, counter uint32, dst, src []byte) {
	c, err := chacha20.NewUnauthenticatedCipher(key[:], nonce[:])
	if err != nil {
		// Fails only for wrong key or nonce lengths, which the arrays exclude.
		panic("crypto: chacha20: " + err.Error())
	}
	c.SetCounter(counter)
	c.XORKeyStream(dst, src)
}
