package ntcp2

import (
	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
)

// Keys are one side's data-phase keys (ntcp2.rst "Key Derivation Function
// (KDF) (for data phase)"), oriented for that side: Send* protect frames to
// the peer, Recv* frames from it.
type Keys struct {
	SendKey, RecvKey         [noise.KeySize]byte
	SendSipKeys, RecvSipKeys [crypto.SipKeysSize]byte
}

// dataPhaseKeys derives k_ab, k_ba and the SipHash keys from the final
// chaining key ck and handshake hash h, oriented for Alice when initiator.
func dataPhaseKeys(ck, h [noise.HashSize]byte, initiator bool) Keys {
	kab, kba := crypto.HKDF64(ck[:], nil, "")
	askMaster := crypto.HKDF32(ck[:], nil, "ask")
	sipIn := make([]byte, 0, noise.HashSize+7)
	sipIn = append(append(sipIn, h[:]...), "siphash"...)
	sipMaster := crypto.HKDF32(askMaster[:], sipIn, "")
	sipab, sipba := crypto.HKDF64(sipMaster[:], nil, "")
	var k Keys
	if initiator {
		k.SendKey, k.RecvKey = kab, kba
		copy(k.SendSipKeys[:], sipab[:])
		copy(k.RecvSipKeys[:], sipba[:])
	} else {
		k.SendKey, k.RecvKey = kba, kab
		copy(k.SendSipKeys[:], sipba[:])
		copy(k.RecvSipKeys[:], sipab[:])
	}
	return k
}
