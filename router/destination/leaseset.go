package destination

import (
	"context"
	"errors"
	"slices"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
	"i2pgate/router/tunnel/pool"
	"sort"
)

// maxLeases is the most leases a lease set carries (common-structures).
const maxLeases = 16

// maintain keeps the lease set current and published until Close.
func (d *Destination) maintain() {
	defer d.wg.Done()
	t := d.clk.NewTicker(checkInterval)
	defer t.Stop()
	var (
		lastPublish time.Time
		verifyAt    time.Time
	)
	for {
		now := d.clk.Now()
		d.cfg.Sessions.Tick()
		if d.refreshLeaseSet(now) {
			lastPublish = time.Time{}
		}
		d.mu.Lock()
		ls, published := d.mu.local, d.mu.published
		d.mu.Unlock()
		switch {
		case ls == nil || !d.cfg.Publish:
		case !published && (lastPublish.IsZero() || now.Sub(lastPublish) >= PublishRetry),
			published && now.Sub(lastPublish) >= RepublishInterval:
			lastPublish = now
			if d.publish(ls) {
				verifyAt = d.clk.Now().Add(PublishVerifyDelay)
			}
		case published && !verifyAt.IsZero() && !now.Before(verifyAt):
			verifyAt = time.Time{}
			if !d.verify(ls) {
				d.log.Info("lease set not found after publication; publishing again")
				d.setPublished(ls, false)
				lastPublish = time.Time{}
			}
		}
		select {
		case <-d.ctx.Done():
			return
		case <-t.C():
		case <-d.changed:
		}
	}
}

// currentLeases lists the leases of our usable inbound tunnels, latest
// ending first.
func (d *Destination) currentLeases(now time.Time) []data.Lease2 {
	var leases []data.Lease2
	for _, t := range d.pool.Inbound() {
		end := t.Expires()
		if end.Before(now.Add(leaseMargin)) {
			continue
		}
		gw := t.Gateway()
		leases = append(leases, data.Lease2{Gateway: gw.Router, TunnelID: gw.TunnelID, EndDate: uint32(end.Unix())})
	}
	// Latest end first. (A difference of two uint32 dates does not fit the
	// int of a 32-bit box: compare, do not subtract.)
	sort.Slice(leases, func(i, j int) bool { return leases[i].EndDate > leases[j].EndDate })
	if len(leases) > maxLeases {
		leases = leases[:maxLeases]
	}
	return leases
}

// sameTunnels reports whether a and b name the same inbound tunnels.
func sameTunnels(a, b []data.Lease2) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y data.Lease2) bool { return x.Gateway == y.Gateway && x.TunnelID == y.TunnelID }) {
			return false
		}
	}
	return true
}

// refreshLeaseSet builds a new lease set when the inbound tunnels changed
// (or the current one nears its end) and reports whether it did.
func (d *Destination) refreshLeaseSet(now time.Time) bool {
	leases := d.currentLeases(now)
	d.mu.Lock()
	cur := d.mu.local
	d.mu.Unlock()
	if len(leases) == 0 {
		return false
	}
	if cur != nil && sameTunnels(cur.Leases(), leases) && cur.Expires().After(now.Add(2*leaseMargin)) {
		return false
	}
	ls, err := d.buildLeaseSet(now, leases)
	if err != nil {
		d.log.Warn("lease set", "err", err)
		return false
	}
	d.mu.Lock()
	d.mu.local = ls
	d.mu.published = false
	d.mu.Unlock()
	d.log.Debug("new lease set", "leases", len(leases))
	return true
}

// buildLeaseSet signs a LeaseSet2 with our X25519 key and leases.
func (d *Destination) buildLeaseSet(now time.Time, leases []data.Lease2) (*data.LeaseSet2, error) {
	published := now.Truncate(time.Second)
	last := time.Unix(int64(leases[0].EndDate), 0)
	expires := max(last.Sub(published), time.Second)
	expires = min(expires, 65535*time.Second)
	pub := d.encKey.Public
	return data.NewLeaseSet2(data.LeaseSet2Params{
		Destination: d.cfg.Keys.Destination(),
		Published:   published,
		Expires:     expires,
		Offline:     d.cfg.Keys.Offline(),
		Keys:        []data.EncryptionKey{{Type: data.CryptoX25519, Key: pub[:]}},
		Leases:      leases,
	}, d.signer)
}

// LeaseSet returns our current lease set (nil before the first inbound
// tunnel).
func (d *Destination) LeaseSet() *data.LeaseSet2 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mu.local
}

func (d *Destination) setPublished(ls *data.LeaseSet2, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mu.local == ls {
		d.mu.published = ok
	}
}

// publish stores ls at up to maxPublishFloodfills of the floodfills closest
// to us, one at a time, through our tunnels, until one confirms.
func (d *Destination) publish(ls *data.LeaseSet2) bool {
	tried := map[data.Hash]bool{}
	for range maxPublishFloodfills {
		ffs := d.cfg.NetDB.ClosestFloodfills(d.hash, 1, tried)
		if len(ffs) == 0 {
			break
		}
		tried[ffs[0]] = true
		err := d.publishTo(ffs[0], ls)
		if err == nil {
			d.setPublished(ls, true)
			d.mu.Lock()
			d.mu.stats.Publications++
			d.mu.Unlock()
			d.log.Info("lease set published", "floodfill", ffs[0].String())
			return true
		}
		d.log.Debug("lease set publication", "floodfill", ffs[0].String(), "err", err)
		if errors.Is(err, ErrNoTunnels) || d.ctx.Err() != nil {
			break
		}
	}
	d.mu.Lock()
	d.mu.stats.PublishFailures++
	d.mu.Unlock()
	return false
}

// publishTo sends one store to ff and waits for its confirmation, which
// comes back through one of our inbound tunnels.
func (d *Destination) publishTo(ff data.Hash, ls *data.LeaseSet2) error {
	in, out, err := d.tunnelPair()
	if err != nil {
		return err
	}
	ri, ok := d.cfg.NetDB.RouterInfo(ff)
	if !ok {
		return ErrNotFound
	}
	token := d.randUint32()
	gw := in.Gateway()
	msg, err := d.newMessage(i2np.DatabaseStore{Key: d.hash, StoreType: i2np.StoreLeaseSet2,
		ReplyToken: token, ReplyTunnelID: gw.TunnelID, ReplyGateway: gw.Router, Data: ls.Bytes()})
	if err != nil {
		return err
	}
	wrapped, err := d.cfg.WrapForRouter(ri, msg)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.mu.token = token
	d.mu.Unlock()
	select { // a stale confirmation
	case <-d.confirmed:
	default:
	}
	if err := d.cfg.Tunnels.SendThrough(out, wrapped, tunnel.ToRouter(ff)); err != nil {
		return err
	}
	timer := d.clk.NewTimer(PublishConfirmTimeout)
	defer timer.Stop()
	for {
		select {
		case got := <-d.confirmed:
			if got == token {
				return nil
			}
		case <-timer.C():
			return ErrTimeout
		case <-d.ctx.Done():
			return ErrClosed
		}
	}
}

// verify looks our lease set up and reports whether the network has it (or
// a newer one of ours).
func (d *Destination) verify(ls *data.LeaseSet2) bool {
	ctx, cancel := context.WithTimeout(d.ctx, LookupTimeout)
	defer cancel()
	got, err := d.cfg.NetDB.LookupLeaseSet(ctx, d.hash)
	return err == nil && !got.Published.Before(ls.Published())
}

// confirm handles a DeliveryStatus that may confirm our store.
func (d *Destination) confirm(id uint32) bool {
	d.mu.Lock()
	ours := id != 0 && id == d.mu.token
	if ours {
		d.mu.token = 0
	}
	d.mu.Unlock()
	if ours {
		select {
		case d.confirmed <- id:
		default:
		}
	}
	return ours
}

// tunnelPair picks an inbound and an outbound tunnel of our pool.
func (d *Destination) tunnelPair() (in, out *pool.Tunnel, err error) {
	if d.pool == nil {
		return nil, nil, ErrNoTunnels
	}
	in, ok1 := d.pool.Pick(true)
	out, ok2 := d.pool.Pick(false)
	if !ok1 || !ok2 {
		return nil, nil, ErrNoTunnels
	}
	return in, out, nil
}
