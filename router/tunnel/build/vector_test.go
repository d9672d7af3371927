package build

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/hkdf"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// This file checks one short record byte for byte against a second,
// independent implementation of tunnel-creation-ecies.rst written
// straight from the spec's pseudo-code with golang.org/x/crypto, and
// against golden hex captured from it. The spec publishes no vectors.

func seq(start byte) (b [32]byte) {
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func specHKDF(t *testing.T, salt, ikm []byte, info string) (first, second [32]byte) {
	var kd [64]byte
	if _, err := io.ReadFull(hkdf.New(sha256.New, ikm, salt, []byte(info)), kd[:]); err != nil {
		t.Fatal(err)
	}
	copy(first[:], kd[:32])
	copy(second[:], kd[32:])
	return first, second
}

func mixHash(h [32]byte, d []byte) [32]byte {
	return sha256.Sum256(append(h[:], d...))
}

type specShort struct {
	record                 [218]byte
	ck, h                  [32]byte
	reply, layer, iv, gkey [32]byte
	gtag                   [8]byte
}

// specShortRecord follows "KDF for Initial ck and h", "KDF for Request
// Record" and "KDF" for an OBEP record.
func specShortRecord(t *testing.T, hopHash [32]byte, hesk, sesk [32]byte, plain []byte) specShort {
	hepk, _ := curve25519.X25519(hesk[:], curve25519.Basepoint)
	sepk, _ := curve25519.X25519(sesk[:], curve25519.Basepoint)
	var h [32]byte
	copy(h[:], "Noise_N_25519_ChaChaPoly_SHA256")
	ck := h
	h = sha256.Sum256(h[:])
	h = mixHash(h, hepk)
	h = mixHash(h, sepk)
	shared, _ := curve25519.X25519(sesk[:], hepk)
	ck, k := specHKDF(t, ck[:], shared, "")
	aead, _ := chacha20poly1305.New(k[:])
	ct := aead.Seal(nil, make([]byte, 12), plain, h[:])
	h = mixHash(h, ct)
	var s specShort
	copy(s.record[:16], hopHash[:16])
	copy(s.record[16:48], sepk)
	copy(s.record[48:], ct)
	s.ck, s.h = ck, h
	ck, s.reply = specHKDF(t, ck[:], nil, "SMTunnelReplyKey")
	ck, s.layer = specHKDF(t, ck[:], nil, "SMTunnelLayerKey")
	ck, s.iv = specHKDF(t, ck[:], nil, "TunnelLayerIVKey")
	ck, s.gkey = specHKDF(t, ck[:], nil, "RGarlicKeyAndTag")
	copy(s.gtag[:], ck[:8])
	return s
}

func TestShortRecordVector(t *testing.T) {
	hesk, sesk := seq(0x01), seq(0x41)
	hopHash := sha256.Sum256([]byte("hop"))
	req := ShortRequest{Request: Request{ReceiveTunnel: 0x11223344, NextTunnel: 0x55667788,
		NextRouter: data.Hash(sha256.Sum256([]byte("reply gateway"))), Flags: FlagOBEP,
		RequestTime: 29_400_000, Expiration: 600, NextMessageID: 0x01020304}}
	plain, err := req.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := specShortRecord(t, hopHash, hesk, sesk, plain)

	// Creator side of this package.
	eph := crypto.X25519KeyPair{Private: crypto.X25519PrivateKey(sesk)}
	eph.Public = eph.Private.PublicKey()
	hopPriv := crypto.X25519PrivateKey(hesk)
	hepk := hopPriv.PublicKey()
	var rec [218]byte
	copy(rec[:16], hopHash[:16])
	st, err := sealRecord(rec[:], &hepk, &eph, plain)
	if err != nil {
		t.Fatal(err)
	}
	if rec != want.record || st.ck != want.ck || st.h != want.h {
		t.Fatalf("record differs from the spec computation:\n got %x\nwant %x", rec, want.record)
	}
	keys := shortKeys(st.ck, true)
	if keys.Reply != want.reply || keys.Layer != want.layer || keys.IV != want.iv ||
		keys.GarlicKey != want.gkey || keys.GarlicTag != want.gtag {
		t.Fatalf("keys differ: %+v", keys)
	}
	// A non-OBEP hop's IV key is the chaining key after SMTunnelLayerKey.
	ck, _ := specHKDF(t, want.ck[:], nil, "SMTunnelReplyKey")
	ck, _ = specHKDF(t, ck[:], nil, "SMTunnelLayerKey")
	if k := shortKeys(st.ck, false); k.IV != ck || k.GarlicKey != ([32]byte{}) {
		t.Fatal("participant IV key")
	}
	for _, g := range []struct {
		name string
		got  []byte
		hex  string
	}{
		{"record", rec[:], vectorRecordHex},
		{"reply key", keys.Reply[:], vectorReplyKeyHex},
		{"layer key", keys.Layer[:], vectorLayerKeyHex},
		{"iv key", keys.IV[:], vectorIVKeyHex},
		{"garlic key", keys.GarlicKey[:], vectorGarlicKeyHex},
		{"garlic tag", keys.GarlicTag[:], vectorGarlicTagHex},
	} {
		if hex.EncodeToString(g.got) != g.hex {
			t.Errorf("%s golden:\n got %x\nwant %s", g.name, g.got, g.hex)
		}
	}

	// Hop side: open it, reply at position 2 of 3, check the spec's
	// reply AEAD and the ChaCha20 of the other records.
	id := NewIdentity(hopHash, crypto.X25519PrivateKey(hesk))
	msg := i2np.ShortTunnelBuild{Records: make([]i2np.ShortBuildRecord, 3)}
	msg.Records[0][0], msg.Records[1][0] = 0xaa, 0xbb
	msg.Records[2] = rec
	hop, err := OpenShort(id, msg)
	if err != nil {
		t.Fatal(err)
	}
	if hop.Keys != keys || hop.Index != 2 || hop.Request.NextMessageID != 0x01020304 {
		t.Fatalf("hop opened %+v", hop)
	}
	out, err := hop.Reply(StatusBandwidth, data.Mapping{})
	if err != nil {
		t.Fatal(err)
	}
	got := out.(i2np.OutboundTunnelBuildReply)
	aead, _ := chacha20poly1305.New(want.reply[:])
	nonce := make([]byte, 12)
	nonce[4] = 2
	replyPlain := make([]byte, ShortReplySize)
	replyPlain[201] = 30
	if wantRec := aead.Seal(nil, nonce, replyPlain, want.h[:]); !bytes.Equal(got.Records[2][:], wantRec) {
		t.Fatal("reply record differs from the spec computation")
	}
	for j := range 2 {
		nonce := make([]byte, 12)
		nonce[4] = byte(j)
		c, _ := chacha20.NewUnauthenticatedCipher(want.reply[:], nonce)
		c.SetCounter(1) // i2pd and Java start ChaCha20 at block 1
		wantRec := make([]byte, 218)
		c.XORKeyStream(wantRec, msg.Records[j][:])
		if !bytes.Equal(got.Records[j][:], wantRec) {
			t.Fatalf("record %d stream differs", j)
		}
	}
}

// Golden outputs of TestShortRecordVector: hop key 01..20, ephemeral key
// 41..60, hop hash SHA-256("hop"), OBEP request as in the test.
const (
	vectorRecordHex = "87a0acaec00fa34a3166f0b62b73528664b101b1d0be5a8704bd078f9895001f" +
		"c03e8e9f9522f188dd128d9846d48466e4bf6afc398979d84cbcaf7209546a74" +
		"16824f7a4b858ee93c28971d0130fd696dd0a37291e674cc57b13c4b71b03dc5" +
		"db2f0afa90dd71c3a98783071f5b52955cf653e74fdd7582c4438c2ba90557fd" +
		"b0fdbe36be2ca9528df62fa99b47e04543079688595bc22052ec3c418c1ab145" +
		"feaaa17934be547a521ea6d0b6a20cee1a5167da4cde0f3273b7c3a83b90d87b" +
		"b55aca154d0e56aa81ea493f25c98b43aabccc30bbff37e24731"
	vectorReplyKeyHex  = "b7a496729ee39799493c8216c7888dd4df34805c8344af77594810b0447dfb02"
	vectorLayerKeyHex  = "eec09d353d54891cac7b1a020e9542a4eb9b08257d09764f0ac6f49b177aa2dd"
	vectorIVKeyHex     = "2f4c505a702a8d3e0dac479adcc3682156ca929d4039cd58ef5ef6dfe95b62a2"
	vectorGarlicKeyHex = "07aa3001d1c6c8d68e03a9c854c7a59916bf75a80cc95ea1b94480be658b0b6c"
	vectorGarlicTagHex = "e19ca9274e914e5c"
)

// TestLongRecordVector checks a long record and its reply against the
// spec computation: request as for short records, reply AEAD keyed with
// ck (nonce 0, ad h), other records AES-256-CBC with the reply key and IV.
func TestLongRecordVector(t *testing.T) {
	hesk, sesk := seq(0x01), seq(0x41)
	hopHash := sha256.Sum256([]byte("hop"))
	req := LongRequest{Request: Request{ReceiveTunnel: 1, NextTunnel: 2, RequestTime: 3, Expiration: 600},
		LayerKey: seq(0x80), IVKey: seq(0x90), ReplyKey: seq(0xa0), ReplyIV: [16]byte{0xb0, 0xb1}}
	plain, err := req.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := specLongRecord(t, hopHash, hesk, sesk, plain)
	id := NewIdentity(hopHash, crypto.X25519PrivateKey(hesk))
	msg := i2np.VariableTunnelBuild{Records: make([]i2np.BuildRecord, 2)}
	msg.Records[0][5] = 0xcc
	copy(msg.Records[1][:], want.record)
	hop, err := OpenLong(id, msg)
	if err != nil {
		t.Fatal(err)
	}
	if hop.Index != 1 || hop.Keys.Layer != req.LayerKey || hop.Keys.ReplyIV != req.ReplyIV {
		t.Fatalf("opened %+v", hop.Keys)
	}
	out, err := hop.Reply(StatusAccept, data.Mapping{})
	if err != nil {
		t.Fatal(err)
	}
	got := out.(i2np.VariableTunnelBuild)
	aead, _ := chacha20poly1305.New(want.ck[:])
	if w := aead.Seal(nil, make([]byte, 12), make([]byte, LongReplySize), want.h[:]); !bytes.Equal(got.Records[1][:], w) {
		t.Fatal("long reply record differs")
	}
	block, _ := aes.NewCipher(req.ReplyKey[:])
	w := make([]byte, 528)
	cipher.NewCBCEncrypter(block, req.ReplyIV[:]).CryptBlocks(w, msg.Records[0][:])
	if !bytes.Equal(got.Records[0][:], w) {
		t.Fatal("other record not AES-CBC encrypted")
	}
}

type specLong struct {
	record []byte
	ck, h  [32]byte
}

func specLongRecord(t *testing.T, hopHash [32]byte, hesk, sesk [32]byte, plain []byte) specLong {
	hepk, _ := curve25519.X25519(hesk[:], curve25519.Basepoint)
	sepk, _ := curve25519.X25519(sesk[:], curve25519.Basepoint)
	var h [32]byte
	copy(h[:], "Noise_N_25519_ChaChaPoly_SHA256")
	ck := h
	h = sha256.Sum256(h[:])
	h = mixHash(mixHash(h, hepk), sepk)
	shared, _ := curve25519.X25519(sesk[:], hepk)
	ck, k := specHKDF(t, ck[:], shared, "")
	aead, _ := chacha20poly1305.New(k[:])
	ct := aead.Seal(nil, make([]byte, 12), plain, h[:])
	rec := append(append(append([]byte(nil), hopHash[:16]...), sepk...), ct...)
	return specLong{record: rec, ck: ck, h: mixHash(h, ct)}
}
