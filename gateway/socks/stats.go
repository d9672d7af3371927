package socks

import (
	"sync/atomic"

	"i2pgate/gateway"
)

// Stats are the SOCKS front-end's counters for /metrics, totals since New
// except Open.
type Stats struct {
	Accepted    int64 // client connections accepted
	Refused     int64 // client connections closed by lan.allow
	Open        int64 // client connections open now
	AuthFailed  int64 // wrong username or password
	Unsupported int64 // BIND and UDP ASSOCIATE requests
	Connected   int64 // CONNECTs that reached their destination (reply 0x00)
	// Failed CONNECTs by cause.
	UnknownName int64 // 0x04: no address-book entry
	NotFound    int64 // 0x04: destination's LeaseSet not found
	Timeout     int64 // 0x06
	NoTunnels   int64 // 0x03
	NotAllowed  int64 // 0x02: clearnet without outproxy
	PeerRefused int64 // 0x05
	OtherError  int64 // 0x01
	BytesUp     int64 // relayed from clients to destinations
	BytesDown   int64 // relayed from destinations to clients
}

type counters struct {
	accepted, refused, authFailed, unsupported, connected atomic.Int64
	unknownName, notFound, timeout, noTunnels, notAllowed atomic.Int64
	peerRefused, otherError, bytesUp, bytesDown           atomic.Int64
}

// count records a failed CONNECT of the given kind (nil: other).
func (c *counters) count(kind error) {
	switch kind {
	case gateway.ErrUnknownName:
		c.unknownName.Add(1)
	case gateway.ErrNotFound:
		c.notFound.Add(1)
	case gateway.ErrTimeout:
		c.timeout.Add(1)
	case gateway.ErrNoTunnels:
		c.noTunnels.Add(1)
	case gateway.ErrNotAllowed:
		c.notAllowed.Add(1)
	case gateway.ErrRefused:
		c.peerRefused.Add(1)
	default:
		c.otherError.Add(1)
	}
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	st := Stats{
		Accepted:    s.stats.accepted.Load(),
		Refused:     s.stats.refused.Load(),
		AuthFailed:  s.stats.authFailed.Load(),
		Unsupported: s.stats.unsupported.Load(),
		Connected:   s.stats.connected.Load(),
		UnknownName: s.stats.unknownName.Load(),
		NotFound:    s.stats.notFound.Load(),
		Timeout:     s.stats.timeout.Load(),
		NoTunnels:   s.stats.noTunnels.Load(),
		NotAllowed:  s.stats.notAllowed.Load(),
		PeerRefused: s.stats.peerRefused.Load(),
		OtherError:  s.stats.otherError.Load(),
		BytesUp:     s.stats.bytesUp.Load(),
		BytesDown:   s.stats.bytesDown.Load(),
	}
	if s.ln != nil {
		st.Open = int64(s.ln.Open())
	}
	return st
}
