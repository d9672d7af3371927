package httpproxy

import (
	"sync/atomic"

	"i2pgate/gateway"
)

// Stats are the HTTP proxy's counters for /metrics (requests by result), totals
// since New except Open.
type Stats struct {
	Refused  int64 // client connections closed by lan.allow
	Open     int64 // client connections open now
	Requests int64 // requests received (CONNECT included)
	// Results.
	Forwarded      int64 // answered by the site (any status)
	Connects       int64 // CONNECT tunnels opened
	BadRequest     int64 // not a proxy request, bad host, malformed helper
	UnknownName    int64 // no address-book entry (unknown-name page)
	NotFound       int64 // destination's LeaseSet not found
	Timeout        int64
	NoTunnels      int64
	NotAllowed     int64 // clearnet without outproxy: nothing dialed
	PeerRefused    int64
	OtherError     int64
	Helper         int64 // address helper pages shown (or b32 redirects)
	HelperSaved    int64 // names saved from address helpers
	HelperRejected int64 // saves refused (bad token) or failed
	BytesUp        int64 // CONNECT tunnels, client to site
	BytesDown      int64 // CONNECT tunnels, site to client
}

type counters struct {
	refused, requests, forwarded, connects, badRequest           atomic.Int64
	unknownName, notFound, timeout, noTunnels, notAllowed        atomic.Int64
	peerRefused, otherError, helper, helperSaved, helperRejected atomic.Int64
	bytesUp, bytesDown                                           atomic.Int64
}

// count records a failure of the given kind (nil: other).
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
		Refused:        s.stats.refused.Load(),
		Requests:       s.stats.requests.Load(),
		Forwarded:      s.stats.forwarded.Load(),
		Connects:       s.stats.connects.Load(),
		BadRequest:     s.stats.badRequest.Load(),
		UnknownName:    s.stats.unknownName.Load(),
		NotFound:       s.stats.notFound.Load(),
		Timeout:        s.stats.timeout.Load(),
		NoTunnels:      s.stats.noTunnels.Load(),
		NotAllowed:     s.stats.notAllowed.Load(),
		PeerRefused:    s.stats.peerRefused.Load(),
		OtherError:     s.stats.otherError.Load(),
		Helper:         s.stats.helper.Load(),
		HelperSaved:    s.stats.helperSaved.Load(),
		HelperRejected: s.stats.helperRejected.Load(),
		BytesUp:        s.stats.bytesUp.Load(),
		BytesDown:      s.stats.bytesDown.Load(),
	}
	if s.ln != nil {
		st.Open = int64(s.ln.Open())
	}
	return st
}
