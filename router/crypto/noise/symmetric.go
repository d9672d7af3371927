package noise

import (
	"crypto/hmac"
	"hash"

	fnoise "github.com/flynn/noise"
)

// SymmetricState is the Noise SymmetricState (Noise spec 5.2): the
// chaining key ck, the handshake hash h and a CipherState. Protocols that
// deviate from the standard message flow (the ratchet's New Session Reply,
// SSU2's header MixHash) drive it step by step. The zero value must be
// initialised with Init before use.
type SymmetricState struct {
	suite fnoise.CipherSuite
	cs    CipherState
	ck    [HashSize]byte
	h     [HashSize]byte
}

// NewSymmetricState returns a SymmetricState initialised with protocolName.
func NewSymmetricState(protocolName []byte) *SymmetricState {
	var s SymmetricState
	s.Init(protocolName)
	return &s
}

// Init is InitializeSymmetric: h = protocolName zero-padded to 32 bytes if
// it fits, else SHA-256(protocolName); ck = h; no cipher key.
func (s *SymmetricState) Init(protocolName []byte) {
	s.suite = Suite()
	s.cs = CipherState{}
	if len(protocolName) <= HashSize {
		s.h = [HashSize]byte{}
		copy(s.h[:], protocolName)
	} else {
		hh := s.suite.Hash()
		hh.Write(protocolName)
		hh.Sum(s.h[:0])
	}
	s.ck = s.h
}

// MixHash sets h = SHA-256(h || data).
func (s *SymmetricState) MixHash(data []byte) {
	s.h = s.hashOf(data)
}

func (s *SymmetricState) hashOf(data []byte) [HashSize]byte {
	hh := s.suite.Hash()
	hh.Write(s.h[:])
	hh.Write(data)
	var out [HashSize]byte
	hh.Sum(out[:0])
	return out
}

// MixKey sets ck, k = HKDF(ck, ikm, 2) and resets the nonce to 0. It
// returns k for protocols that use it with explicit nonces (the same k is
// also held by the internal CipherState).
func (s *SymmetricState) MixKey(ikm []byte) [KeySize]byte {
	var k [KeySize]byte
	s.ck, k = hkdf2(s.suite.Hash, s.ck[:], ikm)
	s.cs.InitializeKey(k)
	return k
}

// EncryptAndHash appends ENCRYPT(k, n++, h, plaintext) (or plaintext
// itself before the first MixKey) to dst and mixes the result into h.
func (s *SymmetricState) EncryptAndHash(dst, plaintext []byte) ([]byte, error) {
	out, err := s.cs.Encrypt(dst, s.h[:], plaintext)
	if err != nil {
		return nil, err
	}
	s.MixHash(out[len(dst):])
	return out, nil
}

// DecryptAndHash appends DECRYPT(k, n++, h, ciphertext) (or ciphertext
// itself before the first MixKey) to dst and mixes the ciphertext into h.
// dst may be ciphertext[:0] for in-place decryption. On failure nothing
// changes.
func (s *SymmetricState) DecryptAndHash(dst, ciphertext []byte) ([]byte, error) {
	next := s.hashOf(ciphertext) // before an in-place decryption overwrites it
	out, err := s.cs.Decrypt(dst, s.h[:], ciphertext)
	if err != nil {
		return nil, err
	}
	s.h = next
	return out, nil
}

// SplitKeys returns the two data-phase keys HKDF(ck, zerolen, 2): the
// first for initiator-to-responder, the second for the other direction
// (ntcp2.rst k_ab, k_ba; ssu2.rst derives its data keys from them).
func (s *SymmetricState) SplitKeys() (k1, k2 [KeySize]byte) {
	return hkdf2(s.suite.Hash, s.ck[:], nil)
}

// Split returns CipherStates for the two SplitKeys.
func (s *SymmetricState) Split() (c1, c2 *CipherState) {
	k1, k2 := s.SplitKeys()
	return NewCipherState(k1), NewCipherState(k2)
}

// ChainingKey returns ck, the salt of the protocols' extra KDFs.
func (s *SymmetricState) ChainingKey() [HashSize]byte { return s.ck }

// Hash returns the handshake hash h.
func (s *SymmetricState) Hash() [HashSize]byte { return s.h }

// HasKey reports whether MixKey has been called since Init.
func (s *SymmetricState) HasKey() bool { return s.cs.HasKey() }

// hkdf2 is the Noise HKDF with two outputs: temp = HMAC(ck, ikm),
// out1 = HMAC(temp, 0x01), out2 = HMAC(temp, out1 || 0x02).
func hkdf2(h func() hash.Hash, ck, ikm []byte) (out1, out2 [HashSize]byte) {
	m := hmac.New(h, ck)
	m.Write(ikm)
	var temp [HashSize]byte
	m.Sum(temp[:0])
	m = hmac.New(h, temp[:])
	m.Write([]byte{1})
	m.Sum(out1[:0])
	m.Reset()
	m.Write(out1[:])
	m.Write([]byte{2})
	m.Sum(out2[:0])
	return out1, out2
}
