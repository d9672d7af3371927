package netdb

import (
	"fmt"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Tunnels lets the NetDB send through the router's exploratory tunnels
// instead of straight over the transports (network-database.html "Lookup"
// and "RouterInfo storage"; i2pd NetDb::Explore and NetDb::Publish): a
// lookup leaves through an outbound tunnel, garlic-wrapped to the floodfill,
// and asks for the answer through an inbound tunnel, encrypted to a one-time
// ECIES reply key (DatabaseLookup flag 0x10). The router implements it with
// its tunnel pools and router garlic.
type Tunnels interface {
	// Connected reports whether a transport session to h is open now.
	Connected(h data.Hash) bool
	// ReplyTunnel names an inbound exploratory tunnel (its gateway and
	// tunnel ID) that replies can come back through; false when there is
	// no usable inbound and outbound tunnel.
	ReplyTunnel() (gateway data.Hash, tunnel uint32, ok bool)
	// SendThrough garlic-wraps msg to the router to and sends it out of
	// an outbound exploratory tunnel to that router.
	SendThrough(to data.Hash, msg i2np.Message) error
	// NewReplyKey returns a one-time reply key and tag and registers
	// them, so that a garlic reply under them is decrypted and its
	// contents handed to Handle.
	NewReplyKey() (key [32]byte, tag i2np.RatchetTag, err error)
}

// route is how one request to a floodfill leaves and where its answer
// comes back.
type route struct {
	tunnel   bool // leave through an outbound tunnel (else directly)
	gateway  data.Hash
	replyTun uint32 // nonzero: reply through this inbound tunnel at gateway
}

// routeTo chooses the route of a request to ff. Requests go through
// tunnels when the router has them and, unless always, when no session to
// ff is open (then a direct request would open a connection just for it).
func (n *NetDB) routeTo(ff data.Hash, always bool) route {
	direct := route{gateway: n.cfg.Self}
	t := n.cfg.Tunnels
	if t == nil {
		return direct
	}
	if !always && t.Connected(ff) {
		return direct
	}
	gw, id, ok := t.ReplyTunnel()
	if !ok || id == 0 {
		return direct
	}
	return route{tunnel: true, gateway: gw, replyTun: id}
}

// lookupVia builds a DatabaseLookup of type typ for key, replied along rt:
// through a tunnel the answer is encrypted to a fresh ECIES reply key.
func (n *NetDB) lookupVia(key data.Hash, rt route, typ i2np.LookupType, excluded []data.Hash) (i2np.DatabaseLookup, error) {
	l := i2np.DatabaseLookup{Key: key, From: rt.gateway, Flags: i2np.LookupFlags(0).WithLookupType(typ), Excluded: excluded}
	if rt.replyTun == 0 {
		return l, nil
	}
	l.Flags |= i2np.FlagTunnelReply
	l.ReplyTunnelID = rt.replyTun
	k, tag, err := n.cfg.Tunnels.NewReplyKey()
	if err != nil {
		return l, fmt.Errorf("netdb: reply key: %w", err)
	}
	l.Flags |= i2np.FlagECIES
	l.ReplyKey = k
	l.RatchetTags = []i2np.RatchetTag{tag}
	return l, nil
}

// sendVia sends p to ff along rt.
func (n *NetDB) sendVia(ff data.Hash, rt route, p i2np.Payload) error {
	if !rt.tunnel {
		return n.send(ff, 0, p)
	}
	msg, err := n.encode(p)
	if err != nil {
		return err
	}
	if err := n.cfg.Tunnels.SendThrough(ff, msg); err != nil {
		return fmt.Errorf("netdb: send %v through a tunnel: %w", msg.Type, err)
	}
	n.counter.viaTunnels.Add(1)
	return nil
}

// query sends a lookup for key to ff, through tunnels when they are
// usable (always for explorations, else when no session to ff is open).
func (n *NetDB) query(ff, key data.Hash, typ i2np.LookupType, excluded []data.Hash) error {
	return n.queryRoute(ff, key, typ, typ == i2np.LookupExploration, excluded)
}

// queryRoute is query with the choice of always using tunnels.
func (n *NetDB) queryRoute(ff, key data.Hash, typ i2np.LookupType, always bool, excluded []data.Hash) error {
	rt := n.routeTo(ff, always)
	l, err := n.lookupVia(key, rt, typ, excluded)
	if err != nil {
		return err
	}
	return n.sendVia(ff, rt, l)
}
