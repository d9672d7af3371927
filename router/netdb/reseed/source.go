package reseed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Source is one place to reseed from. Fetch returns the raw RouterInfos
// the source holds; they are not parsed or verified yet (the Reseeder does
// that), but an SU3 source has already checked the file's signature.
type Source interface {
	// Name identifies the source in errors and logs: a URL or a path.
	Name() string
	Fetch(ctx context.Context) ([][]byte, error)
}

// Errors returned (wrapped) by sources.
var (
	// ErrWrongContent: an SU3 file that is not reseed data in a zip.
	ErrWrongContent = errors.New("reseed: SU3 file is not reseed data")
	// ErrFileKind: a local file whose extension and content disagree.
	ErrFileKind = errors.New("reseed: unrecognized reseed file")
)

// MaxDirFiles bounds the RouterInfo files read from a directory source.
const MaxDirFiles = MaxZipEntries

// routerInfosFromSU3 checks an SU3 reseed file and returns its RouterInfos.
// A file by a signer certs does not hold is refused unless allowUnknown,
// in which case unverified reports it; a bad signature is always refused.
func routerInfosFromSU3(b []byte, certs SignerCerts, allowUnknown bool) (ris [][]byte, unverified bool, err error) {
	s, err := ParseSU3(b)
	if err != nil {
		return nil, false, err
	}
	if s.ContentType() != ContentReseed || s.FileType() != FileTypeZIP {
		return nil, false, fmt.Errorf("%w: content type %d, file type %d", ErrWrongContent, s.ContentType(), s.FileType())
	}
	if err := s.Verify(certs); err != nil {
		if !allowUnknown || !errors.Is(err, ErrUnknownSigner) {
			return nil, false, err
		}
		unverified = true
	}
	ris, err = ExtractRouterInfos(s.Content())
	return ris, unverified, err
}

// File is a local reseed source the user points at (i2pd's reseed.file and
// reseed.zipfile): an .su3 file, a .zip of routerInfo-*.dat files, a
// directory of them (a netDb directory, searched one level deep as i2pd's
// r<C>/ subdirectories are), or a single RouterInfo file. Files other than
// .su3 and .zip are recognized by content.
type File struct {
	Path  string
	Certs SignerCerts
	// VerifyLocal refuses an SU3 file whose signer is not in Certs. When
	// false (i2pd's reseed.verify default), such a file is accepted with a
	// warning; a known signer's bad signature is refused either way.
	VerifyLocal bool
	Logger      *slog.Logger // nil: no warnings
}

var _ Source = (*File)(nil)

// Name implements Source.
func (f *File) Name() string { return f.Path }

// Fetch implements Source.
func (f *File) Fetch(ctx context.Context) ([][]byte, error) {
	st, err := os.Stat(f.Path)
	if err != nil {
		return nil, fmt.Errorf("reseed: %w", err)
	}
	if st.IsDir() {
		return readRouterInfoDir(ctx, f.Path)
	}
	b, err := readFileLimited(f.Path, MaxSU3Size)
	if err != nil {
		return nil, fmt.Errorf("reseed: %s: %w", f.Path, err)
	}
	ext := strings.ToLower(filepath.Ext(f.Path))
	switch {
	case bytes.HasPrefix(b, su3Magic):
		if ext == ".zip" {
			break
		}
		ris, unverified, err := routerInfosFromSU3(b, f.Certs, !f.VerifyLocal)
		if unverified && err == nil && f.Logger != nil {
			f.Logger.Warn("reseed: using SU3 file of an unknown signer", "path", f.Path)
		}
		return ris, err
	case bytes.HasPrefix(b, zipMagic):
		if ext == ".su3" {
			break
		}
		return ExtractRouterInfos(b)
	case ext != ".su3" && ext != ".zip":
		if len(b) > MaxRouterInfoSize {
			return nil, fmt.Errorf("%w: %s: %d bytes, not SU3 or zip and too large for a RouterInfo", ErrFileKind, f.Path, len(b))
		}
		return [][]byte{b}, nil
	}
	return nil, fmt.Errorf("%w: %s: content does not match its extension", ErrFileKind, f.Path)
}

// readRouterInfoDir reads routerInfo-*.dat files of dir and of its direct
// subdirectories, within MaxDirFiles, MaxRouterInfoSize and MaxZipTotalSize.
func readRouterInfoDir(ctx context.Context, dir string) ([][]byte, error) {
	paths, err := routerInfoPaths(dir)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	total := 0
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := readFileLimited(p, MaxRouterInfoSize)
		if err != nil {
			return nil, fmt.Errorf("reseed: %s: %w", p, err)
		}
		if total += len(b); total > MaxZipTotalSize {
			return nil, fmt.Errorf("reseed: %s: more than %d bytes of RouterInfos", dir, MaxZipTotalSize)
		}
		out = append(out, b)
	}
	return out, nil
}

// routerInfoPaths lists the RouterInfo files of dir and its subdirectories
// (not deeper), sorted.
func routerInfoPaths(dir string) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && filepath.Dir(p) != filepath.Clean(dir) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && isRouterInfoName(d.Name()) {
			if len(paths) == MaxDirFiles {
				return fmt.Errorf("more than %d RouterInfo files", MaxDirFiles)
			}
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reseed: %s: %w", dir, err)
	}
	sort.Strings(paths)
	return paths, nil
}
