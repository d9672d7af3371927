package reseed

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
)

// i2pdNetDb holds RouterInfos i2pd 2.45.1 saved (netId 99).
const i2pdNetDb = "../../data/testdata/i2pd/netDb"

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFileSources(t *testing.T) {
	ris := testRouterInfos(t, 3, time.Now())
	z := testZip(t, ris)
	su3 := testSU3(t, z)
	dir := t.TempDir()
	netdb := filepath.Join(dir, "netDb")
	writeFile(t, netdb, "r"+ris[0].Hash().String()[:1]+"/routerInfo-"+ris[0].Hash().String()+".dat", ris[0].Bytes())
	writeFile(t, netdb, "routerInfo-"+ris[1].Hash().String()+".dat", ris[1].Bytes())
	writeFile(t, netdb, "rX/deeper/routerInfo-"+ris[2].Hash().String()+".dat", ris[2].Bytes()) // too deep
	writeFile(t, netdb, "router.info", ris[2].Bytes())                                         // wrong name
	for _, tc := range []struct {
		name string
		path string
		want int
	}{
		{"su3", writeFile(t, dir, "i2pseeds.su3", su3), 3},
		{"su3 without extension", writeFile(t, dir, "seeds", su3), 3},
		{"zip", writeFile(t, dir, "seed.zip", z), 3},
		{"zip without extension", writeFile(t, dir, "seed.bin", z), 3},
		{"router info", writeFile(t, dir, "router.info", ris[0].Bytes()), 1},
		{"netDb directory", netdb, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &File{Path: tc.path, Certs: testCerts(t), VerifyLocal: true}
			got, err := f.Fetch(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("%d RouterInfos, want %d", len(got), tc.want)
			}
			for _, b := range got {
				if _, err := data.ParseRouterInfo(b); err != nil {
					t.Fatal(err)
				}
			}
			if f.Name() != tc.path {
				t.Fatalf("Name %q", f.Name())
			}
		})
	}
}

func TestFileSourceErrors(t *testing.T) {
	z := testZip(t, testRouterInfos(t, 1, time.Now()))
	su3 := testSU3(t, z)
	bad := bytes.Clone(su3)
	bad[len(bad)-1] ^= 1
	news, err := BuildSU3(BuildParams{SigType: data.SigRSA4096, Key: testKey(t), SignerID: testSignerID,
		Version: "1", FileType: FileTypeXMLGZ, ContentType: ContentNews}, []byte("feed"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		path  string
		certs SignerCerts
		want  error
	}{
		{"bad signature", writeFile(t, dir, "bad.su3", bad), testCerts(t), ErrBadSignature},
		{"bad signature, no certs", writeFile(t, dir, "bad2.su3", bad), nil, nil}, // unknown signer, accepted
		{"news su3", writeFile(t, dir, "news.su3", news), testCerts(t), ErrWrongContent},
		{"zip named .su3", writeFile(t, dir, "zip.su3", z), nil, ErrFileKind},
		{"su3 named .zip", writeFile(t, dir, "su3.zip", su3), nil, ErrFileKind},
		{"text named .su3", writeFile(t, dir, "text.su3", []byte("hello")), nil, ErrFileKind},
		{"large non-RI file", writeFile(t, dir, "big.dat", make([]byte, MaxRouterInfoSize+1)), nil, ErrFileKind},
		{"missing", filepath.Join(dir, "missing.su3"), nil, os.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := (&File{Path: tc.path, Certs: tc.certs}).Fetch(context.Background())
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Fetch = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFileSourceUnknownSigner(t *testing.T) {
	path := writeFile(t, t.TempDir(), "i2pseeds.su3", testSU3(t, testZip(t, testRouterInfos(t, 2, time.Now()))))
	var logs bytes.Buffer
	f := &File{Path: path, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	got, err := f.Fetch(context.Background())
	if err != nil || len(got) != 2 {
		t.Fatalf("lenient: %d, %v", len(got), err)
	}
	if !strings.Contains(logs.String(), "unknown signer") {
		t.Fatalf("no warning logged: %q", logs.String())
	}
	f.VerifyLocal = true
	if _, err := f.Fetch(context.Background()); !errors.Is(err, ErrUnknownSigner) {
		t.Fatalf("VerifyLocal: %v", err)
	}
}

// TestI2pdNetDbDirectory reseeds from the RouterInfos i2pd saved, as a
// directory and as a zip of them.
func TestI2pdNetDbDirectory(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(i2pdNetDb, "routerInfo-*.dat"))
	if len(files) == 0 {
		t.Skipf("no golden RouterInfos in %s", i2pdNetDb)
	}
	var ris []*data.RouterInfo
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ri, err := data.ParseRouterInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		ris = append(ris, ri)
	}
	zipPath := writeFile(t, t.TempDir(), "seed.zip", testZip(t, ris))
	// Judge them when they were captured, not when the test runs.
	clk := clocktest.New(ris[0].Published().Add(time.Hour))
	for _, path := range []string{i2pdNetDb, zipPath} {
		r, err := New(Config{File: path, NetID: 99, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.ReseedResult(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.RouterInfos) != len(files) || res.Sources[0].Accepted != len(files) {
			t.Fatalf("%s: %+v", path, res.Sources)
		}
	}
	// The same files on the main network are all refused.
	r, _ := New(Config{File: i2pdNetDb, Clock: clk})
	if _, err := r.Reseed(context.Background()); !errors.Is(err, ErrNoRouters) {
		t.Fatalf("netId 2: %v", err)
	}
}
