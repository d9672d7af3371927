package data

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seedGolden adds the i2pd golden files matching pattern, if present.
func seedGolden(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, pattern))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// The fuzz targets do not call Verify: signature checks run about a
// thousand times slower under fuzzing instrumentation and the unit tests
// cover them.

// reserializeRouterInfo writes ri from its parsed fields.
func reserializeRouterInfo(t *testing.T, ri *RouterInfo) []byte {
	b := bytes.Clone(ri.Identity().Bytes())
	b, _ = AppendInteger(b, uint64(ri.PublishedDate()), DateSize)
	b = append(b, byte(len(ri.addresses)))
	var err error
	for _, a := range ri.addresses {
		if b, err = a.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	b = append(b, byte(len(ri.peers)))
	for _, p := range ri.peers {
		b = append(b, p[:]...)
	}
	if b, err = ri.options.Append(b); err != nil {
		t.Fatal(err)
	}
	return append(b, ri.signature...)
}

func FuzzParseRouterInfo(f *testing.F) {
	ri, _ := testRouterInfo(f)
	f.Add(ri.Bytes())
	seedGolden(f, "router.info")
	seedGolden(f, "netDb/*.dat")
	f.Fuzz(func(t *testing.T, b []byte) {
		ri, err := ParseRouterInfo(b)
		if err != nil {
			return
		}
		if !bytes.Equal(ri.Bytes(), b) {
			t.Fatal("Bytes differs from input")
		}
		// Writing the parsed fields gives a RouterInfo that parses to the
		// same fields (and to the same bytes when the mappings were sorted).
		again := reserializeRouterInfo(t, ri)
		ri2, err := ParseRouterInfo(again)
		if err != nil {
			t.Fatalf("re-serialized router info does not parse: %v", err)
		}
		if !bytes.Equal(reserializeRouterInfo(t, ri2), again) || ri2.Hash() != ri.Hash() || !ri2.options.Equal(ri.options) {
			t.Fatal("round trip not stable")
		}
	})
}

func FuzzParseMapping(f *testing.F) {
	var m Mapping
	_ = m.Set("caps", "XfR")
	_ = m.Set("netId", "2")
	b, _ := m.Bytes()
	f.Add(b)
	f.Add([]byte{0, 0})
	f.Add([]byte{0, 7, 1, '=', '=', 2, ';', '=', ';'})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, rest, err := ParseMapping(b)
		if err != nil {
			return
		}
		enc, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if len(enc)+len(rest) != len(b) {
			t.Fatalf("encoded %d + rest %d != input %d", len(enc), len(rest), len(b))
		}
		m2, rest2, err := ParseMapping(enc)
		if err != nil || len(rest2) != 0 || !m2.Equal(m) {
			t.Fatalf("round trip: %v", err)
		}
		if sorted := strings.Join(m.Keys(), "\x00"); sorted == strings.Join(m2.Keys(), "\x00") &&
			isSortedMapping(b[:len(enc)]) && !bytes.Equal(enc, b[:len(enc)]) {
			t.Fatal("sorted input not reproduced")
		}
	})
}

// isSortedMapping reports whether the Mapping at the start of b has its
// keys in order on the wire.
func isSortedMapping(b []byte) bool {
	if len(b) < 2 || len(b) < 2+(int(b[0])<<8|int(b[1])) {
		return false
	}
	b = b[2 : 2+(int(b[0])<<8|int(b[1]))]
	prev := ""
	for first := true; len(b) > 0; first = false {
		k, rest, err := ParseString(b)
		if err != nil || len(rest) < 1 {
			return false
		}
		_, rest, err = ParseString(rest[1:])
		if err != nil || len(rest) < 1 {
			return false
		}
		b = rest[1:]
		if !first && k < prev {
			return false
		}
		prev = k
	}
	return true
}

func FuzzParseDestination(f *testing.F) {
	f.Add(testKeys(f, 30, CryptoX25519).Identity().Bytes())
	f.Add(testKeys(f, 31, CryptoElGamal).Identity().Bytes())
	spk, _ := NewSigningPublicKey(SigECDSAP521, bytes.Repeat([]byte{9}, 132))
	p521, _ := NewKeysAndCert(CryptoElGamal, make([]byte, 256), spk, nil)
	f.Add(p521.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		d, rest, err := ParseDestination(b)
		if err != nil {
			return
		}
		if !bytes.Equal(append(bytes.Clone(d.Bytes()), rest...), b) || d.Hash() != HashOf(d.Bytes()) {
			t.Fatal("bytes or hash differ from input")
		}
		_ = d.Verify([]byte("m"), make([]byte, d.SignatureLen()))
		_ = d.EncryptionPublicKey()
		// Rebuilding from the parsed keys and the original padding gives the
		// same bytes, except for KEY certificates declaring DSA_SHA1 with
		// ElGamal, which NewKeysAndCert writes as a NULL certificate.
		k := &d.KeysAndCert
		legacy := k.SigType() == SigDSASHA1 && k.CryptoType() == CryptoElGamal
		if (k.cert.Type == CertKey && !legacy) || k.cert.Type == CertNull {
			cryptoLen := k.cryptoType.PublicKeyLen()
			gap := KeysAreaSize - cryptoLen - min(k.signingKey.typ.PublicKeyLen(), SigningAreaSize)
			again, err := NewKeysAndCert(k.cryptoType, k.EncryptionPublicKey(), k.signingKey, b[cryptoLen:cryptoLen+gap])
			if err != nil || !again.Equal(k) {
				t.Fatalf("rebuild differs: %v", err)
			}
		}
	})
}

func FuzzParseLeaseSet(f *testing.F) {
	k := testKeys(f, 32, CryptoElGamal)
	s := testSigner(f, k)
	ls, err := NewLeaseSet(k.Destination(), make([]byte, 256), nil,
		[]Lease{{Gateway: HashOf(nil), TunnelID: 5, EndDate: DateOf(testTime)}}, s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ls.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		ls, err := ParseLeaseSet(b)
		if err != nil {
			return
		}
		_ = ls.Expires()
		body := append(bytes.Clone(ls.Destination().Bytes()), ls.EncryptionKey()...)
		body = append(body, ls.SigningKey()...)
		body = append(body, byte(len(ls.leases)))
		for _, l := range ls.leases {
			body = l.Append(body)
		}
		if !bytes.Equal(append(body, ls.Signature()...), b) || !bytes.Equal(ls.Bytes(), b) {
			t.Fatal("round trip differs")
		}
	})
}

func FuzzParseLeaseSet2(f *testing.F) {
	k := testKeys(f, 33, CryptoX25519)
	ls, err := NewLeaseSet2(testLeaseSet2Params(f, k), testSigner(f, k))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ls.Bytes())
	transient := testSigner(f, testKeys(f, 34, CryptoX25519))
	off, _ := NewOfflineSignature(testTime, transient.Public(), testSigner(f, k))
	p := testLeaseSet2Params(f, k)
	p.Offline = off
	if ls, err := NewLeaseSet2(p, transient); err == nil {
		f.Add(ls.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ls, err := ParseLeaseSet2(b)
		if err != nil {
			return
		}
		if !bytes.Equal(ls.Bytes(), b) {
			t.Fatal("Bytes differs from input")
		}
		p := LeaseSet2Params{
			Destination: ls.Destination(), Published: ls.Published(),
			Expires: ls.Expires().Sub(ls.Published()), Flags: ls.Flags(), Offline: ls.Offline(),
			Options: ls.Options(), Keys: ls.EncryptionKeys(), Leases: ls.Leases(),
		}
		body, err := p.appendBody(nil)
		if err != nil {
			t.Fatalf("re-serialize: %v", err)
		}
		ls2, err := ParseLeaseSet2(append(body, ls.Signature()...))
		if err != nil || ls2.Flags() != ls.Flags() || !ls2.Expires().Equal(ls.Expires()) || !ls2.options.Equal(ls.options) {
			t.Fatalf("round trip: %v", err)
		}
		if isSortedMapping(body[len(ls.Destination().Bytes())+8+offlineLen(ls):]) && !bytes.Equal(ls2.Bytes(), b) {
			t.Fatal("round trip differs")
		}
	})
}

func offlineLen(ls *LeaseSet2) int {
	if ls.Offline() == nil {
		return 0
	}
	return len(ls.Offline().Bytes())
}

func FuzzParsePrivateKeys(f *testing.F) {
	f.Add(testKeys(f, 35, CryptoX25519).Bytes())
	f.Add(testKeys(f, 36, CryptoElGamal).Bytes())
	k := testKeys(f, 37, CryptoX25519)
	transient := testSigner(f, testKeys(f, 38, CryptoX25519))
	off, _ := NewOfflineSignature(testTime.Add(time.Hour), transient.Public(), testSigner(f, k))
	if ok, err := k.WithOffline(off, transient.Seed()); err == nil {
		f.Add(ok.Bytes())
	}
	seedGolden(f, "router.keys")
	seedGolden(f, "eepsite.dat")
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParsePrivateKeys(b)
		if err != nil {
			return
		}
		_, _ = k.Signer()
		_, _ = k.X25519PrivateKey()
		again, err := NewPrivateKeys(k.Identity(), k.EncryptionPrivateKey(), k.SigningPrivateKey())
		if k.Offline() == nil && (err != nil || !bytes.Equal(again.Bytes(), b)) {
			t.Fatalf("round trip: %v", err)
		}
		if !bytes.Equal(k.Bytes(), b) {
			t.Fatal("Bytes differs from input")
		}
	})
}

func FuzzParseRouterAddress(f *testing.F) {
	ri, _ := testRouterInfo(f)
	for _, a := range ri.Addresses() {
		b, _ := a.Append(nil)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, rest, err := ParseRouterAddress(b)
		if err != nil {
			return
		}
		_, _ = a.AddrPort()
		_, _ = a.StaticKey()
		enc, err := a.Append(nil)
		if err != nil || len(enc)+len(rest) != len(b) {
			t.Fatalf("round trip length: %v", err)
		}
		a2, _, err := ParseRouterAddress(enc)
		if err != nil || a2.Cost != a.Cost || a2.Expiration != a.Expiration || a2.Transport != a.Transport || !a2.Options.Equal(a.Options) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzParseCertificate(f *testing.F) {
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{5, 0, 4, 0, 7, 0, 4})
	f.Add([]byte{5, 0, 8, 0, 3, 0, 0, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, rest, err := ParseCertificate(b)
		if err != nil {
			return
		}
		_, _ = c.KeyTypes()
		if enc := c.Append(nil); !bytes.Equal(append(enc, rest...), b) || len(enc) != c.Len() {
			t.Fatal("round trip differs")
		}
	})
}

func FuzzDecodeBase64(f *testing.F) {
	f.Add("47DEQpj8HBSa-~TImW-5JCeuQeRkm5NMpJWZG3hSuFU=")
	f.Add("Zg==")
	f.Add("Zm9vYg")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeBase64(s)
		if err != nil {
			return
		}
		again, err := DecodeBase64(EncodeBase64(b))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzDecodeBase32(f *testing.F) {
	f.Add("mzxw6ytboi")
	f.Add(strings.TrimSuffix(B32Address(HashOf(nil)), B32Suffix))
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeBase32(s)
		if err != nil {
			return
		}
		if EncodeBase32(b) != strings.ToLower(s) {
			t.Fatal("round trip differs")
		}
	})
}

func FuzzParseB32Address(f *testing.F) {
	f.Add(B32Address(HashOf(nil)))
	f.Add(strings.Repeat("a", 56) + B32Suffix)
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseB32Address(s)
		if err != nil {
			return
		}
		if B32Address(h) != strings.ToLower(s) {
			t.Fatal("round trip differs")
		}
	})
}
