package transit

import "sync/atomic"

// Stats is what /api/status reports about transit tunnels.
type Stats struct {
	// Tunnels is the number of transit tunnels (transit_tunnels), split
	// by role.
	Tunnels           int
	Participants      int
	InboundGateways   int
	OutboundEndpoints int
	// EstimatedMemory is the state charged against the memory budget.
	EstimatedMemory int64
	// RateBps is the measured transit rate in bytes per second.
	RateBps uint64

	Requests uint64  // build requests carrying a record for us
	Accepted uint64  // tunnels accepted
	Rejected Rejects // requests answered with a reject, by reason
	// Dropped counts build requests we did not answer.
	Dropped BuildDrops
	Expired uint64 // tunnels removed after their lifetime

	MessagesForwarded uint64 // messages handed to the Sender queue
	BytesForwarded    uint64 // tunnel message bytes among them
	MessagesDropped   uint64 // outgoing messages dropped: queue full or send failed
	DataDropped       uint64 // tunnel messages dropped: replayed, malformed, expired, wrong role
	Delivered         uint64 // messages an OBEP delivered
}

// Rejects counts build requests we rejected, by reason; every reject is
// sent as build.StatusBandwidth, as i2pd and Java I2P do.
type Rejects struct {
	Disabled  uint64 // transit refused by configuration
	Full      uint64 // MaxTunnels reached
	Bandwidth uint64 // transit rate above the share
	Memory    uint64 // memory budget reached
	TunnelID  uint64 // receive tunnel id in use
	Pressure  uint64 // the router is short of memory (SetOverloaded)
}

// BuildDrops counts build requests dropped without an answer.
type BuildDrops struct {
	Malformed   uint64 // unparsable or expired message, undecryptable record
	Invalid     uint64 // bad request time, expiration or tunnel ids; next hop is us
	RateLimited uint64 // router-wide build request rate exceeded
	HopLimited  uint64 // previous hop's build request rate exceeded
	NotOurs     uint64 // no record for us
	Unsent      uint64 // the answer could not be queued (the tunnel is removed)
}

// counters are the atomic counters behind Stats.
type counters struct {
	requests, accepted, expired                   atomic.Uint64
	rejDisabled, rejFull, rejBandwidth, rejMem    atomic.Uint64
	rejTunnelID, rejPressure                      atomic.Uint64
	dropMalformed, dropInvalid, dropRate, dropHop atomic.Uint64
	dropNotOurs, dropUnsent                       atomic.Uint64
	forwarded, bytes, msgDropped, dataDropped     atomic.Uint64
	delivered                                     atomic.Uint64
}

func (c *counters) fill(s *Stats) {
	s.Requests = c.requests.Load()
	s.Accepted = c.accepted.Load()
	s.Expired = c.expired.Load()
	s.Rejected = Rejects{
		Disabled:  c.rejDisabled.Load(),
		Full:      c.rejFull.Load(),
		Bandwidth: c.rejBandwidth.Load(),
		Memory:    c.rejMem.Load(),
		TunnelID:  c.rejTunnelID.Load(),
		Pressure:  c.rejPressure.Load(),
	}
	s.Dropped = BuildDrops{
		Malformed:   c.dropMalformed.Load(),
		Invalid:     c.dropInvalid.Load(),
		RateLimited: c.dropRate.Load(),
		HopLimited:  c.dropHop.Load(),
		NotOurs:     c.dropNotOurs.Load(),
		Unsent:      c.dropUnsent.Load(),
	}
	s.MessagesForwarded = c.forwarded.Load()
	s.BytesForwarded = c.bytes.Load()
	s.MessagesDropped = c.msgDropped.Load()
	s.DataDropped = c.dataDropped.Load()
	s.Delivered = c.delivered.Load()
}

// Total is the number of rejected requests.
func (r Rejects) Total() uint64 {
	return r.Disabled + r.Full + r.Bandwidth + r.Memory + r.TunnelID + r.Pressure
}
