package reseed

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"i2pgate/router/data"
)

// Limits on a reseed zip: real ones hold 75-100 RouterInfos of 0.5-3 KB.
const (
	// MaxZipEntries bounds the entries of a zip, whatever their names.
	MaxZipEntries = 1024
	// MaxRouterInfoSize bounds one RouterInfo (uncompressed).
	MaxRouterInfoSize = 16 << 10
	// MaxZipTotalSize bounds the uncompressed RouterInfos of one zip.
	MaxZipTotalSize = 4 << 20
)

// RouterInfo file names in a reseed zip and a netDb directory
// (updates.rst "SU3 Reseed File Specification").
const (
	riPrefix = "routerInfo-"
	riSuffix = ".dat"
)

// zipMagic starts a zip file (a local file header).
var zipMagic = []byte("PK\x03\x04")

// ErrZip is returned (wrapped) for a reseed zip that cannot be read or
// exceeds a limit.
var ErrZip = errors.New("reseed: bad zip")

// isRouterInfoName reports whether name is a top-level
// "routerInfo-*.dat" entry. Names are only matched, never used as paths.
func isRouterInfoName(name string) bool {
	return strings.HasPrefix(name, riPrefix) && strings.HasSuffix(name, riSuffix) &&
		len(name) > len(riPrefix)+len(riSuffix) && !strings.ContainsAny(name, "/\\\x00")
}

// ExtractRouterInfos returns the contents of the top-level
// "routerInfo-*.dat" entries of a zip, in archive order; other entries are
// ignored. It reads stored and deflated entries, checks their CRC-32 and
// enforces MaxZipEntries, MaxRouterInfoSize per entry (whatever the header
// claims) and MaxZipTotalSize in all, so a zip bomb fails early. Any
// unreadable RouterInfo entry fails the whole archive. The contents are not
// parsed.
func ExtractRouterInfos(b []byte) ([][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrZip, err)
	}
	if len(zr.File) > MaxZipEntries {
		return nil, fmt.Errorf("%w: %d entries, more than %d", ErrZip, len(zr.File), MaxZipEntries)
	}
	var out [][]byte
	total := 0
	for _, f := range zr.File {
		if !isRouterInfoName(f.Name) || f.Mode().IsDir() {
			continue
		}
		if f.UncompressedSize64 > MaxRouterInfoSize {
			return nil, fmt.Errorf("%w: entry %q of %d bytes, more than %d", ErrZip, f.Name, f.UncompressedSize64, MaxRouterInfoSize)
		}
		ri, err := readZipEntry(f)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %q: %w", ErrZip, f.Name, err)
		}
		total += len(ri)
		if total > MaxZipTotalSize {
			return nil, fmt.Errorf("%w: more than %d bytes of RouterInfos", ErrZip, MaxZipTotalSize)
		}
		out = append(out, ri)
	}
	return out, nil
}

func readZipEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// Reading to EOF makes archive/zip check the CRC-32 and sizes.
	return readLimited(rc, MaxRouterInfoSize)
}

// BuildZip writes RouterInfos into a deflated zip as reseed servers do, each
// named "routerInfo-<I2P base64 hash>.dat"; a test network can seed routers
// with it.
func BuildZip(ris []*data.RouterInfo) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, ri := range ris {
		w, err := zw.Create(riPrefix + ri.Hash().String() + riSuffix)
		if err != nil {
			return nil, fmt.Errorf("reseed: build zip: %w", err)
		}
		if _, err := w.Write(ri.Bytes()); err != nil {
			return nil, fmt.Errorf("reseed: build zip: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("reseed: build zip: %w", err)
	}
	return buf.Bytes(), nil
}
