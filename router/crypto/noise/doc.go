// Package noise is the Noise Protocol Framework core that I2P's handshakes
// share: NTCP2 and SSU2 (XK), ECIES-X25519-AEAD-Ratchet (IK), and the
// router-level garlic and ECIES tunnel build records (N). It provides the
// Noise CipherState, SymmetricState and a token-driven HandshakeState for
// the N, XK and IK patterns, on github.com/flynn/noise's
// 25519/ChaChaPoly/SHA256 CipherSuite, with the I2P conventions and hooks:
// modified protocol names, a pluggable ephemeral-key wire encoding (AES-CBC
// obfuscation in NTCP2, Elligator2 in the ratchet), MixHash of extra data
// between messages ("hs1"/"hs2"/"hs3"), MixKey that returns the derived
// key for explicit-nonce use, and access to ck and h for the protocols'
// own KDFs.
//
// It leaves everything on the wire outside the Noise messages to the
// protocols (padding, frame lengths, SSU2 header protection, options
// blocks), and the primitives that I2P adds around Noise (AES, Elligator2,
// SipHash) to router/crypto, which callers adapt through EphemeralEncoder.
// Nothing here logs or keeps package-level mutable state.
package noise

import fnoise "github.com/flynn/noise"

// Protocol names (US-ASCII, no terminator) that I2P feeds to
// SymmetricState.Init; see the "KDF for Initial ChainKey" sections of
// ntcp2.rst, ssu2.rst, ecies.rst, ecies-routers.rst and
// tunnel-creation-ecies.rst.
const (
	ProtocolNTCP2   = "Noise_XKaesobfse+hs2+hs3_25519_ChaChaPoly_SHA256"
	ProtocolSSU2    = "Noise_XKchaobfse+hs1+hs2+hs3_25519_ChaChaPoly_SHA256"
	ProtocolRatchet = "Noise_IKelg2+hs2_25519_ChaChaPoly_SHA256"
	ProtocolN       = "Noise_N_25519_ChaChaPoly_SHA256"
)

// Sizes for the 25519/ChaChaPoly/SHA256 suite.
const (
	KeySize  = 32 // cipher keys
	HashSize = 32 // h and ck
	DHSize   = 32 // X25519 keys and shared secrets
	TagSize  = 16 // Poly1305 tag
)

// suiteNameSuffix is appended to a pattern name to form the standard
// protocol name.
const suiteNameSuffix = "_25519_ChaChaPoly_SHA256"

// Suite returns the flynn/noise CipherSuite every I2P protocol uses.
func Suite() fnoise.CipherSuite {
	return fnoise.NewCipherSuite(fnoise.DH25519, fnoise.CipherChaChaPoly, fnoise.HashSHA256)
}
