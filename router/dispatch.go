package router

import (
	"errors"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/netdb"
	"i2pgate/router/transport"
)

// dispatcher is the router seen as the transports' Handler: it drops expired and
// replayed messages and hands the rest to the component that owns their type.
type dispatcher Router

var _ transport.Handler = (*dispatcher)(nil)

// HandleMessage routes one inbound I2NP message.
func (d *dispatcher) HandleMessage(from data.Hash, msg i2np.Message) {
	(*Router)(d).dispatch(from, msg, 0)
}

// dispatch drops expired and replayed messages and routes the rest; depth counts
// the garlic layers msg came out of.
func (r *Router) dispatch(from data.Hash, msg i2np.Message, depth int) {
	now := r.clk.Now()
	if msg.Expired(now) {
		r.counters.expired.Add(1)
		return
	}
	if r.dups.Duplicate(msg.ID, msg.Expiration, now) {
		r.counters.duplicate.Add(1)
		return
	}
	if msg.Type == i2np.TypeGarlic {
		r.handleGarlic(from, msg, depth)
		return
	}
	if r.dispatchTunnel(from, msg) {
		return
	}
	if r.netdb.Handle(from, msg) {
		return
	}
	r.counters.unhandled.Add(1)
	r.log.Debug("unhandled message", "type", msg.Type.String())
}

// HandleRouterInfo takes RouterInfos that peers send in transport blocks; the
// netdb validates them.
func (d *dispatcher) HandleRouterInfo(from data.Hash, raw []byte, flood bool) {
	r := (*Router)(d)
	if err := r.netdb.AddRaw(raw); err != nil && !errors.Is(err, netdb.ErrNotNewer) {
		r.log.Debug("router info from peer refused", "err", err)
	}
}

// SessionEvent logs sessions coming and going.
func (d *dispatcher) SessionEvent(s transport.Session, ev transport.Event, err error) {
	r := (*Router)(d)
	r.log.Debug("session", "event", ev.String(), "style", s.Style(), "inbound", s.Inbound(), "err", err)
}
