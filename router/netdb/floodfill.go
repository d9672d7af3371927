package netdb

import (
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// handleLookup answers a DatabaseLookup as a floodfill. Non-floodfills do not
// answer, as Java I2P. A lookup asking for an ECIES reply (reply key and tag) is
// answered through Config.WrapReply; without it, and for the old ElGamal/AES
// replies, it is dropped: the requester must never get plaintext.
func (n *NetDB) handleLookup(w *worker, l i2np.DatabaseLookup) {
	ecies := l.Flags&i2np.FlagECIES != 0
	if !n.cfg.Floodfill || l.Key.IsZero() || l.From.IsZero() ||
		l.Flags&i2np.FlagEncryption != 0 ||
		(ecies && (n.cfg.WrapReply == nil || len(l.RatchetTags) == 0)) {
		n.counter.lookupsDropped.Add(1)
		return
	}
	var tunnel uint32
	if l.Flags&i2np.FlagTunnelReply != 0 {
		tunnel = l.ReplyTunnelID
	}
	exclude := make(map[data.Hash]bool, len(l.Excluded)+2)
	for _, h := range l.Excluded {
		exclude[h] = true
	}
	exclude[n.cfg.Self] = true
	var reply i2np.Payload
	switch t := l.LookupType(); t {
	case i2np.LookupExploration:
		exclude[l.From] = true
		reply = n.exploreReply(l.Key, exclude)
	default:
		reply = n.findReply(w, l.Key, t)
		if reply == nil {
			reply = i2np.DatabaseSearchReply{Key: l.Key, From: n.cfg.Self,
				Peers: n.ClosestFloodfills(l.Key, searchReplyPeers, exclude)}
		}
	}
	msg, err := n.encode(reply)
	if err == nil && ecies {
		msg, err = n.cfg.WrapReply(l.ReplyKey, l.RatchetTags[0], msg)
	}
	if err != nil {
		n.counter.lookupsDropped.Add(1)
		n.log.Debug("lookup reply", "err", err)
		return
	}
	n.counter.lookupsAnswered.Add(1)
	if err := n.sendMessage(l.From, tunnel, msg); err != nil {
		n.log.Debug("lookup reply", "err", err)
	}
}

// findReply returns a DatabaseStore of the entry asked for, or nil.
func (n *NetDB) findReply(w *worker, key data.Hash, t i2np.LookupType) i2np.Payload {
	if t == i2np.LookupNormal || t == i2np.LookupRouterInfo {
		if gz := n.routerInfoGz(w, key); gz != nil {
			return i2np.DatabaseStore{Key: key, StoreType: i2np.StoreRouterInfo, Data: gz}
		}
	}
	if t == i2np.LookupNormal || t == i2np.LookupLeaseSet {
		if ls, ok := n.tab.leaseSet(key, n.clk.Now()); ok {
			return i2np.DatabaseStore{Key: key, StoreType: ls.storeType, Data: ls.raw}
		}
	}
	return nil
}

// routerInfoGz returns the gzipped RouterInfo of key (ours included), or nil.
func (n *NetDB) routerInfoGz(w *worker, key data.Hash) []byte {
	if key == n.cfg.Self {
		n.pend.mu.Lock()
		gz := n.pend.selfGz
		n.pend.mu.Unlock()
		return gz
	}
	ri, ok := n.tab.get(key)
	if !ok {
		return nil
	}
	if w.comp == nil {
		w.comp = new(i2np.Compressor)
	}
	gz, err := w.comp.Compress(nil, ri.Bytes())
	if err != nil {
		return nil
	}
	return gz
}

// exploreReply lists the non-floodfill routers closest to key, except
// exclude.
func (n *NetDB) exploreReply(key data.Hash, exclude map[data.Hash]bool) i2np.DatabaseSearchReply {
	peers := Closest(RoutingKey(key, n.clk.Now()), n.tab.nonFloodfillHashes(exclude), maxSearchReplyPeers)
	return i2np.DatabaseSearchReply{Key: key, From: n.cfg.Self, Peers: peers}
}
