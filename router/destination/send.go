package destination

import (
	"context"
	"fmt"
	"math/rand/v2"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/garlic"
	"i2pgate/router/garlic/ratchet"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
)

// Send delivers payload (an I2CP payload) to the destination with hash to:
// its lease set is looked up when not cached, the payload goes into a Data
// message in a garlic clove for that destination (with our lease set
// bundled when the remote may not have the current one), encrypted by the
// ratchet session to the remote's key, out one of our outbound tunnels to
// one of its inbound tunnels. Errors wrap ErrNotFound, ErrNoTunnels,
// ErrTimeout or ErrUnsupported where they apply.
func (d *Destination) Send(ctx context.Context, to data.Hash, payload []byte) error {
	err := d.send(ctx, to, payload)
	d.mu.Lock()
	if err != nil {
		d.mu.stats.SendFailures++
	} else {
		d.mu.stats.MessagesSent++
	}
	d.mu.Unlock()
	return err
}

func (d *Destination) send(ctx context.Context, to data.Hash, payload []byte) error {
	return d.sendBlocks(ctx, to, payload)
}

// sendBlocks sends payload (nil: no Data clove, only what the ratchet and
// our lease set need) to the destination to.
func (d *Destination) sendBlocks(ctx context.Context, to data.Hash, payload []byte) error {
	if d.pool == nil {
		return ErrNoTunnels
	}
	out, ok := d.pool.Pick(false)
	if !ok {
		return fmt.Errorf("destination: send to %v: %w", to, ErrNoTunnels)
	}
	r, err := d.remoteFor(ctx, to)
	if err != nil {
		return err
	}
	now := d.clk.Now()
	l, ok := r.usableLease(now, rand.IntN)
	if !ok {
		// Every lease is ending: look the lease set up again once.
		d.forget(to)
		if r, err = d.remoteFor(ctx, to); err != nil {
			return err
		}
		if l, ok = r.usableLease(now, rand.IntN); !ok {
			return fmt.Errorf("destination: %v has no usable lease: %w", to, ErrNotFound)
		}
	}
	blocks, err := d.cloves(r, to, payload)
	if err != nil {
		return err
	}
	body, kind, err := d.encrypt(&r.key, blocks)
	if err != nil {
		return fmt.Errorf("destination: encrypt to %v: %w", to, err)
	}
	if kind != garlic.ExistingSession {
		d.log.Debug("ratchet handshake message sent", "name", d.cfg.Name, "kind", kind, "to", to)
	}
	msg, err := d.newMessage(i2np.Garlic{Data: body})
	if err != nil {
		return err
	}
	return d.cfg.Tunnels.SendThrough(out, msg, tunnel.ToTunnel(l.gateway, l.tunnel))
}

// sealer is the part of *ratchet.Manager that says which kind of message
// it made.
type sealer interface {
	Seal(remote *crypto.X25519PublicKey, blocks []garlic.Block, opts ratchet.SealOptions) (ratchet.Sealed, error)
}

// encrypt encrypts blocks to remote and says what kind of message it made
// when the sessions can tell (ExistingSession otherwise).
func (d *Destination) encrypt(remote *crypto.X25519PublicKey, blocks []garlic.Block) ([]byte, garlic.Kind, error) {
	if s, ok := d.cfg.Sessions.(sealer); ok {
		out, err := s.Seal(remote, blocks, ratchet.SealOptions{})
		return out.Body, out.Kind, err
	}
	body, err := d.cfg.Sessions.Encrypt(remote, blocks)
	return body, garlic.ExistingSession, err
}

// cloves makes the garlic cloves of one message: when due our lease set,
// first so that the remote has it when it handles the rest (i2pd's own
// order: a stream's SYN is answered at once, before the cloves after it
// are read), then the Data message for the remote destination.
func (d *Destination) cloves(r *remote, to data.Hash, payload []byte) ([]garlic.Block, error) {
	var blocks []garlic.Block
	now := d.clk.Now()
	d.mu.Lock()
	ls := d.mu.local
	bundle := ls != nil && (r.bundled != ls || now.Sub(r.bundledAt) >= maxLeaseSetBundleAge)
	if bundle {
		r.bundled, r.bundledAt = ls, now
	}
	d.mu.Unlock()
	if bundle {
		sm, err := d.newMessage(i2np.DatabaseStore{Key: d.hash, StoreType: i2np.StoreLeaseSet2, Data: ls.Bytes()})
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, garlic.Clove{Delivery: garlic.Delivery{Type: garlic.DeliveryLocal}, Message: sm})
	}
	if payload != nil {
		dm, err := d.newMessage(i2np.Data{Data: payload})
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, garlic.Clove{Delivery: garlic.Delivery{Type: garlic.DeliveryDestination, Hash: to}, Message: dm})
	}
	return blocks, nil
}

// deliver takes what leaves our inbound tunnels.
func (d *Destination) deliver(msg i2np.Message) {
	switch msg.Type {
	case i2np.TypeGarlic:
		g, err := i2np.ParseGarlic(msg.Payload)
		if err != nil {
			d.other(msg)
			return
		}
		dec, err := d.cfg.Sessions.Decrypt(g.Data)
		if err != nil {
			// Not for our sessions: perhaps the router's (a one-time
			// reply through our tunnel).
			d.mu.Lock()
			d.mu.stats.DecryptFailures++
			d.mu.Unlock()
			d.log.Debug("garlic not opened by our sessions", "err", err, "size", len(g.Data))
			d.other(msg)
			return
		}
		if dec.Kind != garlic.ExistingSession {
			d.log.Debug("ratchet handshake message received", "name", d.cfg.Name, "kind", dec.Kind, "bound", dec.Bound)
		}
		for _, b := range dec.Blocks {
			if nk, ok := b.(garlic.NextKey); ok {
				d.log.Debug("ratchet next key received", "name", d.cfg.Name, "reverse", nk.Reverse, "key_id", nk.KeyID, "has_key", nk.HasKey, "request_reverse", nk.RequestReverse)
			}
		}
		for _, c := range dec.Cloves() {
			d.clove(c)
		}
		if dec.NeedsReply && dec.Bound {
			d.answer(dec.Remote)
		}
	case i2np.TypeDeliveryStatus:
		if ds, err := i2np.ParseDeliveryStatus(msg.Payload); err == nil && d.confirm(ds.MessageID) {
			return
		}
		d.other(msg)
	default:
		d.other(msg)
	}
}

func (d *Destination) other(msg i2np.Message) {
	if d.cfg.Other != nil {
		d.cfg.Other(msg)
	}
}

// clove acts on one clove of a garlic message to us.
func (d *Destination) clove(c garlic.Clove) {
	switch c.Delivery.Type {
	case garlic.DeliveryLocal:
	case garlic.DeliveryDestination:
		if c.Delivery.Hash != d.hash {
			return
		}
	default:
		return // a client's garlic never routes through us
	}
	m := c.Message
	switch m.Type {
	case i2np.TypeData:
		dm, err := i2np.ParseData(m.Payload)
		if err != nil {
			return
		}
		d.mu.Lock()
		d.mu.stats.MessagesReceived++
		d.mu.Unlock()
		if d.cfg.Receive != nil {
			d.cfg.Receive(append([]byte(nil), dm.Data...))
		}
	case i2np.TypeDatabaseStore:
		ds, err := i2np.ParseDatabaseStore(m.Payload)
		if err != nil || !ds.StoreType.IsLeaseSet() || ds.Key == d.hash {
			return
		}
		r, err := parseRemote(ds.StoreType, ds.Key, append([]byte(nil), ds.Data...), d.clk.Now())
		if err != nil {
			d.log.Debug("bundled lease set refused", "err", err)
			return
		}
		d.remember(ds.Key, r)
	case i2np.TypeDeliveryStatus:
		if ds, err := i2np.ParseDeliveryStatus(m.Payload); err == nil {
			d.confirm(ds.MessageID)
		}
	}
}

// Remote reports what is cached of the destination h: its identity and
// whether a lease set is known.
func (d *Destination) Remote(h data.Hash) (*data.Destination, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.mu.remotes[h]
	if !ok {
		return nil, false
	}
	return r.dest, true
}

// answer sends an empty garlic message to the owner of key when the ratchet
// wants one (a New Session Reply, an ACK, our NextKey) and we know its lease
// set (it bundles it in its first message). It runs in the background so the
// tunnel endpoint is never held up.
func (d *Destination) answer(key crypto.X25519PublicKey) {
	d.mu.Lock()
	var to data.Hash
	for h, r := range d.mu.remotes {
		if r.key == key {
			to = h
			break
		}
	}
	closed := d.mu.closed
	if !closed && !to.IsZero() {
		d.wg.Add(1)
	}
	d.mu.Unlock()
	if closed || to.IsZero() {
		return
	}
	go func() {
		defer d.wg.Done()
		ctx, cancel := context.WithTimeout(d.ctx, LookupTimeout)
		defer cancel()
		if err := d.sendBlocks(ctx, to, nil); err != nil {
			d.log.Debug("ratchet answer", "err", err)
		}
	}()
}
