package netdb

import (
	"errors"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// worker owns the (de)compression state used on received messages.
type worker struct {
	dec  i2np.Decompressor
	comp *i2np.Compressor // allocated on first use (about 1 MB)
}

// work processes the inbox until Close.
func (n *NetDB) work() {
	var w worker
	for {
		select {
		case <-n.ctx.Done():
			return
		case in := <-n.inbox:
			n.dispatch(&w, in)
		}
	}
}

func (n *NetDB) dispatch(w *worker, in inbound) {
	if in.from.IsZero() && (in.msg.Type == i2np.TypeDatabaseStore || in.msg.Type == i2np.TypeDatabaseSearchReply) {
		n.counter.repliesViaTunnels.Add(1)
	}
	switch in.msg.Type {
	case i2np.TypeDatabaseStore:
		ds, err := i2np.ParseDatabaseStore(in.msg.Payload)
		if err != nil {
			n.counter.storesRejected.Add(1)
			return
		}
		n.handleStore(w, in.from, ds)
	case i2np.TypeDatabaseLookup:
		l, err := i2np.ParseDatabaseLookup(in.msg.Payload)
		if err != nil {
			n.counter.lookupsDropped.Add(1)
			return
		}
		n.handleLookup(w, l)
	case i2np.TypeDatabaseSearchReply:
		r, err := i2np.ParseDatabaseSearchReply(in.msg.Payload)
		if err != nil {
			return
		}
		n.handleSearchReply(in.from, r)
	}
}

// handleStore validates and stores a DatabaseStore, confirms it when it
// carries a reply token and, as a floodfill, floods what is new.
func (n *NetDB) handleStore(w *worker, from data.Hash, ds i2np.DatabaseStore) {
	n.counter.storesReceived.Add(1)
	now := n.clk.Now()
	rec, err := decodeStore(ds, &w.dec, now, n.policy)
	if err != nil {
		n.counter.storesRejected.Add(1)
		n.log.Debug("store refused", "key", ds.Key, "err", err)
		return
	}
	var updated, flood bool
	switch {
	case rec.ri != nil:
		if ds.Key == n.cfg.Self {
			return
		}
		_, err = n.addValid(rec.ri)
		flood = true
	case n.cfg.Floodfill:
		err = n.tab.putLeaseSet(rec.ls)
		flood = rec.ls.flood
		n.pend.foundLeaseSet(rec.ls)
	default:
		// Lease sets are kept by floodfills only; others take the
		// ones they looked up.
		n.pend.foundLeaseSet(rec.ls)
		return
	}
	switch {
	case err == nil:
		updated = true
	case errors.Is(err, ErrNotNewer):
	default:
		n.counter.storesRejected.Add(1)
		return
	}
	if ds.ReplyToken != 0 {
		ack := i2np.DeliveryStatus{MessageID: ds.ReplyToken, Timestamp: data.DateOf(now)}
		if err := n.send(ds.ReplyGateway, ds.ReplyTunnelID, ack); err != nil {
			n.log.Debug("store confirmation", "err", err)
		}
	}
	// Per network-database.html, only stores that asked for a
	// confirmation are flooded: floods themselves carry no token.
	if n.cfg.Floodfill && updated && flood && ds.ReplyToken != 0 {
		n.flood(from, ds)
	}
}

// flood sends a new entry to the floodPeers floodfills closest to its key,
// except ourselves, the sender and the entry's own router.
func (n *NetDB) flood(from data.Hash, ds i2np.DatabaseStore) {
	out := i2np.DatabaseStore{Key: ds.Key, StoreType: ds.StoreType, Data: ds.Data}
	exclude := map[data.Hash]bool{from: true, ds.Key: true}
	for _, ff := range n.ClosestFloodfills(ds.Key, floodPeers, exclude) {
		if err := n.send(ff, 0, out); err != nil {
			n.log.Debug("flood", "err", err)
		}
	}
}

// handleSearchReply routes a DatabaseSearchReply to the lookup or
// exploration that asked for it; peers we do not know are looked up.
func (n *NetDB) handleSearchReply(from data.Hash, r i2np.DatabaseSearchReply) {
	if !r.From.IsZero() {
		// The answering floodfill, also when the reply came through
		// one of our tunnels (then from is not the floodfill).
		from = r.From
	}
	peers := r.Peers
	if len(peers) > maxSearchReplyPeers {
		peers = peers[:maxSearchReplyPeers]
	}
	if n.pend.reply(r.Key, searchReply{from: from, peers: peers}) {
		return
	}
	if !n.pend.exploring(r.Key, n.clk.Now()) {
		return
	}
	for _, h := range peers {
		n.learnLater(h)
	}
}
