package ratchet

import (
	"crypto/subtle"
	"fmt"
	"io"

	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
)

// Message layouts (ecies.rst "1b) New session format (with binding)",
// "1c)", "1d)", "1g) New Session Reply format", "1h) Existing session
// format").
const (
	// MACSize is the Poly1305 tag of every AEAD section.
	MACSize = crypto.AEADTagSize
	// NSOverhead is what a New Session message adds to its payload: the
	// Elligator2 ephemeral key, the static key (or flags) section with its
	// MAC, and the payload MAC.
	NSOverhead = crypto.ElligatorSize + KeySize + MACSize + MACSize
	// NSROverhead is what a New Session Reply adds: the tag, the
	// Elligator2 ephemeral key, the MAC of the empty key section, the
	// payload MAC.
	NSROverhead = TagSize + crypto.ElligatorSize + MACSize + MACSize
	// ESOverhead is what an Existing Session message adds: tag and MAC.
	ESOverhead = TagSize + MACSize

	// MinNSSize is the smallest New Session message: its DateTime block
	// is mandatory.
	MinNSSize = NSOverhead + garlic.BlockHeaderSize + garlic.DateTimeSize
	// MinNSRSize and MinESSize allow an empty payload.
	MinNSRSize = NSROverhead
	MinESSize  = ESOverhead

	nsStaticOffset  = crypto.ElligatorSize
	nsPayloadOffset = nsStaticOffset + KeySize + MACSize
	nsrKeyOffset    = TagSize
	nsrMACOffset    = nsrKeyOffset + crypto.ElligatorSize
	nsrPayloadOff   = nsrMACOffset + MACSize
)

// initState is "KDF for Initial ChainKey" and MixHash(bpk) for Bob's
// static key bpk: protocol name, null prologue, responder static key.
func initState(bpk *crypto.X25519PublicKey) noise.SymmetricState {
	var ss noise.SymmetricState
	ss.Init([]byte(noise.ProtocolRatchet))
	ss.MixHash(nil)
	ss.MixHash(bpk[:])
	return ss
}

// payloadFunc appends a plaintext payload to dst.
type payloadFunc func(dst []byte) ([]byte, error)

// blocksPayload encodes blocks.
func blocksPayload(blocks []garlic.Block) payloadFunc {
	return func(dst []byte) ([]byte, error) { return garlic.AppendBlocks(dst, blocks) }
}

// outgoingNS is what Alice keeps of a New Session message she sent.
type outgoingNS struct {
	hs  noise.SymmetricState // after the payload section
	eph crypto.X25519KeyPair // aesk, aepk
}

// appendNS appends a New Session message to bpk carrying payload. static is Alice's key pair for a bound session, nil for
// a one-time message (zero flags section, no "ss").
func appendNS(dst []byte, rand io.Reader, bpk *crypto.X25519PublicKey, static *crypto.X25519KeyPair, payload payloadFunc) ([]byte, outgoingNS, error) {
	eph, repr, err := crypto.GenerateElligatorKey(rand)
	if err != nil {
		return dst, outgoingNS{}, fmt.Errorf("ratchet: new session: %w", err)
	}
	es, err := crypto.X25519(&eph.Private, bpk)
	if err != nil {
		return dst, outgoingNS{}, fmt.Errorf("ratchet: new session: remote static key: %w", err)
	}
	hs := initState(bpk)
	hs.MixHash(eph.Public[:])
	hs.MixKey(es[:])
	start := len(dst)
	out := append(dst, repr[:]...)
	var fs [KeySize]byte
	if static != nil {
		fs = static.Public
	}
	if out, err = hs.EncryptAndHash(out, fs[:]); err != nil {
		return dst[:start], outgoingNS{}, fmt.Errorf("ratchet: new session: %w", err)
	}
	if static != nil {
		ss, err := crypto.X25519(&static.Private, bpk)
		if err != nil {
			return dst[:start], outgoingNS{}, fmt.Errorf("ratchet: new session: remote static key: %w", err)
		}
		hs.MixKey(ss[:])
	}
	body := len(out)
	if out, err = payload(out); err != nil {
		return dst[:start], outgoingNS{}, err
	}
	// One-time: the same key with nonce 1; the h it leaves is unused.
	if out, err = hs.EncryptAndHash(out[:body], out[body:]); err != nil {
		return dst[:start], outgoingNS{}, fmt.Errorf("ratchet: new session: %w", err)
	}
	return out, outgoingNS{hs: hs, eph: eph}, nil
}

// incomingNS is what Bob learns from a New Session message.
type incomingNS struct {
	hs      noise.SymmetricState // after the payload section (bound only)
	aepk    crypto.X25519PublicKey
	remote  crypto.X25519PublicKey // apk; zero when not bound
	bound   bool
	payload []byte // decrypted, a fresh buffer
}

// openNS decrypts a New Session message with Bob's static key; init is
// initState(&static.Public). Every failure is garlic.ErrDecrypt.
func openNS(init *noise.SymmetricState, static *crypto.X25519KeyPair, body []byte) (incomingNS, error) {
	if len(body) < MinNSSize {
		return incomingNS{}, fmt.Errorf("ratchet: new session: %d bytes: %w", len(body), garlic.ErrDecrypt)
	}
	var repr [crypto.ElligatorSize]byte
	copy(repr[:], body)
	aepk, err := crypto.DecodeElligator(&repr)
	if err != nil {
		return incomingNS{}, fmt.Errorf("ratchet: new session: ephemeral key: %w", garlic.ErrDecrypt)
	}
	es, err := crypto.X25519(&static.Private, &aepk)
	if err != nil {
		return incomingNS{}, fmt.Errorf("ratchet: new session: ephemeral key: %w", garlic.ErrDecrypt)
	}
	in := incomingNS{aepk: aepk, hs: *init}
	hs := &in.hs
	hs.MixHash(aepk[:])
	hs.MixKey(es[:])
	var fs [KeySize]byte
	if _, err := hs.DecryptAndHash(fs[:0], body[nsStaticOffset:nsPayloadOffset]); err != nil {
		return incomingNS{}, fmt.Errorf("ratchet: new session: static key section: %w", garlic.ErrDecrypt)
	}
	var zero [KeySize]byte
	if subtle.ConstantTimeCompare(fs[:], zero[:]) != 1 {
		in.bound = true
		in.remote = fs
		ss, err := crypto.X25519(&static.Private, &in.remote)
		if err != nil {
			return incomingNS{}, fmt.Errorf("ratchet: new session: static key: %w", garlic.ErrDecrypt)
		}
		hs.MixKey(ss[:])
	}
	ct := body[nsPayloadOffset:]
	if in.payload, err = hs.DecryptAndHash(make([]byte, 0, len(ct)-MACSize), ct); err != nil {
		return incomingNS{}, fmt.Errorf("ratchet: new session: payload section: %w", garlic.ErrDecrypt)
	}
	return in, nil
}

// nsrState runs "KDF for Reply Key Section" on a copy of the state the New
// Session left: MixHash(tag), MixHash(bepk), then MixKey of the "ee" and
// "se" shared secrets.
func nsrState(hs noise.SymmetricState, tag i2np.RatchetTag, bepk *crypto.X25519PublicKey, ee, se *[KeySize]byte) noise.SymmetricState {
	hs.MixHash(tag[:])
	hs.MixHash(bepk[:])
	hs.MixKey(ee[:])
	hs.MixKey(se[:])
	return hs
}

// nsrKeys is what the NSR KDF yields after the key section: the chain
// key, k_ab and k_ba of split(), the payload key and the payload's
// associated data h.
type nsrKeys struct {
	ck, kab, kba, payload, h [KeySize]byte
}

func splitNSR(hs *noise.SymmetricState) nsrKeys {
	var k nsrKeys
	k.kab, k.kba = hs.SplitKeys()
	k.ck = hs.ChainingKey()
	k.payload = payloadKey(&k.kba)
	k.h = hs.Hash()
	return k
}

// appendNSR appends a New Session Reply with tag, Bob's ephemeral key
// (eph, encoded as repr) and payload, given the state after the NS and
// Alice's ephemeral and static keys.
func appendNSR(dst []byte, ns noise.SymmetricState, tag i2np.RatchetTag, eph *crypto.X25519KeyPair, repr *[crypto.ElligatorSize]byte,
	aepk, apk *crypto.X25519PublicKey, payload payloadFunc) ([]byte, nsrKeys, error) {
	ee, err := crypto.X25519(&eph.Private, aepk)
	if err != nil {
		return dst, nsrKeys{}, fmt.Errorf("ratchet: new session reply: %w", err)
	}
	se, err := crypto.X25519(&eph.Private, apk)
	if err != nil {
		return dst, nsrKeys{}, fmt.Errorf("ratchet: new session reply: %w", err)
	}
	hs := nsrState(ns, tag, &eph.Public, &ee, &se)
	start := len(dst)
	out := append(append(dst, tag[:]...), repr[:]...)
	if out, err = hs.EncryptAndHash(out, nil); err != nil {
		return dst[:start], nsrKeys{}, fmt.Errorf("ratchet: new session reply: %w", err)
	}
	keys := splitNSR(&hs)
	body := len(out)
	if out, err = payload(out); err != nil {
		return dst[:start], nsrKeys{}, err
	}
	return crypto.Seal(&keys.payload, 0, out[:body], out[body:], keys.h[:]), keys, nil
}

// openNSR decrypts a New Session Reply to the NS that left ns, with
// Alice's ephemeral and static key pairs. Every failure is
// garlic.ErrDecrypt.
func openNSR(ns noise.SymmetricState, aesk, ask *crypto.X25519PrivateKey, body []byte) ([]byte, nsrKeys, error) {
	if len(body) < MinNSRSize {
		return nil, nsrKeys{}, fmt.Errorf("ratchet: new session reply: %d bytes: %w", len(body), garlic.ErrDecrypt)
	}
	var tag i2np.RatchetTag
	copy(tag[:], body)
	var repr [crypto.ElligatorSize]byte
	copy(repr[:], body[nsrKeyOffset:])
	bepk, err := crypto.DecodeElligator(&repr)
	if err != nil {
		return nil, nsrKeys{}, fmt.Errorf("ratchet: new session reply: ephemeral key: %w", garlic.ErrDecrypt)
	}
	ee, err := crypto.X25519(aesk, &bepk)
	if err != nil {
		return nil, nsrKeys{}, fmt.Errorf("ratchet: new session reply: ephemeral key: %w", garlic.ErrDecrypt)
	}
	se, err := crypto.X25519(ask, &bepk)
	if err != nil {
		return nil, nsrKeys{}, fmt.Errorf("ratchet: new session reply: ephemeral key: %w", garlic.ErrDecrypt)
	}
	hs := nsrState(ns, tag, &bepk, &ee, &se)
	if _, err := hs.DecryptAndHash(nil, body[nsrMACOffset:nsrPayloadOff]); err != nil {
		return nil, nsrKeys{}, fmt.Errorf("ratchet: new session reply: key section: %w", garlic.ErrDecrypt)
	}
	keys := splitNSR(&hs)
	ct := body[nsrPayloadOff:]
	pt, err := crypto.Open(&keys.payload, 0, make([]byte, 0, len(ct)-MACSize), ct, keys.h[:])
	if err != nil {
		return nil, nsrKeys{}, fmt.Errorf("ratchet: new session reply: payload section: %w", garlic.ErrDecrypt)
	}
	return pt, keys, nil
}

// appendES appends an Existing Session message: tag, then the payload
// encrypted with key, nonce n and the tag as associated data.
func appendES(dst []byte, tag i2np.RatchetTag, n int, key *[KeySize]byte, payload payloadFunc) ([]byte, error) {
	start := len(dst)
	out := append(dst, tag[:]...)
	body := len(out)
	out, err := payload(out)
	if err != nil {
		return dst[:start], err
	}
	return crypto.Seal(key, uint64(n), out[:body], out[body:], tag[:]), nil
}

// openES decrypts the payload of an Existing Session message.
func openES(key *[KeySize]byte, n int, body []byte) ([]byte, error) {
	ct := body[TagSize:]
	pt, err := crypto.Open(key, uint64(n), make([]byte, 0, len(ct)-MACSize), ct, body[:TagSize])
	if err != nil {
		return nil, fmt.Errorf("ratchet: existing session: %w", garlic.ErrDecrypt)
	}
	return pt, nil
}
