package ratchet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hkdf is the spec's HKDF(salt, ikm, info, n), computed with the generic
// RFC 5869 function, independent of the HKDF32/HKDF64 shortcuts used by
// the package.
func hkdf(t testing.TB, salt, ikm []byte, info string, n int) []byte {
	t.Helper()
	out, err := crypto.HKDF(salt, ikm, info, n)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInitialState checks "KDF for Initial ChainKey" against the constants
// i2pd 2.45.1 hard-codes in InitNoiseIKState (Crypto.cpp):
// SHA256(protocol_name) and SHA256 of that (the null prologue MixHash).
func TestInitialState(t *testing.T) {
	var ss noise.SymmetricState
	ss.Init([]byte(noise.ProtocolRatchet))
	wantCK := unhex(t, "4caf11ef2c8e36564c53e88885064dbaacbe0054ad178f8079a646827e6ee40c")
	if ck := ss.ChainingKey(); !bytes.Equal(ck[:], wantCK) {
		t.Fatalf("ck = %x", ck)
	}
	ss.MixHash(nil)
	wantH := unhex(t, "9ccf852cc93bb9504441e950e01d52322e0d47add1e9a555f755b569ae183b5c")
	if h := ss.Hash(); !bytes.Equal(h[:], wantH) {
		t.Fatalf("h = %x", h)
	}
	var bpk crypto.X25519PublicKey
	for i := range bpk {
		bpk[i] = byte(i)
	}
	init := initState(&bpk)
	want := sha256.Sum256(append(wantH, bpk[:]...))
	if h := init.Hash(); h != want {
		t.Fatalf("after MixHash(bpk) h = %x, want %x", h, want)
	}
}

// TestTagSetKDF recomputes a tag set by hand from ecies.rst "DH
// INITIALIZATION KDF", "4b)" and "4c)" for fixed inputs and compares with
// the chains, tag by tag and key by key.
func TestTagSetKDF(t *testing.T) {
	var root, k [KeySize]byte
	for i := range root {
		root[i] = byte(0x10 + i)
		k[i] = byte(0xa0 + i)
	}
	keydata := hkdf(t, root[:], k[:], "KDFDHRatchetStep", 64)
	nextRoot, ck := keydata[:32], keydata[32:]
	keydata = hkdf(t, ck, nil, "TagAndKeyGenKeys", 64)
	sessTagCK, symmKeyCK := keydata[:32], keydata[32:]
	keydata = hkdf(t, sessTagCK, nil, "STInitialization", 64)
	tagChain, constant := keydata[:32], keydata[32:]

	c := newChains(&root, &k)
	if !bytes.Equal(c.nextRoot[:], nextRoot) {
		t.Fatalf("nextRootKey = %x, want %x", c.nextRoot, nextRoot)
	}
	keyChain := symmKeyCK
	for n := range 5 {
		keydata = hkdf(t, tagChain, constant, "SessionTagKeyGen", 64)
		tagChain = keydata[:32]
		wantTag := keydata[32:40]
		keydata = hkdf(t, keyChain, nil, "SymmetricRatchet", 64)
		keyChain = keydata[:32]
		wantKey := keydata[32:]

		tag, idx := c.tag()
		if idx != n || !bytes.Equal(tag[:], wantTag) {
			t.Fatalf("tag %d = %d %x, want %x", n, idx, tag, wantTag)
		}
		if key := c.key(); !bytes.Equal(key[:], wantKey) {
			t.Fatalf("key %d = %x, want %x", n, key, wantKey)
		}
	}

	// The NSR tag set: tagsetKey = HKDF(chainKey, ZEROLEN, "SessionReplyTags", 32).
	nsr := nsrChains(&root)
	tk := hkdf(t, root[:], nil, "SessionReplyTags", 32)
	var tk32 [KeySize]byte
	copy(tk32[:], tk)
	if want := newChains(&root, &tk32); nsr != want {
		t.Fatal("NSR tag set differs from DH_INITIALIZE(ck, SessionReplyTags key)")
	}

	// After a DH ratchet: tagsetKey = HKDF(sharedSecret, ZEROLEN, "XDHRatchetTagSet", 32).
	copy(tk32[:], hkdf(t, k[:], nil, "XDHRatchetTagSet", 32))
	if got, want := ratchetChains(&root, &k), newChains(&root, &tk32); got != want {
		t.Fatal("DH ratchet tag set differs from the spec")
	}

	// NSR payload key: HKDF(k_ba, ZEROLEN, "AttachPayloadKDF", 32).
	if got := payloadKey(&k); !bytes.Equal(got[:], hkdf(t, k[:], nil, "AttachPayloadKDF", 32)) {
		t.Fatal("NSR payload key differs from the spec")
	}
}

// TestTagSetGolden checks tags 0-2 and key 0 of the tag set for an
// all-zero root key and k against values computed separately from the
// spec's KDF text with Python's hmac and hashlib.
func TestTagSetGolden(t *testing.T) {
	var zero [KeySize]byte
	c := newChains(&zero, &zero)
	var got []byte
	for range 3 {
		tag, _ := c.tag()
		got = append(got, tag[:]...)
	}
	key := c.key()
	got = append(got, key[:]...)
	const want = "b59062dc88a66b8ea6f660655b0ff01e924c1ddd647cc51a" +
		"b36a5866a9feb89a2ebd1f993e22a625e66b0b18ef8e1809fa8c7be00bd7fbac"
	if hex.EncodeToString(got) != want {
		t.Fatalf("tags and key 0 = %x", got)
	}
}

func TestTagSetExhaustion(t *testing.T) {
	var zero [KeySize]byte
	c := newChains(&zero, &zero)
	c.nextTag = MaxTagIndex
	if c.exhausted() {
		t.Fatal("exhausted before the last tag")
	}
	if _, idx := c.tag(); idx != MaxTagIndex || !c.exhausted() {
		t.Fatalf("last tag %d, exhausted %v", idx, c.exhausted())
	}
}

// TestHKDFShortcut compares hkdf64 and hkdf32 with the generic HKDF for
// the inputs the ratchet uses: empty and 32-byte ikm, every label.
func TestHKDFShortcut(t *testing.T) {
	var salt, ikm [KeySize]byte
	for i := range salt {
		salt[i] = byte(3 * i)
		ikm[i] = byte(255 - i)
	}
	labels := []string{"", infoSessionReplyTags, infoDHRatchetStep, infoTagAndKeyGenKeys, infoSTInitialization,
		infoSessionTagKeyGen, infoSymmetricRatchet, infoXDHRatchetTagSet, infoAttachPayloadKDF}
	for _, info := range labels {
		for _, in := range [][]byte{nil, ikm[:]} {
			want := hkdf(t, salt[:], in, info, 64)
			a, b := hkdf64(&salt, in, info)
			if !bytes.Equal(append(a[:], b[:]...), want) {
				t.Fatalf("hkdf64(%q, %d bytes) differs", info, len(in))
			}
			if c := hkdf32(&salt, in, info); !bytes.Equal(c[:], want[:32]) {
				t.Fatalf("hkdf32(%q) differs", info)
			}
		}
	}
	// The fallback for long data.
	long := make([]byte, 200)
	want := crypto.HMACSHA256(salt[:], long, []byte("x"), []byte{7})
	if got := hmac32(&salt, long, "x", 7, true); got != want {
		t.Fatal("hmac32 fallback differs")
	}
}
