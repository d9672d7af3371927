package build

import (
	"fmt"

	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
)

// Encrypted record layout, short and long (tunnel-creation-ecies.rst
// "Request Record Encrypted"): truncated hop hash, ephemeral key, AEAD.
const (
	toPeerSize      = 16
	ephemeralOffset = toPeerSize
	cipherOffset    = ephemeralOffset + crypto.X25519KeySize
)

// HKDF info strings of the short record KDF (tunnel-creation-ecies.rst
// "KDF").
const (
	infoReplyKey  = "SMTunnelReplyKey"
	infoLayerKey  = "SMTunnelLayerKey"
	infoIVKey     = "TunnelLayerIVKey"
	infoGarlicKey = "RGarlicKeyAndTag"
)

// GarlicTagSize is the size of the OBEP's garlic reply tag.
const GarlicTagSize = 8

// Keys are one hop's keys for a tunnel, as the hop derives them and as the
// creator keeps them.
type Keys struct {
	// Layer and IV are the AES-256 tunnel layer and IV keys.
	Layer [32]byte
	IV    [32]byte
	// Reply is the ChaCha20 reply key of a short record, or the AES-256
	// reply key of a long one.
	Reply [32]byte
	// ReplyIV is the AES-256-CBC reply IV of a long record.
	ReplyIV [16]byte
	// GarlicKey and GarlicTag encrypt the OutboundTunnelBuildReply that
	// the OBEP of a short build sends to the creator, as an ECIES
	// existing-session message; zero for other hops and long records.
	GarlicKey [32]byte
	GarlicTag [GarlicTagSize]byte
}

// noiseResult is the Noise_N state after a request record: ck salts the
// reply keys, h is the associated data of the hop's reply.
type noiseResult struct {
	ck [32]byte
	h  [32]byte
}

// noiseStart returns the Noise_N state after MixHash(hop static key)
// and MixHash(ephemeral key) ("KDF for Initial ck and h", "KDF for Request
// Record").
func noiseStart(hopPub, ephPub *crypto.X25519PublicKey) *noise.SymmetricState {
	s := noise.NewSymmetricState([]byte(noise.ProtocolN))
	s.MixHash(nil) // null prologue: h = SHA256(h)
	s.MixHash(hopPub[:])
	s.MixHash(ephPub[:])
	return s
}

// sealRecord encrypts plaintext to the hop's static key with the
// ephemeral key pair eph and writes the record's ephemeral key and AEAD
// ciphertext into rec (which holds cipherOffset+len(plaintext)+16 bytes);
// the to-peer prefix is left to the caller.
func sealRecord(rec []byte, hopPub *crypto.X25519PublicKey, eph *crypto.X25519KeyPair, plaintext []byte) (noiseResult, error) {
	shared, err := crypto.X25519(&eph.Private, hopPub)
	if err != nil {
		return noiseResult{}, fmt.Errorf("build: hop key: %w", err)
	}
	s := noiseStart(hopPub, &eph.Public)
	s.MixKey(shared[:])
	copy(rec[ephemeralOffset:], eph.Public[:])
	if _, err := s.EncryptAndHash(rec[cipherOffset:cipherOffset], plaintext); err != nil {
		return noiseResult{}, fmt.Errorf("build: %w", err)
	}
	return noiseResult{ck: s.ChainingKey(), h: s.Hash()}, nil
}

// openRecord decrypts the ciphertext part of rec with our static key and
// appends the cleartext to dst.
func openRecord(dst, rec []byte, id *Identity) ([]byte, noiseResult, error) {
	var eph crypto.X25519PublicKey
	copy(eph[:], rec[ephemeralOffset:cipherOffset])
	shared, err := crypto.X25519(&id.Key.Private, &eph)
	if err != nil {
		return dst, noiseResult{}, fmt.Errorf("build: ephemeral key: %w", ErrDecrypt)
	}
	s := noiseStart(&id.Key.Public, &eph)
	s.MixKey(shared[:])
	out, err := s.DecryptAndHash(dst, rec[cipherOffset:])
	if err != nil {
		return dst, noiseResult{}, fmt.Errorf("build: %w", ErrDecrypt)
	}
	return out, noiseResult{ck: s.ChainingKey(), h: s.Hash()}, nil
}

// shortKeys derives a short record's keys from the chaining key after the
// request (tunnel-creation-ecies.rst "KDF"). The OBEP's IV key comes from
// one more HKDF step, followed by the garlic reply key and tag.
func shortKeys(ck [32]byte, obep bool) Keys {
	var k Keys
	ck, k.Reply = crypto.HKDF64(ck[:], nil, infoReplyKey)
	ck, k.Layer = crypto.HKDF64(ck[:], nil, infoLayerKey)
	if !obep {
		k.IV = ck
		return k
	}
	ck, k.IV = crypto.HKDF64(ck[:], nil, infoIVKey)
	ck, k.GarlicKey = crypto.HKDF64(ck[:], nil, infoGarlicKey)
	copy(k.GarlicTag[:], ck[:GarlicTagSize])
	return k
}

// shortStream applies hop key's ChaCha20 stream to the short record at
// position index (tunnel-creation-ecies.rst "Record Encryption": nonce
// all zero but byte 4). It is its own inverse.
func shortStream(key *[32]byte, index int, rec []byte) {
	nonce := crypto.Nonce(uint64(index))
	crypto.ChaCha20(key, &nonce, rec, rec)
}
