package naming

import (
	"encoding/binary"
	"fmt"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/store"
)

// Bucket names in the router store.
const (
	bucketNames   = "naming.names"   // name -> record
	bucketReverse = "naming.reverse" // destination hash -> names
	bucketSubs    = "naming.subs"    // subscription URL -> subState
)

// Record layout in bucketNames: version, flags, added (Unix seconds),
// source (a String), then the Destination bytes.
const (
	recVersion       = 1
	recVersionOffset = 0
	recFlagsOffset   = 1
	recAddedOffset   = 2
	recSourceOffset  = 10
	recHeaderSize    = recSourceOffset
	recFlagLocal     = 1 << 0
	// maxSourceLen bounds the recorded source (a URL or "local").
	maxSourceLen = data.MaxStringLen
)

// maxReverseNames bounds the names kept per destination hash in the reverse
// index; the first one is the answer of ReverseLookup.
const maxReverseNames = 16

// SourceLocal is the Source of names added with AddLocal.
const SourceLocal = "local"

// Record is one address book entry.
type Record struct {
	Name string
	// Hash is the destination's hash, the key of its LeaseSet and of its
	// .b32.i2p name.
	Hash data.Hash
	// Dest is nil in Search results.
	Dest *data.Destination
	// Local is true for names added by the user with AddLocal.
	Local bool
	// Source is the subscription URL or import source the name came from,
	// or SourceLocal.
	Source string
	// Added is when the name entered the book.
	Added time.Time
}

func encodeRecord(r *Record) ([]byte, error) {
	src := r.Source
	if len(src) > maxSourceLen {
		src = src[:maxSourceLen]
	}
	db := r.Dest.Bytes()
	b := make([]byte, recHeaderSize, recHeaderSize+1+len(src)+len(db))
	b[recVersionOffset] = recVersion
	if r.Local {
		b[recFlagsOffset] |= recFlagLocal
	}
	added := r.Added.Unix()
	if added < 0 {
		added = 0
	}
	binary.BigEndian.PutUint64(b[recAddedOffset:], uint64(added))
	b, err := data.AppendString(b, src)
	if err != nil {
		return nil, fmt.Errorf("naming: record source: %w", err)
	}
	return append(b, db...), nil
}

// decodeRecordHeader reads what precedes the destination; it does not parse
// the destination, so Search and counting stay cheap.
func decodeRecordHeader(name string, b []byte) (r Record, dest []byte, err error) {
	if len(b) < recHeaderSize+1 || b[recVersionOffset] != recVersion {
		return Record{}, nil, fmt.Errorf("naming: record %q: %w", clip(name), store.ErrDecode)
	}
	r.Name = name
	r.Local = b[recFlagsOffset]&recFlagLocal != 0
	added := binary.BigEndian.Uint64(b[recAddedOffset:])
	if added > 1<<40 {
		return Record{}, nil, fmt.Errorf("naming: record %q: date: %w", clip(name), store.ErrDecode)
	}
	r.Added = time.Unix(int64(added), 0)
	src, rest, err := data.ParseString(b[recSourceOffset:])
	if err != nil {
		return Record{}, nil, fmt.Errorf("naming: record %q: %w: %w", clip(name), store.ErrDecode, err)
	}
	r.Source = src
	return r, rest, nil
}

// decodeRecord decodes a full record; it copies what it keeps.
func decodeRecord(name string, b []byte) (Record, error) {
	r, db, err := decodeRecordHeader(name, b)
	if err != nil {
		return Record{}, err
	}
	d, rest, err := data.ParseDestination(db)
	if err != nil || len(rest) != 0 {
		return Record{}, fmt.Errorf("naming: record %q: destination: %w", clip(name), store.ErrDecode)
	}
	r.Dest = d
	r.Hash = d.Hash()
	return r, nil
}

// Reverse index values: a sequence of Strings (length byte, name).
func decodeNames(b []byte) []string {
	var names []string
	for len(b) > 0 && len(names) < maxReverseNames {
		s, rest, err := data.ParseString(b)
		if err != nil {
			break
		}
		names = append(names, s)
		b = rest
	}
	return names
}

func encodeNames(names []string) []byte {
	var b []byte
	for _, n := range names {
		// Stored names are valid, so at most MaxNameLen bytes.
		b, _ = data.AppendString(b, n)
	}
	return b
}
