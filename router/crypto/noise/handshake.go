package noise

import (
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
)

// ErrEphemeralNotEncodable is what an EphemeralEncoder returns (possibly
// wrapped) when a key has no wire encoding, as half of all keys have none
// under Elligator2. A HandshakeState that generated the key then generates
// another.
var ErrEphemeralNotEncodable = errors.New("noise: ephemeral key has no wire encoding")

// maxEphemeralTries bounds key generation when keys keep being rejected
// (2^-64 for a 50% encoder with a working random source).
const maxEphemeralTries = 64

// EphemeralEncoder customises how the "e" token appears on the wire. The
// handshake hash always covers the plain public key, as I2P specifies for
// NTCP2 (AES-CBC), SSU2 (ChaCha20) and the ratchet (Elligator2). One
// encoder serves one handshake and may carry state between messages, as
// NTCP2's CBC state does from message 1 to message 2.
type EphemeralEncoder interface {
	// EncodeEphemeral appends the DHSize-byte wire form of pub to dst.
	EncodeEphemeral(dst []byte, pub *[DHSize]byte) ([]byte, error)
	// DecodeEphemeral returns the public key encoded in wire.
	DecodeEphemeral(wire *[DHSize]byte) ([DHSize]byte, error)
}

// KeyPair is an X25519 key pair.
type KeyPair struct {
	Private [DHSize]byte
	Public  [DHSize]byte
}

// GenerateKeyPair reads a 32-byte private key from rand (nil means
// crypto/rand) and derives its public key, via the suite's DH function.
func GenerateKeyPair(rand io.Reader) (KeyPair, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	dk, err := Suite().GenerateKeypair(rand)
	if err != nil {
		return KeyPair{}, fmt.Errorf("noise: generating key pair: %w", err)
	}
	var kp KeyPair
	copy(kp.Private[:], dk.Private)
	copy(kp.Public[:], dk.Public)
	return kp, nil
}

// Config sets up a HandshakeState.
type Config struct {
	Pattern   Pattern
	Initiator bool
	// ProtocolName is fed to Init; empty means the standard
	// "Noise_<pattern>_25519_ChaChaPoly_SHA256". Use the Protocol*
	// constants for I2P's modified names.
	ProtocolName string
	// Prologue is mixed into h after Init (I2P protocols use none).
	Prologue []byte
	// Static is the local static key pair: required for responders and
	// for XK and IK initiators.
	Static *KeyPair
	// PeerStatic is the responder's static public key, known in advance
	// (the pre-message); required for initiators.
	PeerStatic *[DHSize]byte
	// Ephemeral, if set, is used for the first "e" token instead of a
	// generated key (for key pools, e.g. Elligator2-encodable keys).
	Ephemeral *KeyPair
	// Rand is the source for ephemeral keys; nil means crypto/rand.
	Rand io.Reader
	// Encoder, if set, encodes and decodes "e" on the wire.
	Encoder EphemeralEncoder
}

// HandshakeState runs a Noise handshake (Noise spec 5.3) for N, XK or IK
// over byte slices. On any error WriteMessage and ReadMessage leave the
// state as it was, so a bad message (a probe, a corrupted packet) can be
// dropped and the handshake continued. It is not safe for concurrent use.
type HandshakeState struct {
	ss        SymmetricState
	pattern   Pattern
	messages  [][]token
	initiator bool
	msgIndex  int

	s, e    KeyPair
	hasS    bool
	rs, re  [DHSize]byte
	hasRS   bool
	hasRE   bool
	presetE *KeyPair
	rand    io.Reader
	encoder EphemeralEncoder
}

// NewHandshakeState validates cfg and performs the initialisation:
// Init(protocol name), MixHash(prologue), MixHash(responder static key).
func NewHandshakeState(cfg Config) (*HandshakeState, error) {
	msgs := cfg.Pattern.messages()
	if msgs == nil {
		return nil, fmt.Errorf("noise: unknown pattern %d", cfg.Pattern)
	}
	needS := !cfg.Initiator || cfg.Pattern.initiatorHasStatic()
	if needS && cfg.Static == nil {
		return nil, fmt.Errorf("noise: %s %s needs a static key", cfg.Pattern, role(cfg.Initiator))
	}
	if cfg.Initiator && cfg.PeerStatic == nil {
		return nil, fmt.Errorf("noise: %s initiator needs the responder's static key", cfg.Pattern)
	}
	hs := &HandshakeState{
		pattern:   cfg.Pattern,
		messages:  msgs,
		initiator: cfg.Initiator,
		presetE:   cfg.Ephemeral,
		rand:      cfg.Rand,
		encoder:   cfg.Encoder,
	}
	if hs.rand == nil {
		hs.rand = cryptorand.Reader
	}
	if cfg.Static != nil {
		hs.s, hs.hasS = *cfg.Static, true
	}
	name := cfg.ProtocolName
	if name == "" {
		name = "Noise_" + cfg.Pattern.String() + suiteNameSuffix
	}
	hs.ss.Init([]byte(name))
	hs.ss.MixHash(cfg.Prologue)
	if cfg.Initiator {
		hs.rs, hs.hasRS = *cfg.PeerStatic, true
		hs.ss.MixHash(hs.rs[:])
	} else {
		hs.ss.MixHash(hs.s.Public[:])
	}
	return hs, nil
}

func role(initiator bool) string {
	if initiator {
		return "initiator"
	}
	return "responder"
}

// myTurn reports whether the next message is ours to write.
func (hs *HandshakeState) myTurn() bool {
	return (hs.msgIndex%2 == 0) == hs.initiator
}

// Complete reports whether all messages have been written or read.
func (hs *HandshakeState) Complete() bool { return hs.msgIndex >= len(hs.messages) }

// MessageIndex returns the number of messages processed so far.
func (hs *HandshakeState) MessageIndex() int { return hs.msgIndex }

// MixHash mixes extra data into h between messages, as I2P's "hs1",
// "hs2" and "hs3" modifiers do (NTCP2 padding, SSU2 headers, ratchet
// tags).
func (hs *HandshakeState) MixHash(data []byte) { hs.ss.MixHash(data) }

// Hash returns the handshake hash h.
func (hs *HandshakeState) Hash() [HashSize]byte { return hs.ss.Hash() }

// ChainingKey returns ck, for the protocols' own KDFs.
func (hs *HandshakeState) ChainingKey() [HashSize]byte { return hs.ss.ChainingKey() }

// PeerStatic returns the remote static key and whether it is known yet.
func (hs *HandshakeState) PeerStatic() ([DHSize]byte, bool) { return hs.rs, hs.hasRS }

// PeerEphemeral returns the remote ephemeral key and whether it is known.
func (hs *HandshakeState) PeerEphemeral() ([DHSize]byte, bool) { return hs.re, hs.hasRE }

// LocalEphemeral returns the local ephemeral key pair (zero before "e").
func (hs *HandshakeState) LocalEphemeral() KeyPair { return hs.e }

// Split returns the data-phase CipherStates oriented for this side: send
// encrypts to the peer, recv decrypts from it. It fails before the
// handshake is complete.
func (hs *HandshakeState) Split() (send, recv *CipherState, err error) {
	if !hs.Complete() {
		return nil, nil, fmt.Errorf("noise: split after %d of %d messages", hs.msgIndex, len(hs.messages))
	}
	c1, c2 := hs.ss.Split()
	if hs.initiator {
		return c1, c2, nil
	}
	return c2, c1, nil
}

// SplitKeys returns the data-phase keys as (initiator-to-responder,
// responder-to-initiator), for protocols that derive further keys.
func (hs *HandshakeState) SplitKeys() (k1, k2 [KeySize]byte, err error) {
	if !hs.Complete() {
		return k1, k2, fmt.Errorf("noise: split after %d of %d messages", hs.msgIndex, len(hs.messages))
	}
	k1, k2 = hs.ss.SplitKeys()
	return k1, k2, nil
}
