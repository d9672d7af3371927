package i2np

import (
	"fmt"
	"math"
	"slices"

	"golang.org/x/crypto/cryptobyte"

	"i2pgate/router/data"
)

// MaxSearchReplyPeers is the most peer hashes a DatabaseSearchReply can
// carry (its count is one byte).
const MaxSearchReplyPeers = math.MaxUint8

// DatabaseSearchReply answers a failed lookup with peers closer to the key
// (i2np.rst "DatabaseSearchReply", type 3).
type DatabaseSearchReply struct {
	// Key is the real hash that was looked up.
	Key data.Hash
	// Peers are router hashes the sender thinks are close to Key.
	Peers []data.Hash
	// From is the (unauthenticated) hash of the replying router.
	From data.Hash
}

// Type returns TypeDatabaseSearchReply.
func (DatabaseSearchReply) Type() Type { return TypeDatabaseSearchReply }

// ParseDatabaseSearchReply decodes a DatabaseSearchReply payload.
func ParseDatabaseSearchReply(payload []byte) (DatabaseSearchReply, error) {
	var r DatabaseSearchReply
	s := cryptobyte.String(payload)
	var n uint8
	if !s.CopyBytes(r.Key[:]) || !s.ReadUint8(&n) {
		return DatabaseSearchReply{}, fmt.Errorf("i2np: database search reply: %d bytes: %w", len(payload), ErrTruncated)
	}
	var raw []byte
	if !s.ReadBytes(&raw, int(n)*data.HashSize) || !s.CopyBytes(r.From[:]) {
		return DatabaseSearchReply{}, fmt.Errorf("i2np: database search reply: %d peers: %w", n, ErrTruncated)
	}
	if !s.Empty() {
		return DatabaseSearchReply{}, fmt.Errorf("i2np: database search reply: %d bytes after from: %w", len(s), ErrTrailingData)
	}
	if n > 0 {
		r.Peers = make([]data.Hash, n)
		for i := range r.Peers {
			r.Peers[i] = data.Hash(raw[i*data.HashSize:])
		}
	}
	return r, nil
}

// Len is the encoded length of r.
func (r DatabaseSearchReply) Len() int { return 2*data.HashSize + 1 + len(r.Peers)*data.HashSize }

// Append appends the payload encoding of r to dst.
func (r DatabaseSearchReply) Append(dst []byte) ([]byte, error) {
	if len(r.Peers) > MaxSearchReplyPeers {
		return dst, fmt.Errorf("i2np: database search reply: %d peers: %w", len(r.Peers), ErrInvalid)
	}
	dst = slices.Grow(dst, r.Len())
	dst = append(dst, r.Key[:]...)
	dst = append(dst, byte(len(r.Peers)))
	for i := range r.Peers {
		dst = append(dst, r.Peers[i][:]...)
	}
	return append(dst, r.From[:]...), nil
}
