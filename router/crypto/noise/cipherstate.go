package noise

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"math"

	fnoise "github.com/flynn/noise"
)

// ErrNonceExhausted is returned once a CipherState has used nonce 2^64-2;
// 2^64-1 is reserved by the Noise specification.
var ErrNonceExhausted = errors.New("noise: cipher state nonce exhausted")

// ErrNoKey is returned by the explicit-nonce methods of a CipherState that
// has no key.
var ErrNoKey = errors.New("noise: cipher state has no key")

// ErrDecrypt is returned when a ciphertext fails to authenticate.
var ErrDecrypt = errors.New("noise: decryption failed")

// maxNonce is the last usable nonce.
const maxNonce = math.MaxUint64 - 1

// nonceCounterOffset: ChaChaPoly nonces are 4 zero bytes then the 64-bit
// little-endian counter (Noise spec 12.3, ntcp2.rst "AEAD").
const nonceCounterOffset = 4

// CipherState is the Noise CipherState: a key k and a 64-bit nonce n. A
// CipherState without a key passes data through unchanged, as the Noise
// specification says. Encrypt and Decrypt append to the caller's dst and
// do not allocate. It is not safe for concurrent use.
type CipherState struct {
	k      [KeySize]byte
	n      uint64
	hasKey bool
	aead   cipher.AEAD   // the suite's cipher as a cipher.AEAD, when it is one
	c      fnoise.Cipher // the suite's cipher otherwise
	nonce  [12]byte      // scratch, so the nonce does not escape per call
}

// NewCipherState returns a CipherState with key k and nonce 0.
func NewCipherState(k [KeySize]byte) *CipherState {
	var c CipherState
	c.InitializeKey(k)
	return &c
}

// InitializeKey sets the key and resets the nonce to 0.
func (c *CipherState) InitializeKey(k [KeySize]byte) {
	c.k = k
	c.n = 0
	c.hasKey = true
	c.c = Suite().Cipher(k)
	// flynn/noise's ChaChaPoly cipher embeds the cipher.AEAD; using it
	// directly with a scratch nonce avoids an allocation per message.
	c.aead, _ = c.c.(cipher.AEAD)
}

// HasKey reports whether a key has been set.
func (c *CipherState) HasKey() bool { return c.hasKey }

// Nonce returns the next nonce Encrypt or Decrypt will use.
func (c *CipherState) Nonce() uint64 { return c.n }

// SetNonce sets the next nonce.
func (c *CipherState) SetNonce(n uint64) { c.n = n }

func (c *CipherState) seal(dst []byte, n uint64, ad, plaintext []byte) []byte {
	if c.aead == nil {
		return c.c.Encrypt(dst, n, ad, plaintext)
	}
	binary.LittleEndian.PutUint64(c.nonce[nonceCounterOffset:], n)
	return c.aead.Seal(dst, c.nonce[:], plaintext, ad)
}

func (c *CipherState) open(dst []byte, n uint64, ad, ciphertext []byte) ([]byte, error) {
	var out []byte
	var err error
	if c.aead == nil {
		out, err = c.c.Decrypt(dst, n, ad, ciphertext)
	} else {
		binary.LittleEndian.PutUint64(c.nonce[nonceCounterOffset:], n)
		out, err = c.aead.Open(dst, c.nonce[:], ciphertext, ad)
	}
	if err != nil {
		return nil, ErrDecrypt
	}
	return out, nil
}

// Encrypt appends ENCRYPT(k, n++, ad, plaintext) to dst, or plaintext
// itself if there is no key. dst may be plaintext[:0] for in-place use.
func (c *CipherState) Encrypt(dst, ad, plaintext []byte) ([]byte, error) {
	if !c.hasKey {
		return append(dst, plaintext...), nil
	}
	if c.n > maxNonce {
		return nil, ErrNonceExhausted
	}
	out := c.seal(dst, c.n, ad, plaintext)
	c.n++
	return out, nil
}

// Decrypt appends DECRYPT(k, n, ad, ciphertext) to dst and increments n
// on success, or appends ciphertext itself if there is no key. A failed
// decryption leaves n unchanged.
func (c *CipherState) Decrypt(dst, ad, ciphertext []byte) ([]byte, error) {
	if !c.hasKey {
		return append(dst, ciphertext...), nil
	}
	if c.n > maxNonce {
		return nil, ErrNonceExhausted
	}
	out, err := c.open(dst, c.n, ad, ciphertext)
	if err != nil {
		return nil, err
	}
	c.n++
	return out, nil
}

// EncryptAt encrypts with the explicit nonce n and leaves the counter
// alone, for protocols whose nonce travels with the message (SSU2 packet
// numbers, ratchet tag indexes).
func (c *CipherState) EncryptAt(dst []byte, n uint64, ad, plaintext []byte) ([]byte, error) {
	if !c.hasKey {
		return nil, ErrNoKey
	}
	return c.seal(dst, n, ad, plaintext), nil
}

// DecryptAt decrypts with the explicit nonce n and leaves the counter
// alone.
func (c *CipherState) DecryptAt(dst []byte, n uint64, ad, ciphertext []byte) ([]byte, error) {
	if !c.hasKey {
		return nil, ErrNoKey
	}
	return c.open(dst, n, ad, ciphertext)
}
