package ratchet

import (
	"crypto/sha256"

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
	c.nextRoot, ck = hkdf64(rootKey, k[:], infoDHRatchetStep)
	tagCK, keyCK := hkdf64(&ck, nil, infoTagAndKeyGenKeys)
	c.keyCK = keyCK
	c.tagCK, c.tagConst = hkdf64(&tagCK, nil, infoSTInitialization)
	return c
}

// nsrChains is the NSR tag set, "tagset_nsr = DH_INITIALIZE(chainKey,
// HKDF(chainKey, ZEROLEN, "SessionReplyTags", 32))", for the chain key ck
// after the New Session payload.
func nsrChains(ck *[KeySize]byte) chains {
	k := hkdf32(ck, nil, infoSessionReplyTags)
	return newChains(ck, &k)
}

// ratchetChains is the tag set after a DH ratchet: DH_INITIALIZE(root,
// HKDF(sharedSecret, ZEROLEN, "XDHRatchetTagSet", 32)).
func ratchetChains(root, shared *[KeySize]byte) chains {
	k := hkdf32(shared, nil, infoXDHRatchetTagSet)
	return newChains(root, &k)
}

// exhausted reports whether no tag is left.
func (c *chains) exhausted() bool { return c.nextTag > MaxTagIndex }

// tag returns the next session tag and its index. The caller checks
// exhausted first.
func (c *chains) tag() (i2np.RatchetTag, int) {
	var out [KeySize]byte
	c.tagCK, out = hkdf64(&c.tagCK, c.tagConst[:], infoSessionTagKeyGen)
	var t i2np.RatchetTag
	copy(t[:], out[:TagSize])
	n := c.nextTag
	c.nextTag++
	return t, n
}

// key returns the next symmetric key.
func (c *chains) key() [KeySize]byte {
	var k [KeySize]byte
	c.keyCK, k = hkdf64(&c.keyCK, nil, infoSymmetricRatchet)
	c.nextKey++
	return k
}

// payloadKey is the key of an NSR payload, "HKDF(k_ba, ZEROLEN,
// "AttachPayloadKDF", 32)".
func payloadKey(kba *[KeySize]byte) [KeySize]byte {
	return hkdf32(kba, nil, infoAttachPayloadKDF)
}

// hkdf64 is HKDF(salt, ikm, info, 64) split in halves, as
// crypto.HKDF64, for the 32-byte salts of the ratchet and without
// allocating: every ES message runs two on each side.
func hkdf64(salt *[KeySize]byte, ikm []byte, info string) (first, second [KeySize]byte) {
	prk := hmac32(salt, ikm, "", 0, false)
	first = hmac32(&prk, nil, info, 1, true)
	second = hmac32(&prk, first[:], info, 2, true)
	return first, second
}

// hkdf32 is the first half of hkdf64.
func hkdf32(salt *[KeySize]byte, ikm []byte, info string) [KeySize]byte {
	prk := hmac32(salt, ikm, "", 0, false)
	return hmac32(&prk, nil, info, 1, true)
}

// hmacMaxData bounds the data hmac32 hashes in its stack buffer; the
// ratchet's KDFs need at most 32 + 16 + 1 bytes.
const hmacMaxData = 128

// hmac32 is HMAC-SHA256 (RFC 2104) with a 32-byte key over a || info,
// followed by the byte c when withC is set.
func hmac32(key *[KeySize]byte, a []byte, info string, c byte, withC bool) [KeySize]byte {
	n := len(a) + len(info)
	if withC {
		n++
	}
	if n > hmacMaxData {
		var cs []byte
		if withC {
			cs = []byte{c}
		}
		return crypto.HMACSHA256(key[:], a, []byte(info), cs)
	}
	const (
		ipad = 0x36
		opad = 0x5c
	)
	var buf [sha256.BlockSize + hmacMaxData]byte
	for i := range sha256.BlockSize {
		buf[i] = ipad
		if i < KeySize {
			buf[i] ^= key[i]
		}
	}
	m := buf[sha256.BlockSize:]
	m = m[copy(m, a):]
	m = m[copy(m, info):]
	if withC {
		m[0] = c
	}
	inner := sha256.Sum256(buf[:sha256.BlockSize+n])
	for i := range sha256.BlockSize {
		buf[i] = opad
		if i < KeySize {
			buf[i] ^= key[i]
		}
	}
	copy(buf[sha256.BlockSize:], inner[:])
	return sha256.Sum256(buf[:sha256.BlockSize+sha256.Size])
}
