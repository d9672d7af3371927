package pool

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/tunnel/build"
)

// ShortBuildVersion is the first router.version that takes ShortTunnelBuild
// records (tunnel-creation-ecies.rst "Short Records"; i2pd checks the same).
const ShortBuildVersion = "0.9.51"

// ErrTooFewPeers means the PeerSource holds fewer usable routers than the
// tunnel has hops.
var ErrTooFewPeers = errors.New("pool: too few usable peers")

// Rank orders peers by their build record; lower is better. Selection takes
// peers of a better rank first and falls back on worse ones only when there
// are too few, so a peer that failed recently is skipped while others exist.
type Rank int

// Ranks from best to worst.
const (
	RankGood    Rank = iota // agreed recently and mostly
	RankUnknown             // no record, or an old one
	RankPoor                // declines or times out more than it agrees
	RankFailed              // failed within FailedPeerWindow
)

// Selection says what tunnel hops to choose.
type Selection struct {
	// Self is our router hash, never a hop.
	Self data.Hash
	// Length is the number of hops.
	Length int
	// HighBandwidth prefers routers with bandwidth caps O, P or X, as i2pd
	// does for client tunnels; others fill in when there are too few.
	HighBandwidth bool
	// Exclude, if set, removes routers outright (an Excluder).
	Exclude func(data.Hash) bool
	// Rank, if set, ranks routers by their profile (Profiles.Rank).
	Rank func(data.Hash) Rank
	// Rand shuffles the candidates; nil means crypto/rand.
	Rand io.Reader
}

// Usable reports whether ri can be a hop of our tunnels at all: an
// ECIES-X25519 router (we build no ElGamal records) that publishes itself as
// reachable ('R', not 'U'), is not hidden ('H') and does not announce that
// it rejects tunnels ('G') or is highly congested ('E'). Every hop must be
// reachable: each is dialed by the hop before it, and the first hop of an
// inbound tunnel, its gateway, by anyone sending to it.
func Usable(ri *data.RouterInfo) bool {
	if ri == nil || ri.Identity() == nil {
		return false
	}
	id := ri.Identity()
	if id.CryptoType() != data.CryptoX25519 || len(id.EncryptionPublicKey()) != crypto.X25519KeySize {
		return false
	}
	if strings.ContainsAny(ri.Caps(), "UHGE") {
		return false
	}
	// The previous hop must be able to connect: a published address with a
	// host and port. The R cap alone is not required: i2pd sets it only
	// after its reachability was tested, which a young or small network
	// (a testnet's floodfills) may never do.
	for _, a := range ri.Addresses() {
		if _, ok := a.AddrPort(); ok {
			return true
		}
	}
	return false
}

// HighBandwidth reports whether ri announces bandwidth class O, P or X.
func HighBandwidth(ri *data.RouterInfo) bool {
	return strings.ContainsAny(ri.Caps(), "OPX")
}

// Select chooses s.Length distinct usable routers from candidates, in the
// order of the tunnel (from the gateway side). No router appears twice and
// Self never appears: when there are too few distinct usable routers it
// fails with ErrTooFewPeers rather than repeat one (a repeated hop can link
// the two positions' traffic); the caller retries later or with a shorter
// pool configuration. Among usable routers the order of preference is rank,
// then (with HighBandwidth) bandwidth class, then chance.
func Select(candidates []*data.RouterInfo, s Selection) ([]*data.RouterInfo, error) {
	if s.Length < 0 || s.Length > build.MaxRecords {
		return nil, fmt.Errorf("pool: tunnel length %d out of range", s.Length)
	}
	type cand struct {
		ri   *data.RouterInfo
		tier int
		key  uint64
	}
	seen := make(map[data.Hash]bool, len(candidates))
	list := make([]cand, 0, len(candidates))
	keys := make([]byte, 8*len(candidates))
	if _, err := io.ReadFull(randOr(s.Rand), keys); err != nil {
		return nil, fmt.Errorf("pool: select: %w", err)
	}
	for i, ri := range candidates {
		if !Usable(ri) {
			continue
		}
		h := ri.Hash()
		if h == s.Self || seen[h] || (s.Exclude != nil && s.Exclude(h)) {
			continue
		}
		seen[h] = true
		tier := 0
		if s.Rank != nil {
			tier = 2 * int(s.Rank(h))
		} else {
			tier = 2 * int(RankUnknown)
		}
		if s.HighBandwidth && !HighBandwidth(ri) {
			tier++
		}
		list = append(list, cand{ri: ri, tier: tier, key: binary.BigEndian.Uint64(keys[8*i:])})
	}
	if len(list) < s.Length {
		return nil, fmt.Errorf("%w: %d usable, %d needed", ErrTooFewPeers, len(list), s.Length)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].tier != list[j].tier {
			return list[i].tier < list[j].tier
		}
		return list[i].key < list[j].key
	})
	// The best peers are taken; their positions in the tunnel are random
	// (ordered by a second random key, the tier order being done).
	best := list[:s.Length]
	for i := range best {
		best[i].key = (best[i].key >> 32) | (best[i].key << 32)
	}
	sort.Slice(best, func(i, j int) bool { return best[i].key < best[j].key })
	out := make([]*data.RouterInfo, s.Length)
	for i := range out {
		out[i] = best[i].ri
	}
	return out, nil
}

// buildPeer converts a selected router into a build hop; routers older than
// ShortBuildVersion get long records (the whole build then uses them).
func buildPeer(ri *data.RouterInfo) build.Peer {
	var key crypto.X25519PublicKey
	copy(key[:], ri.Identity().EncryptionPublicKey())
	return build.Peer{Hash: ri.Hash(), Key: key, Short: VersionAtLeast(ri.Version(), ShortBuildVersion)}
}

// VersionAtLeast compares dotted decimal versions ("0.9.58" >= "0.9.51").
// A malformed version is never at least anything.
func VersionAtLeast(v, min string) bool {
	a, okA := parseVersion(v)
	b, okB := parseVersion(min)
	if !okA || !okB {
		return false
	}
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x > y
		}
	}
	return true
}

// maxVersionParts bounds the parts of a version string we compare.
const maxVersionParts = 6

func parseVersion(v string) ([]int, bool) {
	parts := strings.Split(v, ".")
	if v == "" || len(parts) > maxVersionParts {
		return nil, false
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return nil, false
		}
		out[i] = int(n)
	}
	return out, true
}

func randOr(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}
