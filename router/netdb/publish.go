package netdb

import (
	"encoding/binary"
	"fmt"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Publish sets our current RouterInfo and publishes it now: it is stored to
// the floodfill closest to our routing key with a reply token, and to the next
// closest when no DeliveryStatus confirms it within publishConfirmTimeout.
// It is republished every publishInterval (plus up to publishVariance).
func (n *NetDB) Publish(ri *data.RouterInfo) error {
	if ri.Hash() != n.cfg.Self {
		return fmt.Errorf("netdb: publish: routerinfo is not ours")
	}
	gz, err := i2np.CompressRouterInfo(ri.Bytes())
	if err != nil {
		return fmt.Errorf("netdb: publish: %w", err)
	}
	n.pend.mu.Lock()
	n.pend.self, n.pend.selfGz, n.pend.current = ri, gz, false
	n.pend.mu.Unlock()
	select {
	case n.publishNow <- struct{}{}:
	default:
	}
	return nil
}

// publish runs publication rounds when asked and when due.
func (n *NetDB) publish() {
	t := n.clk.NewTimer(publishRetry)
	defer t.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-n.publishNow:
		case <-t.C():
		}
		next := publishRetry
		if n.publishRound() {
			next = publishInterval + n.jitter(publishVariance)
		}
		t.Reset(next)
	}
}

func (n *NetDB) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	var b [8]byte
	binary.BigEndian.PutUint32(b[:], n.randUint32())
	binary.BigEndian.PutUint32(b[4:], n.randUint32())
	return time.Duration(binary.BigEndian.Uint64(b[:]) % uint64(d))
}

// publishRound stores our RouterInfo at the closest floodfills in turn until
// one confirms. It reports success.
func (n *NetDB) publishRound() bool {
	n.pend.mu.Lock()
	self, gz := n.pend.self, n.pend.selfGz
	n.pend.mu.Unlock()
	if self == nil {
		return false
	}
	tried := map[data.Hash]bool{}
	for range maxPublishAttempts {
		ffs := n.ClosestFloodfills(n.cfg.Self, 1, tried)
		if len(ffs) == 0 {
			return false
		}
		tried[ffs[0]] = true
		if n.publishTo(ffs[0], self, gz) {
			return true
		}
		if n.closed() {
			return false
		}
	}
	return false
}

// publishTo stores self at ff and waits for the confirmation.
func (n *NetDB) publishTo(ff data.Hash, self *data.RouterInfo, gz []byte) bool {
	token := n.randUint32()
	n.pend.mu.Lock()
	n.pend.token = token
	select {
	case <-n.pend.confirmed:
	default:
	}
	n.pend.mu.Unlock()
	rt := n.routeTo(ff, false)
	ds := i2np.DatabaseStore{Key: n.cfg.Self, StoreType: i2np.StoreRouterInfo,
		ReplyToken: token, ReplyTunnelID: rt.replyTun, ReplyGateway: rt.gateway, Data: gz}
	if err := n.sendVia(ff, rt, ds); err != nil {
		n.log.Debug("publish", "err", err)
		return false
	}
	t := n.clk.NewTimer(publishConfirmTimeout)
	defer t.Stop()
	select {
	case <-n.pend.confirmed:
	case <-t.C():
		return false
	case <-n.ctx.Done():
		return false
	}
	n.pend.mu.Lock()
	defer n.pend.mu.Unlock()
	n.pend.lastPublish = n.clk.Now()
	n.pend.publishedTo = ff
	n.pend.current = n.pend.self == self
	return true
}

// confirmPublish reports whether id is the token of our publication in
// flight, and signals the publisher if so.
func (n *NetDB) confirmPublish(id uint32) bool {
	n.pend.mu.Lock()
	defer n.pend.mu.Unlock()
	if id == 0 || id != n.pend.token {
		return false
	}
	n.pend.token = 0
	select {
	case n.pend.confirmed <- struct{}{}:
	default:
	}
	return true
}
