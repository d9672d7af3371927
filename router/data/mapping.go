package data

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	"golang.org/x/crypto/cryptobyte"
)

// MaxMappingSize is the largest Mapping payload (not counting the 2-byte
// size field).
const MaxMappingSize = 65535

// Mapping is a common-structures "Mapping": a set of String=String;
// properties. It holds each key once and always serializes sorted by key
// bytes, which is what signed structures require. The zero value is an
// empty Mapping ready to use.
type Mapping struct {
	entries []mappingEntry // sorted by key, keys unique
}

type mappingEntry struct {
	key, value string
}

// ParseMapping decodes a Mapping from the start of b and returns the rest.
// Duplicate keys are rejected; unsorted input is accepted (and is sorted
// in memory).
func ParseMapping(b []byte) (Mapping, []byte, error) {
	in := cryptobyte.String(b)
	var m Mapping
	if err := readMapping(&in, &m); err != nil {
		return Mapping{}, nil, fmt.Errorf("data: %w", err)
	}
	return m, in, nil
}

func readMapping(in *cryptobyte.String, m *Mapping) error {
	var body cryptobyte.String
	if !in.ReadUint16LengthPrefixed(&body) {
		return fmt.Errorf("mapping: %w", ErrTruncated)
	}
	var entries []mappingEntry
	for !body.Empty() {
		var e mappingEntry
		var eq, semi uint8
		if !readString(&body, &e.key) || !body.ReadUint8(&eq) ||
			!readString(&body, &e.value) || !body.ReadUint8(&semi) {
			return fmt.Errorf("mapping: %w", ErrTruncated)
		}
		if eq != '=' || semi != ';' {
			return fmt.Errorf("mapping: missing '=' or ';' after %q: %w", e.key, ErrInvalid)
		}
		entries = append(entries, e)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	for i := 1; i < len(entries); i++ {
		if entries[i].key == entries[i-1].key {
			return fmt.Errorf("mapping: key %q: %w", entries[i].key, ErrDuplicateKey)
		}
	}
	m.entries = entries
	return nil
}

// Len returns the number of properties.
func (m Mapping) Len() int { return len(m.entries) }

func (m Mapping) find(key string) (int, bool) {
	i := sort.Search(len(m.entries), func(i int) bool { return m.entries[i].key >= key })
	return i, i < len(m.entries) && m.entries[i].key == key
}

// Get returns the value of key and whether it is present.
func (m Mapping) Get(key string) (string, bool) {
	i, ok := m.find(key)
	if !ok {
		return "", false
	}
	return m.entries[i].value, true
}

// Set adds or replaces a property. Keys and values are at most 255 bytes.
func (m *Mapping) Set(key, value string) error {
	if len(key) > MaxStringLen || len(value) > MaxStringLen {
		return fmt.Errorf("data: mapping: %q: string longer than %d bytes: %w", key, MaxStringLen, ErrInvalid)
	}
	i, ok := m.find(key)
	if ok {
		m.entries[i].value = value
		return nil
	}
	m.entries = slices.Insert(m.entries, i, mappingEntry{key, value})
	return nil
}

// Delete removes key if present.
func (m *Mapping) Delete(key string) {
	if i, ok := m.find(key); ok {
		m.entries = slices.Delete(m.entries, i, i+1)
	}
}

// Keys returns the keys in sorted order.
func (m Mapping) Keys() []string {
	keys := make([]string, len(m.entries))
	for i, e := range m.entries {
		keys[i] = e.key
	}
	return keys
}

// Clone returns an independent copy of m.
func (m Mapping) Clone() Mapping {
	return Mapping{entries: slices.Clone(m.entries)}
}

// Equal reports whether m and o hold the same properties.
func (m Mapping) Equal(o Mapping) bool {
	return slices.Equal(m.entries, o.entries)
}

// Append appends the wire form of m, sorted by key, to dst.
func (m Mapping) Append(dst []byte) ([]byte, error) {
	b, err := m.appendTo(dst)
	if err != nil {
		return dst, fmt.Errorf("data: %w", err)
	}
	return b, nil
}

func (m Mapping) appendTo(dst []byte) ([]byte, error) {
	size := 0
	for _, e := range m.entries {
		size += 1 + len(e.key) + 1 + 1 + len(e.value) + 1
	}
	if size > MaxMappingSize {
		return dst, fmt.Errorf("mapping: size %d: %w", size, ErrInvalid)
	}
	dst = append(dst, byte(size>>8), byte(size))
	for _, e := range m.entries {
		dst = append(dst, byte(len(e.key)))
		dst = append(dst, e.key...)
		dst = append(dst, '=', byte(len(e.value)))
		dst = append(dst, e.value...)
		dst = append(dst, ';')
	}
	return dst, nil
}

// Bytes returns the wire form of m.
func (m Mapping) Bytes() ([]byte, error) {
	return m.Append(nil)
}

// String returns the properties as "k=v;" pairs for debugging.
func (m Mapping) String() string {
	var b bytes.Buffer
	for _, e := range m.entries {
		fmt.Fprintf(&b, "%s=%s;", e.key, e.value)
	}
	return b.String()
}
