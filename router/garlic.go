package router

import (
	"fmt"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
)

// newGarlic prepares router-level garlic: decryption of messages sent to our
// router key, and the one-time reply keys we hand out.
func (r *Router) newGarlic() error {
	priv, err := r.keys.X25519PrivateKey()
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	sk := crypto.X25519PrivateKey(priv)
	r.garlicReplies = garlic.NewReplyTable(garlic.ReplyTableConfig{Clock: r.clk})
	r.garlic = garlic.NewDecrypter(garlic.DecrypterConfig{
		Key:     crypto.X25519KeyPair{Private: sk, Public: sk.PublicKey()},
		Replies: r.garlicReplies,
		Clock:   r.clk,
	})
	return nil
}

// wrapReply garlic-encrypts msg as a one-time reply under key and tag (a
// floodfill's answer to an ECIES lookup, an outbound endpoint's build reply).
func (r *Router) wrapReply(key [32]byte, tag [8]byte, msg i2np.Message) (i2np.Message, error) {
	body, err := garlic.WrapReply(r.rand, &garlic.ReplyKey{Key: key, Tag: tag}, msg)
	if err != nil {
		return i2np.Message{}, fmt.Errorf("router: garlic reply: %w", err)
	}
	return i2np.NewMessage(i2np.Garlic{Data: body}, r.newMessageID(), msg.Expiration)
}

// handleGarlic decrypts a Garlic message sent to our router and acts on its
// cloves: LOCAL ones are dispatched as if the sender had sent them directly,
// ROUTER and TUNNEL ones are forwarded. Garlic inside garlic is not unwrapped.
func (r *Router) handleGarlic(from data.Hash, msg i2np.Message, depth int) {
	g, err := i2np.ParseGarlic(msg.Payload)
	if err != nil {
		r.counters.badGarlic.Add(1)
		return
	}
	dec, err := r.garlic.Decrypt(g.Data)
	if err != nil {
		r.counters.badGarlic.Add(1)
		r.log.Debug("garlic", "err", err)
		return
	}
	if dec.Kind == garlic.ExistingSession {
		r.counters.garlicReplies.Add(1)
	}
	for _, c := range dec.Cloves() {
		switch c.Delivery.Type {
		case garlic.DeliveryLocal:
			if c.Message.Type == i2np.TypeGarlic && depth > 0 {
				r.counters.badGarlic.Add(1)
				continue
			}
			r.dispatch(from, c.Message, depth+1)
		case garlic.DeliveryRouter:
			r.forward(c.Delivery.Hash, 0, c.Message)
		case garlic.DeliveryTunnel:
			r.forward(c.Delivery.Hash, c.Delivery.TunnelID, c.Message)
		default: // DESTINATION: no local destinations yet
			r.counters.unhandled.Add(1)
		}
	}
}

// forward sends msg to a router, wrapped in a TunnelGateway message when tunnel
// is nonzero.
func (r *Router) forward(to data.Hash, tunnel uint32, msg i2np.Message) {
	if tunnel != 0 {
		tg, err := i2np.NewTunnelGateway(tunnel, msg)
		if err == nil {
			msg, err = i2np.NewMessage(tg, r.newMessageID(), msg.Expiration)
		}
		if err != nil {
			r.counters.unhandled.Add(1)
			return
		}
	}
	r.send(to, msg)
}
