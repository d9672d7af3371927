package tunnel

import (
	"crypto/rand"
	"fmt"
	"io"

	"i2pgate/router/crypto"
	"i2pgate/router/i2np"
)

// Gateway sizing.
const (
	// MaxMessageSize is the largest I2NP message, standard header
	// included, that a gateway fragments and an endpoint reassembles
	// (tunnel-message.rst "I2NP Message Maximum Size", i2pd's
	// I2NP_MAX_MESSAGE_SIZE).
	MaxMessageSize = i2np.MaxMessageSize
	// minFirstFragment is the least fragment data worth starting a
	// fragmented message in the room left in a body; with less, the
	// body is sent as it is.
	minFirstFragment = 1
	// keepScratch bounds the encoding buffer a Gateway keeps between
	// messages; larger messages get a buffer of their own.
	keepScratch = 4096
)

// Gateway preprocesses I2NP messages into tunnel message bodies
// (tunnel-message.rst "Message preprocessing"): each message gets first
// fragment delivery instructions; one that fits whole in a body is never
// fragmented, several small ones are packed into one body, and a larger
// one is split into a first fragment filling the open body and follow-on
// fragments of up to MaxFollowOnFragmentSize bytes, its I2NP message id
// serving as the fragment message id (as i2pd and Java I2P do). Bodies come
// out in plaintext (checksum, nonzero padding, zero byte); OutboundGateway
// and InboundGateway add the layer crypto of their role.
//
// A Gateway holds one open body between calls: Put appends the bodies it
// completes, Flush closes the open one. It is not safe for concurrent use.
type Gateway struct {
	rand    io.Reader
	payload [MaxPayloadSize]byte
	n       int // bytes used in payload
	scratch []byte
}

// NewGateway returns a gateway reading IVs and padding from rand (nil
// means crypto/rand).
func NewGateway(random io.Reader) *Gateway {
	if random == nil {
		random = rand.Reader
	}
	return &Gateway{rand: random}
}

// Put adds m, to be delivered to to at the tunnel's end, and appends to
// dst the bodies that this completes. On error m was not added (bodies
// completed before the error may be appended).
func (g *Gateway) Put(dst []Body, m i2np.Message, to Delivery) ([]Body, error) {
	if to.Type > DeliveryRouter {
		return dst, fmt.Errorf("tunnel: gateway: delivery type %d: %w", to.Type, ErrInvalid)
	}
	if m.StandardLen() > MaxMessageSize {
		return dst, fmt.Errorf("tunnel: gateway: message of %d bytes: %w", m.StandardLen(), ErrTooLarge)
	}
	msg, err := m.AppendStandard(g.scratch[:0])
	if err != nil {
		return dst, fmt.Errorf("tunnel: gateway: %w", err)
	}
	if cap(msg) <= keepScratch {
		g.scratch = msg
	}
	first := Instructions{Delivery: to, Size: uint16(len(msg))}
	whole := first.Len() + len(msg)
	if whole > g.room() && whole <= MaxPayloadSize {
		// Fits whole in a fresh body: don't fragment it.
		if dst, err = g.Flush(dst); err != nil {
			return dst, err
		}
	}
	if whole <= g.room() {
		g.add(first, msg)
		return dst, nil
	}
	return g.fragment(dst, first, m.ID, msg)
}

// fragment writes msg as a first fragment in the open body (or a fresh
// one) and follow-on fragments in the bodies after it.
func (g *Gateway) fragment(dst []Body, first Instructions, id uint32, msg []byte) ([]Body, error) {
	first.Fragmented = true
	first.MessageID = id
	var err error
	if g.room() < first.Len()+minFirstFragment {
		if dst, err = g.Flush(dst); err != nil {
			return dst, err
		}
	}
	size := min(g.room()-first.Len(), len(msg))
	first.Size = uint16(size)
	g.add(first, msg[:size])
	for num := uint8(1); size < len(msg); num++ {
		if dst, err = g.Flush(dst); err != nil {
			return dst, err
		}
		s := min(len(msg)-size, MaxFollowOnFragmentSize)
		next := Instructions{
			FollowOn:  true,
			Number:    num,
			Last:      size+s == len(msg),
			MessageID: id,
			Size:      uint16(s),
		}
		g.add(next, msg[size:size+s])
		size += s
	}
	return dst, nil
}

// room is the space left in the open body.
func (g *Gateway) room() int { return MaxPayloadSize - g.n }

// add appends instructions and their fragment to the open body; the
// caller has checked the room.
func (g *Gateway) add(in Instructions, frag []byte) {
	b, _ := in.Append(g.payload[g.n:g.n])
	g.n += len(b)
	g.n += copy(g.payload[g.n:], frag)
}

// Flush completes the open body, if it holds anything, and appends it to
// dst.
func (g *Gateway) Flush(dst []Body) ([]Body, error) {
	if g.n == 0 {
		return dst, nil
	}
	dst = append(dst, Body{})
	b := &dst[len(dst)-1]
	copy(b[BodySize-g.n:], g.payload[:g.n])
	if err := seal(b, g.n, g.rand); err != nil {
		return dst[:len(dst)-1], err
	}
	g.n = 0
	return dst, nil
}

// OutboundGateway is the creator's end of an outbound tunnel: it
// preprocesses messages and removes, in advance, every hop's layer from
// the last hop to the first, so that each hop's encryption leaves the
// outbound endpoint with plaintext (docs/tunnels/implementation "Outbound
// tunnel" gateway processing). It is not safe for concurrent use.
type OutboundGateway struct {
	gw     *Gateway
	layers []*crypto.TunnelLayer
}

// NewOutboundGateway returns the gateway for the tunnel whose hops, from
// the first hop after the creator to the outbound endpoint, have the given
// layers. No layers makes a zero-hop tunnel (bodies stay plaintext).
func NewOutboundGateway(layers []*crypto.TunnelLayer, random io.Reader) *OutboundGateway {
	return &OutboundGateway{gw: NewGateway(random), layers: append([]*crypto.TunnelLayer(nil), layers...)}
}

// Put adds m for delivery to to at the outbound endpoint and appends the
// bodies this completes, ready to send to the first hop.
func (g *OutboundGateway) Put(dst []Body, m i2np.Message, to Delivery) ([]Body, error) {
	n := len(dst)
	dst, err := g.gw.Put(dst, m, to)
	g.wrap(dst[n:])
	return dst, err
}

// Flush completes the open body and appends it, ready to send.
func (g *OutboundGateway) Flush(dst []Body) ([]Body, error) {
	n := len(dst)
	dst, err := g.gw.Flush(dst)
	g.wrap(dst[n:])
	return dst, err
}

func (g *OutboundGateway) wrap(bodies []Body) {
	for i := range bodies {
		for j := len(g.layers) - 1; j >= 0; j-- {
			g.layers[j].Decrypt(&bodies[i])
		}
	}
}

// InboundGateway is the first hop of an inbound tunnel: it preprocesses
// the messages that arrive for the tunnel (TunnelGateway messages) for
// LOCAL delivery to the creator and encrypts each body once with its layer
// (docs/tunnels/implementation "Inbound tunnel" gateway processing). It is
// not safe for concurrent use.
type InboundGateway struct {
	gw    *Gateway
	layer *crypto.TunnelLayer
	next  Hop
}

// NewInboundGateway returns the gateway with this hop's layer that sends
// to next.
func NewInboundGateway(layer *crypto.TunnelLayer, next Hop, random io.Reader) *InboundGateway {
	return &InboundGateway{gw: NewGateway(random), layer: layer, next: next}
}

// Next is the hop the bodies go to.
func (g *InboundGateway) Next() Hop { return g.next }

// Put adds m and appends the bodies this completes, ready to send to
// Next.
func (g *InboundGateway) Put(dst []Body, m i2np.Message) ([]Body, error) {
	n := len(dst)
	dst, err := g.gw.Put(dst, m, Local())
	g.wrap(dst[n:])
	return dst, err
}

// Flush completes the open body and appends it, ready to send.
func (g *InboundGateway) Flush(dst []Body) ([]Body, error) {
	n := len(dst)
	dst, err := g.gw.Flush(dst)
	g.wrap(dst[n:])
	return dst, err
}

func (g *InboundGateway) wrap(bodies []Body) {
	for i := range bodies {
		g.layer.Encrypt(&bodies[i])
	}
}
