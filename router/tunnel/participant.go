package tunnel

import (
	"crypto/subtle"
	"fmt"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Hop is where a tunnel message goes next: router Router's tunnel
// TunnelID.
type Hop struct {
	Router   data.Hash
	TunnelID uint32
}

// ivFilterLifetime is how long ahead the IV filter is asked to remember a
// body (its "expiration"): the filter keeps it a ClockSkew longer, about
// four minutes in all, the most an i2np.DupFilter holds.
const ivFilterLifetime = i2np.MaxFutureExpiration

var errReplay = fmt.Errorf("tunnel: participant: %w", ErrDuplicate)

// Participant is a hop in the middle of a tunnel, inbound or outbound
// (docs/tunnels/implementation "Participant Processing"): it rejects
// replayed bodies, adds its layer and forwards the body to the next hop.
// It holds only its layer and next hop (the filter is shared), so an idle
// transit tunnel costs little memory, and it is safe for concurrent use.
type Participant struct {
	layer  *crypto.TunnelLayer
	filter *i2np.DupFilter
	next   Hop
}

// NewParticipant returns the participant with this hop's layer that
// forwards to next. filter is the router-wide replay filter shared by all
// tunnels; nil disables replay detection (for tests).
func NewParticipant(layer *crypto.TunnelLayer, next Hop, filter *i2np.DupFilter) *Participant {
	return &Participant{layer: layer, filter: filter, next: next}
}

// Next is the hop processed bodies go to.
func (p *Participant) Next() Hop { return p.next }

// Process checks body against the replay filter, encrypts it in place
// with this hop's layer and returns the hop to send it to. A replayed
// body is left untouched and reported with an error wrapping
// ErrDuplicate. Process does not allocate.
func (p *Participant) Process(body *Body, now time.Time) (Hop, error) {
	if replayed(p.filter, body, now) {
		return Hop{}, errReplay
	}
	p.layer.Encrypt(body)
	return p.next, nil
}

// replayed records the body's IV XOR its first data block, as received,
// in filter and reports whether it was seen before. The XOR, not the IV
// alone, is the body's identity: colluding hops could otherwise swap IV
// and first block to tag a tunnel (Java I2P's IVValidator does the same).
func replayed(filter *i2np.DupFilter, body *Body, now time.Time) bool {
	if filter == nil {
		return false
	}
	var key [ivSize]byte
	subtle.XORBytes(key[:], body[ivOffset:ivOffset+ivSize], body[ivOffset+ivSize:ivOffset+2*ivSize])
	return filter.DuplicateKey(key[:], now.Add(ivFilterLifetime), now)
}
