package reseed

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"strconv"
	"testing"
	"time"

	"i2pgate/router/data"
)

// testNetID is the network of every generated RouterInfo.
const testNetID = 99

// testSignerID is the CN of testdata/certs/test-signer_at_mail.i2p.crt.
const testSignerID = "test-signer@mail.i2p"

// testKey returns the committed RSA-4096 TEST key of testdata.
func testKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile("testdata/test-signer-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("testdata/test-signer-key.pem: no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// testCerts trusts the test key under testSignerID.
func testCerts(t testing.TB) SignerCerts {
	t.Helper()
	return SignerCerts{testSignerID: &testKey(t).PublicKey}
}

// testRouterInfo generates a signed RouterInfo with the given netId.
func testRouterInfo(t testing.TB, netID int, published time.Time) *data.RouterInfo {
	t.Helper()
	keys, err := data.GenerateRouterKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.Signer()
	if err != nil {
		t.Fatal(err)
	}
	var opts data.Mapping
	for k, v := range map[string]string{"netId": strconv.Itoa(netID), "router.version": "0.9.65", "caps": "LR"} {
		if err := opts.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	ri, err := data.NewRouterInfo(keys.RouterIdentity(), published, nil, opts, signer)
	if err != nil {
		t.Fatal(err)
	}
	return ri
}

// testRouterInfos generates n RouterInfos of testNetID published at now.
func testRouterInfos(t testing.TB, n int, now time.Time) []*data.RouterInfo {
	t.Helper()
	ris := make([]*data.RouterInfo, n)
	for i := range ris {
		ris[i] = testRouterInfo(t, testNetID, now)
	}
	return ris
}

// testZip zips RouterInfos.
func testZip(t testing.TB, ris []*data.RouterInfo) []byte {
	t.Helper()
	z, err := BuildZip(ris)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// testSU3 signs content as a reseed SU3 with the test key.
func testSU3(t testing.TB, content []byte) []byte {
	t.Helper()
	b, err := BuildSU3(BuildParams{
		SigType:     data.SigRSA4096,
		Key:         testKey(t),
		SignerID:    testSignerID,
		Version:     "1764094047",
		FileType:    FileTypeZIP,
		ContentType: ContentReseed,
	}, content)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
