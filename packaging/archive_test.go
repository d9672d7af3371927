package packaging_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// arMagic starts every ar archive (a .deb is one).
const arMagic = "!<arch>\n"

// arHeaderSize is the size of an ar member header: name 16, mtime 12,
// owner 6, group 6, mode 8, size 10, end "`\n" 2.
const arHeaderSize = 60

// arMember is one member of an ar archive.
type arMember struct {
	Name string
	Mode int64
	Data []byte
}

// readAr parses a whole ar archive in the common (System V / GNU) format that
// dpkg writes and reads: members with names of up to 16 bytes, an optional
// trailing "/" after the name, data padded to an even length.
func readAr(b []byte) ([]arMember, error) {
	if !bytes.HasPrefix(b, []byte(arMagic)) {
		return nil, errors.New("ar: no !<arch> magic")
	}
	b = b[len(arMagic):]
	var members []arMember
	for len(b) > 0 {
		if len(b) < arHeaderSize {
			return nil, fmt.Errorf("ar: %d bytes left, short of a header", len(b))
		}
		h := b[:arHeaderSize]
		if string(h[58:60]) != "`\n" {
			return nil, fmt.Errorf("ar: bad header end %q", h[58:60])
		}
		name := strings.TrimRight(string(h[0:16]), " ")
		name = strings.TrimSuffix(name, "/")
		mode, err := strconv.ParseInt(strings.TrimSpace(string(h[40:48])), 8, 64)
		if err != nil {
			return nil, fmt.Errorf("ar: %s: mode: %w", name, err)
		}
		size, err := strconv.ParseInt(strings.TrimSpace(string(h[48:58])), 10, 64)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("ar: %s: bad size %q", name, h[48:58])
		}
		b = b[arHeaderSize:]
		if size > int64(len(b)) {
			return nil, fmt.Errorf("ar: %s: %d bytes, %d left", name, size, len(b))
		}
		members = append(members, arMember{Name: name, Mode: mode, Data: b[:size]})
		b = b[size:]
		if size%2 == 1 && len(b) > 0 {
			if b[0] != '\n' {
				return nil, fmt.Errorf("ar: %s: padding byte %#x", name, b[0])
			}
			b = b[1:]
		}
	}
	return members, nil
}

// tarEntry is one entry of a tar archive, with its content for regular files.
type tarEntry struct {
	Header *tar.Header
	Data   []byte
}

// readTarGz returns the entries of a gzip-compressed tar archive in order.
func readTarGz(b []byte) ([]tarEntry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var entries []tarEntry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		if err != nil {
			return nil, fmt.Errorf("tar: %w", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("tar: %s: %w", h.Name, err)
		}
		entries = append(entries, tarEntry{Header: h, Data: data})
	}
}

// controlFields parses a Debian/opkg control file: "Key: value" lines, with
// continuation lines (starting with a space) appended to the last value.
func controlFields(text string) (map[string]string, error) {
	fields := make(map[string]string)
	last := ""
	for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.HasPrefix(line, " ") {
			if last == "" {
				return nil, fmt.Errorf("control: line %d continues nothing", i+1)
			}
			fields[last] += "\n" + line[1:]
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || k == "" {
			return nil, fmt.Errorf("control: line %d: %q is not Key: value", i+1, line)
		}
		if _, dup := fields[k]; dup {
			return nil, fmt.Errorf("control: %s twice", k)
		}
		fields[k] = strings.TrimSpace(v)
		last = k
	}
	return fields, nil
}
