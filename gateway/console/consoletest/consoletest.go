// Package consoletest provides in-memory sources for the console: a fixed set
// of plausible router and gateway data (with hostile names among them, to show
// the escaping) and an address book that can be searched and added to. The
// console's tests and its demo server use them; nothing here talks to a router.
package consoletest

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"strings"

	"i2pgate/gateway/console"
)

// HostileName is an address book name that must come out escaped.
const HostileName = `<script>alert("x")</script>.i2p`

// i2pBase64 is the I2P base64 alphabet ('-' and '~' for '+' and '/').
var i2pBase64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~")

// Hash returns a base64 router hash derived from seed.
func Hash(seed string) string {
	h := sha256.Sum256([]byte("hash:" + seed))
	return i2pBase64.EncodeToString(h[:])
}

// B32 returns a .b32.i2p address derived from seed.
func B32(seed string) string {
	h := sha256.Sum256([]byte(seed))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:])) + ".b32.i2p"
}

// Dest returns a syntactically valid base64 destination (516 characters, the
// size of a destination without certificate payload) derived from seed. It is
// not a real destination.
func Dest(seed string) string {
	b := make([]byte, 387)
	for i := 0; i < len(b); i += sha256.Size {
		var ctr [4]byte
		binary.BigEndian.PutUint32(ctr[:], uint32(i))
		h := sha256.Sum256(append([]byte("dest:"+seed), ctr[:]...))
		copy(b[i:], h[:])
	}
	return i2pBase64.EncodeToString(b)
}

// Data is one of each source's values.
type Data struct {
	Overview      console.Overview
	Peers         []console.Peer
	Tunnels       console.TunnelsInfo
	Transit       []console.TransitTunnel
	Destinations  []console.Destination
	Automap       []console.AutomapEntry
	Subscriptions []console.Subscription
	Metrics       []console.Sample
}

// Wire sets every source of cfg: Data's values and book.
func (d *Data) Wire(cfg *console.Config, book *Book) {
	cfg.Overview = console.OverviewFunc(func() console.Overview { return d.Overview })
	cfg.Peers = console.PeersFunc(func() []console.Peer { return d.Peers })
	cfg.Tunnels = console.TunnelsFunc(func() console.TunnelsInfo { return d.Tunnels })
	cfg.Transit = console.TransitFunc(func() []console.TransitTunnel { return d.Transit })
	cfg.Destinations = console.DestinationsFunc(func() []console.Destination { return d.Destinations })
	cfg.Automap = console.AutomapFunc(func() []console.AutomapEntry { return d.Automap })
	cfg.Subscriptions = console.SubscriptionsFunc(func() []console.Subscription { return d.Subscriptions })
	cfg.Metrics = console.MetricsFunc(func() []console.Sample { return d.Metrics })
	if book != nil {
		cfg.AddressBook = book
	}
}
