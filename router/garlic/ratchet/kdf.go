package ratchet

import (
	"i2pgate/router/crypto"
	"i2pgate/router/i2np"
)

// KDF labels (ecies.rst "KDF for Reply TagSet", "DH INITIALIZATION KDF",
// "DH RATCHET KDF", "4b) Session Tag Ratchet", "4c) Symmetric Key Ratchet",
// "KDF for Payload Section Encrypted Contents").
const (
	infoSessionReplyTags = "SessionReplyTags"
	infoDHRatchetStep    = "KDFDHRatchetStep"
	infoTagAndKeyGenKeys = "TagAndKeyGenKeys"
	infoSTInitialization = "STInitialization"
	infoSessionTagKeyGen = "SessionTagKeyGen"
	infoSymmetricRatchet = "SymmetricRatchet"
	infoXDHRatchetTagSet = "XDHRatchetTagSet"
	infoAttachPayloadKDF = "AttachPayloadKDF"
)

// Sizes.
const (
	// KeySize is the size of chain keys, symmetric keys and X25519 keys.
	KeySize = 32
	// TagSize is the size of a session tag.
	TagSize = i2np.RatchetTagSize
	// MaxTagIndex is the last tag index of a tag set. The specification
	// allows 65535; i2pd's RatchetTagSet::GetNextSessionTag gives up at
	// 65534, and neither side should come near it (the DH ratchet turns
	// at RatchetAfter).
	MaxTagIndex = 65533
)

// chains is one tag set's session tag and symmetric key ratchets, created
// by DH_INITIALIZE(rootKey, k): nextRoot is the root key of the next DH
// ratchet in the same direction. Tags and keys are numbered from 0; the key
// of index n encrypts the message that carries the tag of index n, with
// nonce n.
type chains struct {
	nextRoot [KeySize]byte
	tagCK    [KeySize]byte // session tag chain key for tag nextTag
	tagConst [KeySize]byte // SESSTAG_CONSTANT
	keyCK    [KeySize]byte // symmetric key chain key for key nextKey
	nextTag  int
	nextKey  int
}

// newChains is DH_INITIALIZE(rootKey, k) followed by the session tag
// ratchet's initialisation.
func newChains(rootKey, k *[KeySize]byte) chains {
	var c chains
	var ck [KeySize]byte
	c.nextRoot, ck = crypto.HKDF64(rootKey[:], k[:], infoDHRatchetStep)
	tagCK, keyCK := crypto.HKDF64(ck[:], nil, infoTagAndKeyGenKeys)
	c.keyCK = keyCK
	c.tagCK, c.tagConst = crypto.HKDF64(tagCK[:], nil, infoSTInitialization)
	return c
}

// nsrChains is the NSR tag set, "tagset_nsr = DH_INITIALIZE(chainKey,
// HKDF(chainKey, ZEROLEN, "SessionReplyTags", 32))", for the chain key ck
// after the New Session payload.
func nsrChains(ck *[KeySize]byte) chains {
	k := crypto.HKDF32(ck[:], nil, infoSessionReplyTags)
	return newChains(ck, &k)
}

// ratchetChains is the tag set after a DH ratchet: DH_INITIALIZE(root,
// HKDF(sharedSecret, ZEROLEN, "XDHRatchetTagSet", 32)).
func ratchetChains(root, shared *[KeySize]byte) chains {
	k := crypto.HKDF32(shared[:], nil, infoXDHRatchetTagSet)
	return newChains(root, &k)
}

// exhausted reports whether no tag is left.
func (c *chains) exhausted() bool { return c.nextTag > MaxTagIndex }

// tag returns the next session tag and its index. The caller checks
// exhausted first.
func (c *chains) tag() (i2np.RatchetTag, int) {
	var out [KeySize]byte
	c.tagCK, out = crypto.HKDF64(c.tagCK[:], c.tagConst[:], infoSessionTagKeyGen)
	var t i2np.RatchetTag
	copy(t[:], out[:TagSize])
	n := c.nextTag
	c.nextTag++
	return t, n
}

// key returns the next symmetric key.
func (c *chains) key() [KeySize]byte {
	var k [KeySize]byte
	c.keyCK, k = crypto.HKDF64(c.keyCK[:], nil, infoSymmetricRatchet)
	c.nextKey++
	return k
}

// payloadKey is the key of an NSR payload, "HKDF(k_ba, ZEROLEN,
// "AttachPayloadKDF", 32)".
func payloadKey(kba *[KeySize]byte) [KeySize]byte {
	return crypto.HKDF32(kba[:], nil, infoAttachPayloadKDF)
}
