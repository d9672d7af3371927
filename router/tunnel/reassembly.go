package tunnel

import (
	"fmt"
	"time"

	"i2pgate/router/i2np"
)

// Reassembly limits, per endpoint; low-memory defaults.
const (
	// DefaultMaxIncomplete is how many fragmented messages an endpoint
	// reassembles at once.
	DefaultMaxIncomplete = 16
	// DefaultMaxIncompleteBytes bounds the fragment bytes (plus a fixed
	// overhead per fragment and message) an endpoint holds: two messages
	// of MaxMessageSize.
	DefaultMaxIncompleteBytes = 128 << 10
	// DefaultIncompleteTimeout is how long an incomplete message is kept
	// after its first fragment (of any number) arrived; i2pd uses its
	// I2NP_MESSAGE_EXPIRATION_TIMEOUT, 8 s.
	DefaultIncompleteTimeout = 8 * time.Second

	// partialCost and fragmentCost are the bytes charged to the budget
	// for the bookkeeping of one message and of one fragment.
	partialCost  = 96
	fragmentCost = 32
)

// Received is a complete message that left a tunnel with its delivery
// instructions. Message.Payload is owned by the receiver.
type Received struct {
	Delivery Delivery
	Message  i2np.Message
}

// Stats counts what an endpoint did; every dropped input lands in one of
// the drop counters.
type Stats struct {
	Bodies    uint64 // bodies handled
	Delivered uint64 // complete messages returned

	Replayed    uint64 // bodies rejected by the replay filter
	BadChecksum uint64 // bodies failing the checksum (or without zero byte)
	Malformed   uint64 // bad instructions, fragments or reassembled messages
	Duplicates  uint64 // fragments received twice
	TooLarge    uint64 // messages dropped for exceeding MaxMessageSize
	Evicted     uint64 // incomplete messages dropped to stay within limits
	Expired     uint64 // incomplete messages dropped after the timeout

	Incomplete      int // messages being reassembled now
	IncompleteBytes int // bytes charged to the budget now
}

type fragment struct {
	num  uint8
	data []byte
}

// partial is a message being reassembled (its fragments in arrival order).
type partial struct {
	delivery Delivery
	have     uint64 // bit n: fragment n received
	last     int    // number of the last fragment, -1 while unknown
	size     int    // fragment bytes
	cost     int    // bytes charged to the budget
	started  time.Time
	frags    []fragment
}

func (p *partial) complete() bool {
	return p.last >= 0 && p.have == (uint64(1)<<(p.last+1))-1
}

// reassembler holds the incomplete messages of one endpoint; the endpoint
// serializes calls.
type reassembler struct {
	maxCount, maxBytes int
	timeout            time.Duration
	parts              map[uint32]*partial
	bytes              int
	shared             *Budget
	stats              Stats
}

func newReassembler(cfg *Config) reassembler {
	return reassembler{
		maxCount: cfg.maxIncomplete(),
		maxBytes: cfg.maxIncompleteBytes(),
		timeout:  cfg.timeout(),
		parts:    make(map[uint32]*partial),
		shared:   cfgShared(cfg),
	}
}

// handle parses the instructions and fragments of an opened body and
// appends the messages they complete to dst.
func (r *reassembler) handle(dst []Received, payload []byte, now time.Time) ([]Received, error) {
	r.expire(now)
	for len(payload) > 0 {
		in, n, err := ParseInstructions(payload)
		if err != nil {
			r.stats.Malformed++
			return dst, err
		}
		payload = payload[n:]
		if int(in.Size) > len(payload) {
			r.stats.Malformed++
			return dst, fmt.Errorf("tunnel: endpoint: fragment of %d bytes, %d left: %w", in.Size, len(payload), ErrTruncated)
		}
		frag := payload[:in.Size]
		payload = payload[in.Size:]
		if !in.FollowOn && !in.Fragmented {
			dst = r.deliver(dst, in.Delivery, append([]byte(nil), frag...))
			continue
		}
		dst = r.add(dst, in, frag, now)
	}
	return dst, nil
}

// add stores one fragment of a fragmented message and delivers the
// message when it is complete.
func (r *reassembler) add(dst []Received, in Instructions, frag []byte, now time.Time) []Received {
	p := r.parts[in.MessageID]
	if p == nil {
		if !r.makeRoom(nil, partialCost) {
			r.stats.Evicted++
			return dst
		}
		p = &partial{last: -1, started: now, cost: partialCost}
		r.parts[in.MessageID] = p
		r.bytes += partialCost
	}
	bit := uint64(1) << in.Number
	if p.have&bit != 0 {
		r.stats.Duplicates++
		return dst
	}
	if !r.consistent(p, in) {
		r.stats.Malformed++
		r.drop(in.MessageID, p)
		return dst
	}
	if p.size+len(frag) > MaxMessageSize {
		r.stats.TooLarge++
		r.drop(in.MessageID, p)
		return dst
	}
	cost := fragmentCost + len(frag)
	if !r.makeRoom(p, cost) {
		r.stats.Evicted++
		r.drop(in.MessageID, p)
		return dst
	}
	p.have |= bit
	p.size += len(frag)
	p.cost += cost
	r.bytes += cost
	p.frags = append(p.frags, fragment{num: in.Number, data: append([]byte(nil), frag...)})
	if in.Number == 0 {
		p.delivery = in.Delivery
	}
	if in.FollowOn && in.Last {
		p.last = int(in.Number)
	}
	if !p.complete() {
		return dst
	}
	r.drop(in.MessageID, p)
	return r.deliver(dst, p.delivery, p.assemble())
}

// consistent reports whether fragment in fits what p already knows about
// the message's last fragment.
func (r *reassembler) consistent(p *partial, in Instructions) bool {
	if in.FollowOn && in.Last {
		return p.last < 0 && p.have>>(in.Number+1) == 0
	}
	return p.last < 0 || int(in.Number) < p.last
}

func (p *partial) assemble() []byte {
	var order [MaxFragmentNumber + 1][]byte
	for _, f := range p.frags {
		order[f.num] = f.data
	}
	msg := make([]byte, 0, p.size)
	for _, d := range order[:p.last+1] {
		msg = append(msg, d...)
	}
	return msg
}

// deliver parses a complete message and appends it to dst.
func (r *reassembler) deliver(dst []Received, to Delivery, msg []byte) []Received {
	m, rest, err := i2np.ParseStandard(msg)
	if err != nil || len(rest) != 0 {
		r.stats.Malformed++
		return dst
	}
	r.stats.Delivered++
	return append(dst, Received{Delivery: to, Message: m})
}

func cfgShared(c *Config) *Budget {
	if c == nil {
		return nil
	}
	return c.Shared
}

// makeRoom evicts the oldest incomplete messages other than keep until a
// new message (keep == nil) or cost more bytes fit the limits and the
// shared budget, and reports whether they do. When it returns true the
// cost is charged to the shared budget; the caller adds it to r.bytes.
func (r *reassembler) makeRoom(keep *partial, cost int) bool {
	for {
		countOK := keep != nil || len(r.parts) < r.maxCount
		if countOK && r.bytes+cost <= r.maxBytes && r.shared.take(cost) {
			return true
		}
		id, oldest := r.oldest(keep)
		if oldest == nil {
			return false
		}
		r.stats.Evicted++
		r.drop(id, oldest)
	}
}

func (r *reassembler) oldest(skip *partial) (uint32, *partial) {
	var (
		id  uint32
		old *partial
	)
	for k, p := range r.parts {
		if p != skip && (old == nil || p.started.Before(old.started)) {
			id, old = k, p
		}
	}
	return id, old
}

func (r *reassembler) drop(id uint32, p *partial) {
	if r.parts[id] == p {
		delete(r.parts, id)
		r.bytes -= p.cost
		r.shared.give(p.cost)
	}
}

// release drops every incomplete message.
func (r *reassembler) release() {
	for id, p := range r.parts {
		r.drop(id, p)
	}
}

// expire drops the incomplete messages older than the timeout.
func (r *reassembler) expire(now time.Time) {
	for id, p := range r.parts {
		if now.Sub(p.started) > r.timeout {
			r.stats.Expired++
			r.drop(id, p)
		}
	}
}

func (r *reassembler) snapshot() Stats {
	s := r.stats
	s.Incomplete = len(r.parts)
	s.IncompleteBytes = r.bytes
	return s
}
