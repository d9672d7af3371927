package reseed

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"testing"
	"time"
)

type zipFile struct {
	name string
	data []byte
}

func makeZip(t testing.TB, files []zipFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip has one entry whose headers claim claimed bytes but which
// inflates to n zero bytes.
func lyingZip(t testing.TB, name string, n int, claimed uint64) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	zeros := make([]byte, n)
	fw.Write(zeros)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(zeros),
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: claimed,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	return buf.Bytes()
}

func TestExtractRouterInfos(t *testing.T) {
	now := time.Now()
	ris := testRouterInfos(t, 3, now)
	z := testZip(t, ris)
	got, err := ExtractRouterInfos(z)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ris) {
		t.Fatalf("%d entries", len(got))
	}
	for i := range ris {
		if !bytes.Equal(got[i], ris[i].Bytes()) {
			t.Errorf("entry %d differs", i)
		}
	}
	if !bytes.HasPrefix(z, zipMagic) {
		t.Error("BuildZip output does not start with a local file header")
	}
}

func TestExtractRouterInfosNames(t *testing.T) {
	z := makeZip(t, []zipFile{
		{"routerInfo-AAAA.dat", []byte("ri 1")},
		{"README", []byte("x")},
		{"netDb/routerInfo-BBBB.dat", []byte("in a directory")},
		{"../routerInfo-CCCC.dat", []byte("escaping")},
		{"routerInfo-.dat", []byte("no hash")},
		{"routerInfo-DDDD.dat.txt", []byte("suffix")},
		{"routerInfo-EEEE.dat/", nil},
		{"routerInfo-FFFF.dat", []byte("ri 2")},
	})
	got, err := ExtractRouterInfos(z)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[0]) != "ri 1" || string(got[1]) != "ri 2" {
		t.Fatalf("got %q", got)
	}
}

func TestExtractRouterInfosLimits(t *testing.T) {
	many := make([]zipFile, MaxZipEntries+1)
	for i := range many {
		many[i] = zipFile{fmt.Sprintf("other-%d", i), nil}
	}
	full := make([]zipFile, MaxZipTotalSize/MaxRouterInfoSize+1)
	for i := range full {
		full[i] = zipFile{fmt.Sprintf("routerInfo-%d.dat", i), make([]byte, MaxRouterInfoSize)}
	}
	corrupt := makeZip(t, []zipFile{{"routerInfo-A.dat", bytes.Repeat([]byte("abcd"), 100)}})
	i := bytes.Index(corrupt, []byte("routerInfo-A.dat")) + len("routerInfo-A.dat") + 2
	corrupt[i] ^= 0xff // inside the deflated data
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"not a zip", []byte("PK\x03\x04 but nothing else")},
		{"too many entries", makeZip(t, many)},
		{"entry too large", makeZip(t, []zipFile{{"routerInfo-A.dat", make([]byte, MaxRouterInfoSize+1)}})},
		{"bomb with honest header", lyingZip(t, "routerInfo-A.dat", 10<<20, 10<<20)},
		{"bomb claiming 500 bytes", lyingZip(t, "routerInfo-A.dat", 10<<20, 500)},
		{"total too large", makeZip(t, full)},
		{"corrupt entry", corrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ExtractRouterInfos(tc.b); !errors.Is(err, ErrZip) {
				t.Fatalf("ExtractRouterInfos = %v", err)
			}
		})
	}
	// A lying bomb with a non-RouterInfo name is never inflated.
	if got, err := ExtractRouterInfos(lyingZip(t, "other.bin", 10<<20, 500)); err != nil || len(got) != 0 {
		t.Fatalf("ignored bomb: %v %d", err, len(got))
	}
	// At the limits exactly.
	if _, err := ExtractRouterInfos(makeZip(t, full[:len(full)-1])); err != nil {
		t.Fatalf("total at limit: %v", err)
	}
}
