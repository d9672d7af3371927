package data

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func testLeases2(n int) []Lease2 {
	ls := make([]Lease2, n)
	for i := range ls {
		ls[i] = Lease2{Gateway: HashOf([]byte{byte(i)}), TunnelID: uint32(1000 + i), EndDate: uint32(testTime.Unix()) + 600 + uint32(i)}
	}
	return ls
}

func TestLeaseCodec(t *testing.T) {
	l := Lease{Gateway: HashOf([]byte("gw")), TunnelID: 0x01020304, EndDate: 0x0000018f345678ab}
	b := l.Append(nil)
	if len(b) != LeaseSize || !bytes.Equal(b[32:], mustHex(t, "01020304 0000018f345678ab")) {
		t.Fatalf("Lease = %x", b)
	}
	back, rest, err := ParseLease(append(b, 9))
	if err != nil || back != l || len(rest) != 1 {
		t.Errorf("ParseLease = %v %v", back, err)
	}
	l2 := Lease2{Gateway: l.Gateway, TunnelID: 7, EndDate: 0x66320000}
	b2 := l2.Append(nil)
	if len(b2) != Lease2Size || !bytes.Equal(b2[32:], mustHex(t, "00000007 66320000")) {
		t.Fatalf("Lease2 = %x", b2)
	}
	back2, _, err := ParseLease2(b2)
	if err != nil || back2 != l2 || !back2.End().Equal(time.Unix(0x66320000, 0)) {
		t.Errorf("ParseLease2 = %v %v", back2, err)
	}
	if _, _, err := ParseLease(b[:43]); !errors.Is(err, ErrTruncated) {
		t.Error("short lease")
	}
	if _, _, err := ParseLease2(b2[:39]); !errors.Is(err, ErrTruncated) {
		t.Error("short lease2")
	}
}

func TestLeaseSet(t *testing.T) {
	k := testKeys(t, 20, CryptoElGamal)
	leases := []Lease{
		{Gateway: HashOf([]byte{1}), TunnelID: 1, EndDate: DateOf(testTime.Add(10 * time.Minute))},
		{Gateway: HashOf([]byte{2}), TunnelID: 2, EndDate: DateOf(testTime.Add(9 * time.Minute))},
	}
	encKey := bytes.Repeat([]byte{0x42}, 256)
	ls, err := NewLeaseSet(k.Destination(), encKey, nil, leases, testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	if err := ls.Verify(); err != nil {
		t.Fatal(err)
	}
	b := ls.Bytes()
	if want := 391 + 256 + 32 + 1 + 2*44 + 64; len(b) != want {
		t.Fatalf("length %d, want %d", len(b), want)
	}
	back, err := ParseLeaseSet(b)
	if err != nil || !bytes.Equal(back.Bytes(), b) {
		t.Fatalf("round trip: %v", err)
	}
	if back.Hash() != k.Destination().Hash() || !bytes.Equal(back.EncryptionKey(), encKey) ||
		len(back.SigningKey()) != 32 || len(back.Leases()) != 2 || len(back.Signature()) != 64 {
		t.Error("accessors")
	}
	if !back.Expires().Equal(testTime.Add(9 * time.Minute)) {
		t.Errorf("Expires = %v", back.Expires())
	}
	bad := bytes.Clone(b)
	bad[700] ^= 1
	if p, err := ParseLeaseSet(bad); err != nil || !errors.Is(p.Verify(), ErrBadSignature) {
		t.Errorf("tampered: %v", err)
	}
	if _, err := ParseLeaseSet(b[:len(b)-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
	tooMany := bytes.Clone(b)
	tooMany[391+256+32] = 17
	if _, err := ParseLeaseSet(tooMany); !errors.Is(err, ErrInvalid) {
		t.Errorf("17 leases: %v", err)
	}
	if _, err := NewLeaseSet(k.Destination(), encKey[:255], nil, nil, testSigner(t, k)); !errors.Is(err, ErrInvalid) {
		t.Errorf("short key: %v", err)
	}
	empty, err := NewLeaseSet(k.Destination(), encKey, nil, nil, testSigner(t, k))
	if err != nil || !empty.Expires().IsZero() {
		t.Errorf("empty lease set: %v", err)
	}
}

func testLeaseSet2Params(t testing.TB, k *PrivateKeys) LeaseSet2Params {
	var opts Mapping
	_ = opts.Set("s.0.http", "1 86400 0 0 80 example")
	return LeaseSet2Params{
		Destination: k.Destination(),
		Published:   testTime,
		Expires:     10 * time.Minute,
		Options:     opts,
		Keys: []EncryptionKey{
			{Type: CryptoX25519, Key: bytes.Repeat([]byte{0x44}, 32)},
			{Type: CryptoElGamal, Key: bytes.Repeat([]byte{0x40}, 256)},
		},
		Leases: testLeases2(3),
	}
}

func TestLeaseSet2(t *testing.T) {
	k := testKeys(t, 21, CryptoX25519)
	p := testLeaseSet2Params(t, k)
	ls, err := NewLeaseSet2(p, testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "leaseset2.golden", ls.Bytes())
	if err := ls.Verify(); err != nil {
		t.Fatal(err)
	}
	back, err := ParseLeaseSet2(ls.Bytes())
	if err != nil || !bytes.Equal(back.Bytes(), ls.Bytes()) {
		t.Fatalf("round trip: %v", err)
	}
	if back.Hash() != k.Destination().Hash() || !back.Published().Equal(testTime) ||
		!back.Expires().Equal(testTime.Add(10*time.Minute)) || back.Flags() != 0 || back.Offline() != nil {
		t.Error("header accessors")
	}
	if v, ok := back.Options().Get("s.0.http"); !ok || v == "" {
		t.Error("options")
	}
	if key, ok := back.EncryptionKey(CryptoX25519); !ok || key[0] != 0x44 || len(back.EncryptionKeys()) != 2 {
		t.Error("encryption keys")
	}
	if _, ok := back.EncryptionKey(CryptoMLKEM512X25519); ok {
		t.Error("absent key type found")
	}
	if len(back.Leases()) != 3 || back.Leases()[2] != p.Leases[2] || len(back.Signature()) != 64 {
		t.Error("leases")
	}
	// The signature covers the store type byte: a signature over the bare
	// bytes must not verify.
	body := ls.Bytes()[:len(ls.Bytes())-64]
	s := testSigner(t, k)
	bare, _ := s.Sign(body)
	if p2, err := ParseLeaseSet2(append(bytes.Clone(body), bare...)); err != nil || !errors.Is(p2.Verify(), ErrBadSignature) {
		t.Errorf("signature without store type byte accepted: %v", err)
	}
	withType, _ := s.Sign(append([]byte{StoreTypeLeaseSet2}, body...))
	if !bytes.Equal(withType, ls.Signature()) {
		t.Error("signature is not over 0x03 || body")
	}
}

func TestLeaseSet2Flags(t *testing.T) {
	k := testKeys(t, 22, CryptoX25519)
	p := testLeaseSet2Params(t, k)
	p.Flags = LS2FlagUnpublished | LS2FlagBlinded | LS2FlagOffline // offline bit is derived from p.Offline
	ls, err := NewLeaseSet2(p, testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	if !ls.IsUnpublished() || !ls.IsBlinded() || ls.Flags()&LS2FlagOffline != 0 {
		t.Errorf("flags %#x", ls.Flags())
	}
}

func TestLeaseSet2Offline(t *testing.T) {
	k := testKeys(t, 23, CryptoX25519)
	transient := testSigner(t, testKeys(t, 24, CryptoX25519))
	off, err := NewOfflineSignature(testTime.Add(24*time.Hour), transient.Public(), testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	p := testLeaseSet2Params(t, k)
	p.Offline = off
	if _, err := NewLeaseSet2(p, testSigner(t, k)); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("long-term signer with offline block: %v", err)
	}
	ls, err := NewLeaseSet2(p, transient)
	if err != nil {
		t.Fatal(err)
	}
	if err := ls.Verify(); err != nil {
		t.Fatal(err)
	}
	back, err := ParseLeaseSet2(ls.Bytes())
	if err != nil || back.Offline() == nil || !back.Offline().TransientKey().Equal(transient.Public()) ||
		back.Flags()&LS2FlagOffline == 0 || !bytes.Equal(back.Bytes(), ls.Bytes()) {
		t.Fatalf("round trip: %v", err)
	}
	// Corrupt the offline block's signature (the body signature still matches the transient key).
	bad := bytes.Clone(ls.Bytes())
	bad[391+8+6+32+3] ^= 1
	if p2, err := ParseLeaseSet2(bad); err != nil || !errors.Is(p2.Verify(), ErrBadSignature) {
		t.Errorf("bad offline signature: %v", err)
	}
}

func TestParseLeaseSet2Errors(t *testing.T) {
	k := testKeys(t, 25, CryptoX25519)
	ls, err := NewLeaseSet2(testLeaseSet2Params(t, k), testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	b := ls.Bytes()
	for n := 0; n < len(b); n += 37 {
		if _, err := ParseLeaseSet2(b[:n]); err == nil {
			t.Fatalf("truncated at %d accepted", n)
		}
	}
	if _, err := ParseLeaseSet2(append(bytes.Clone(b), 0)); !errors.Is(err, ErrTrailingData) {
		t.Errorf("trailing: %v", err)
	}
	optsLen := 2 + len("s.0.http") + len("1 86400 0 0 80 example") + 4
	numk := 391 + 8 + optsLen
	noKeys := bytes.Clone(b)
	noKeys[numk] = 0
	if _, err := ParseLeaseSet2(noKeys); !errors.Is(err, ErrInvalid) {
		t.Errorf("no keys: %v", err)
	}
	badLen := bytes.Clone(b)
	badLen[numk+4] = 31 // X25519 key length 31
	if _, err := ParseLeaseSet2(badLen); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad key length: %v", err)
	}
	// An unknown key type with any length is kept opaque.
	p := testLeaseSet2Params(t, k)
	p.Keys = append(p.Keys, EncryptionKey{Type: 99, Key: []byte{1, 2, 3}})
	ls2, err := NewLeaseSet2(p, testSigner(t, k))
	if err != nil || ls2.Verify() != nil || len(ls2.EncryptionKeys()) != 3 {
		t.Errorf("unknown key type: %v", err)
	}
	p.Expires = 70000 * time.Second
	if _, err := NewLeaseSet2(p, testSigner(t, k)); !errors.Is(err, ErrInvalid) {
		t.Errorf("expires too long: %v", err)
	}
}
