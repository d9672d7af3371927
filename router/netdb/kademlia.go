package netdb

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"time"

	"i2pgate/router/data"
	"sort"
)

// routingKeyDateLayout is the "yyyyMMdd" UTC date appended to a key before
// hashing (network-database.html "Kademlia Closeness Metric").
const routingKeyDateLayout = "20060102"

// RoutingKey returns the routing key of key on the UTC day of t:
// SHA-256(key || "yyyyMMdd"). It rotates at UTC midnight.
func RoutingKey(key data.Hash, t time.Time) data.Hash {
	var buf [data.HashSize + len(routingKeyDateLayout)]byte
	copy(buf[:], key[:])
	t.UTC().AppendFormat(buf[data.HashSize:data.HashSize], routingKeyDateLayout)
	return sha256.Sum256(buf[:])
}

// Closer reports whether a is strictly closer to target than b by XOR
// distance.
func Closer(target, a, b data.Hash) bool {
	da, db := target.XOR(a), target.XOR(b)
	return bytes.Compare(da[:], db[:]) < 0
}

// Closest returns up to n of the candidates closest to target, a routing
// key, nearest first. Only the searched key is transformed into a routing
// key, never the candidates' hashes (network-database.html "Kademlia
// Closeness Metric").
func Closest(target data.Hash, candidates []data.Hash, n int) []data.Hash {
	if n <= 0 || len(candidates) == 0 {
		return nil
	}
	out := slices.Clone(candidates)
	// sort.Slice, not slices.SortFunc: each element shape would get its
	// own copy of the generic sort (some 10 KB of a mipsle binary).
	sort.Slice(out, func(i, j int) bool {
		di, dj := target.XOR(out[i]), target.XOR(out[j])
		return bytes.Compare(di[:], dj[:]) < 0
	})
	return out[:min(n, len(out))]
}
