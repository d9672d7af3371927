package reseed

import (
	"bytes"
	"testing"
)

func FuzzExtractRouterInfos(f *testing.F) {
	f.Add(makeZip(f, []zipFile{{"routerInfo-A.dat", []byte("ri")}, {"x", []byte("y")}}))
	f.Add(lyingZip(f, "routerInfo-A.dat", 100000, 10))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ris, err := ExtractRouterInfos(b)
		if err != nil {
			return
		}
		total := 0
		for _, ri := range ris {
			if len(ri) > MaxRouterInfoSize {
				t.Fatalf("entry of %d bytes", len(ri))
			}
			total += len(ri)
		}
		if total > MaxZipTotalSize {
			t.Fatalf("%d bytes in all", total)
		}
	})
}

func FuzzParseSU3(f *testing.F) {
	f.Add(rawSU3(6, 512, 16, "a@b", []byte("zip")))
	f.Add(rawSU3(8, 64, 20, "someone@mail.i2p", []byte("PK\x03\x04")))
	f.Add([]byte("I2Psu3\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSU3(b)
		if err != nil {
			return
		}
		n := SU3HeaderSize + len(s.version) + len(s.signer) + len(s.content) + len(s.signature)
		if n != len(b) || !bytes.Equal(s.Bytes(), b) || len(s.signed)+len(s.signature) != len(b) {
			t.Fatalf("parts do not add up: %d of %d", n, len(b))
		}
		_ = s.Verify(SignerCerts{s.SignerID(): nil})
	})
}
