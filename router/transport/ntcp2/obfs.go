package ntcp2

import (
	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
)

// aesObfuscator is the noise.EphemeralEncoder of NTCP2 (ntcp2.rst
// "1) SessionRequest" and "2) SessionCreated"): X and Y travel AES-256-CBC
// encrypted with key RH_B, X from Bob's published IV and Y continuing the
// CBC state message 1 left. One obfuscator serves one handshake.
type aesObfuscator struct {
	cbc *crypto.CBCState
}

func newObfuscator(bobHash *[32]byte, iv *[16]byte) *aesObfuscator {
	return &aesObfuscator{cbc: crypto.NewCBCState(bobHash, iv)}
}

func (a *aesObfuscator) EncodeEphemeral(dst []byte, pub *[noise.DHSize]byte) ([]byte, error) {
	var out [noise.DHSize]byte
	if err := a.cbc.Encrypt(out[:], pub[:]); err != nil {
		return dst, err
	}
	return append(dst, out[:]...), nil
}

func (a *aesObfuscator) DecodeEphemeral(wire *[noise.DHSize]byte) ([noise.DHSize]byte, error) {
	var out [noise.DHSize]byte
	err := a.cbc.Decrypt(out[:], wire[:])
	return out, err
}
