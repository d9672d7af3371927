package netdb

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/store"
)

// NetDB is the network database. Create it with New, then Start it; Close
// stops it. Its methods are safe for concurrent use.
type NetDB struct {
	cfg    Config
	policy Policy
	clk    clock.Clock
	randMu sync.Mutex // serialises reads of rand
	rand   io.Reader
	log    *slog.Logger

	minRouters, minFloodfills, healthy int

	tab   *table
	batch *store.Batcher // nil without a Store

	inbox      chan inbound
	learnQ     chan data.Hash
	publishNow chan struct{}
	lookupSlot chan struct{}

	pend    pending
	counter counters
	// heard is when a peer last sent us a netdb message (unix ns): a small
	// database whose peers talk is a small network, not a reason to reseed.
	heard atomic.Int64

	life struct {
		mu      sync.Mutex // guards the fields below
		started bool
		closed  bool
		start   time.Time
	}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// inbound is a message queued by Handle for the worker.
type inbound struct {
	from data.Hash
	msg  i2np.Message
}

// counters are the statistics kept with atomics.
type counters struct {
	lookupsStarted, lookupsSucceeded, lookupsFailed atomic.Uint64
	storesReceived, storesRejected                  atomic.Uint64
	lookupsAnswered, lookupsDropped                 atomic.Uint64
	explorations, inboxDropped                      atomic.Uint64
	reseeds, reseedFailures                         atomic.Uint64
	viaTunnels, repliesViaTunnels                   atomic.Uint64
}

// Stats is a snapshot of the database for status pages.
type Stats struct {
	KnownRouters     int    `json:"known_routers"`
	Floodfills       int    `json:"floodfills"`
	LeaseSets        int    `json:"lease_sets"`
	LookupsStarted   uint64 `json:"lookups_started"`
	LookupsSucceeded uint64 `json:"lookups_succeeded"`
	LookupsFailed    uint64 `json:"lookups_failed"`
	StoresReceived   uint64 `json:"stores_received"`
	StoresRejected   uint64 `json:"stores_rejected"`
	LookupsAnswered  uint64 `json:"lookups_answered"`
	LookupsDropped   uint64 `json:"lookups_dropped"`
	Explorations     uint64 `json:"explorations"`
	InboxDropped     uint64 `json:"inbox_dropped"`
	Reseeds          uint64 `json:"reseeds"`
	ReseedFailures   uint64 `json:"reseed_failures"`
	// ViaTunnels counts lookups and stores sent through our tunnels.
	ViaTunnels uint64 `json:"via_tunnels"`
	// RepliesViaTunnels counts search replies and stores that came out
	// of our inbound tunnels (no transport sender).
	RepliesViaTunnels uint64 `json:"replies_via_tunnels"`
	// LastPublish is when a floodfill last confirmed our RouterInfo
	// (zero: never); PublishConfirmed is false while the current
	// RouterInfo has not been confirmed yet.
	LastPublish      time.Time `json:"last_publish"`
	PublishConfirmed bool      `json:"publish_confirmed"`
	PublishedTo      data.Hash `json:"-"`
}

// New returns a NetDB for cfg. It starts nothing.
func New(cfg Config) (*NetDB, error) {
	if cfg.Sender == nil {
		return nil, errors.New("netdb: config: Sender required")
	}
	if cfg.Self.IsZero() {
		return nil, errors.New("netdb: config: Self required")
	}
	n := &NetDB{
		cfg:           cfg,
		policy:        cfg.policy(),
		clk:           clock.Or(cfg.Clock),
		rand:          cfg.Rand,
		log:           cfg.Logger,
		minRouters:    orInt(cfg.MinRouters, DefaultMinRouters),
		minFloodfills: orInt(cfg.MinFloodfills, DefaultMinFloodfills),
		healthy:       orInt(cfg.HealthyRouters, DefaultHealthyRouters),
		tab:           newTable(),
		inbox:         make(chan inbound, inboxSize),
		learnQ:        make(chan data.Hash, learnQueueSize),
		publishNow:    make(chan struct{}, 1),
		lookupSlot:    make(chan struct{}, maxLookups),
	}
	if n.rand == nil {
		n.rand = rand.Reader
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	n.log = n.log.With("component", "netdb")
	n.pend.init()
	n.ctx, n.cancel = context.WithCancel(context.Background())
	return n, nil
}

// Start loads the stored RouterInfos and starts the worker, exploration,
// publishing, expiry and (with a Reseeder) reseeding. A second call does
// nothing; Start after Close fails.
func (n *NetDB) Start() error {
	n.life.mu.Lock()
	defer n.life.mu.Unlock()
	if n.life.closed {
		return ErrClosed
	}
	if n.life.started {
		return nil
	}
	n.life.started = true
	n.life.start = n.clk.Now()
	if n.cfg.Store != nil {
		n.batch = store.NewBatcher(n.cfg.Store, n.batchOptions())
		if err := n.load(); err != nil {
			return err
		}
	}
	n.spawn(n.work)
	n.spawn(n.learn)
	n.spawn(n.explore)
	n.spawn(n.publish)
	n.spawn(n.expire)
	if n.cfg.Reseeder != nil {
		n.spawn(n.reseed)
	}
	return nil
}

func (n *NetDB) batchOptions() *store.BatchOptions {
	var o store.BatchOptions
	if n.cfg.Batch != nil {
		o = *n.cfg.Batch
	}
	if o.Interval <= 0 {
		o.Interval = persistInterval
	}
	if o.OnError == nil {
		o.OnError = func(err error) { n.log.Warn("persisting routerinfos", "err", err) }
	}
	return &o
}

func (n *NetDB) spawn(f func()) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		f()
	}()
}

// Close stops every goroutine, waits for them and flushes pending writes. It
// leaves the Store open. Later calls return nil.
func (n *NetDB) Close() error {
	n.life.mu.Lock()
	if n.life.closed {
		n.life.mu.Unlock()
		return nil
	}
	n.life.closed = true
	n.life.mu.Unlock()
	n.cancel()
	n.wg.Wait()
	n.pend.failAll(ErrClosed)
	if n.batch != nil {
		if err := n.batch.Close(); err != nil {
			return fmt.Errorf("netdb: close: %w", err)
		}
	}
	return nil
}

// running reports whether the NetDB is started and not closed; when it is,
// it counts one more goroutine in n.wg, which the caller must end with
// n.wg.Done.
func (n *NetDB) running() bool {
	n.life.mu.Lock()
	defer n.life.mu.Unlock()
	if !n.life.started || n.life.closed {
		return false
	}
	n.wg.Add(1)
	return true
}

func (n *NetDB) closed() bool {
	return n.ctx.Err() != nil
}

// load reads the stored RouterInfos, dropping those that do not parse, sit
// under the wrong key, belong to another network or are too old. Signatures
// were checked when the entries were stored and are not checked again, to
// keep start-up cheap on small CPUs.
func (n *NetDB) load() error {
	now := n.clk.Now()
	var drop [][]byte
	err := n.cfg.Store.View(func(tx store.Tx) error {
		return tx.Bucket(Bucket).ForEach(func(k, v []byte) error {
			ri, err := n.loadOne(k, v, now)
			if err != nil {
				drop = append(drop, append([]byte(nil), k...))
				return nil
			}
			if _, err := n.tab.put(ri, now); err != nil && !errors.Is(err, ErrNotNewer) {
				drop = append(drop, append([]byte(nil), k...))
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("netdb: load: %w", err)
	}
	for _, k := range drop {
		if err := n.batch.Delete(Bucket, k); err != nil {
			return fmt.Errorf("netdb: load: %w", err)
		}
	}
	r, f, _ := n.tab.counts()
	n.log.Info("loaded routerinfos", "routers", r, "floodfills", f, "dropped", len(drop))
	return nil
}

func (n *NetDB) loadOne(k, v []byte, now time.Time) (*data.RouterInfo, error) {
	if len(k) != data.HashSize || len(v) > i2np.MaxRouterInfoSize {
		return nil, ErrInvalid
	}
	ri, err := data.ParseRouterInfo(append([]byte(nil), v...))
	if err != nil {
		return nil, err
	}
	if h := ri.Hash(); string(h[:]) != string(k) {
		return nil, ErrInvalid
	}
	if id, ok := ri.NetID(); !ok || id != n.policy.NetID {
		return nil, ErrInvalid
	}
	if err := checkPublished(ri.Published(), now, MaxRouterInfoAge); err != nil {
		return nil, err
	}
	return ri, nil
}

// Handle takes a message from the router's dispatcher: DatabaseStore,
// DatabaseLookup and DatabaseSearchReply are queued for the worker (dropped
// when the queue is full) and reported handled; a DeliveryStatus is handled
// only when it confirms our publication, so others can go to tunnel tests.
// The payload is copied; Handle never blocks.
func (n *NetDB) Handle(from data.Hash, msg i2np.Message) bool {
	switch msg.Type {
	case i2np.TypeDeliveryStatus:
		ds, err := i2np.ParseDeliveryStatus(msg.Payload)
		return err == nil && n.confirmPublish(ds.MessageID)
	case i2np.TypeDatabaseStore, i2np.TypeDatabaseLookup, i2np.TypeDatabaseSearchReply:
	default:
		return false
	}
	n.heard.Store(n.clk.Now().UnixNano())
	if n.closed() {
		return true
	}
	msg.Payload = append([]byte(nil), msg.Payload...)
	select {
	case n.inbox <- inbound{from: from, msg: msg}:
	default:
		n.counter.inboxDropped.Add(1)
	}
	return true
}

// RouterInfo returns the RouterInfo of h, if known.
func (n *NetDB) RouterInfo(h data.Hash) (*data.RouterInfo, bool) {
	return n.tab.get(h)
}

// Routers returns the known RouterInfos accepted by keep (nil keeps all).
func (n *NetDB) Routers(keep func(*data.RouterInfo) bool) []*data.RouterInfo {
	n.tab.mu.RLock()
	defer n.tab.mu.RUnlock()
	out := make([]*data.RouterInfo, 0, len(n.tab.routers))
	for _, e := range n.tab.routers {
		if !e.bad && (keep == nil || keep(e.ri)) {
			out = append(out, e.ri)
		}
	}
	return out
}

// Add validates ri (as received from a transport, e.g. an NTCP2 RouterInfo
// block) and stores it if it is newer than the one held.
func (n *NetDB) Add(ri *data.RouterInfo) error {
	if ri.Hash() == n.cfg.Self {
		return fmt.Errorf("%w: our own routerinfo", ErrInvalid)
	}
	if err := ValidateRouterInfo(ri, ri.Hash(), n.clk.Now(), n.policy); err != nil {
		return err
	}
	_, err := n.addValid(ri)
	return err
}

// AddRaw parses a serialized RouterInfo and adds it as Add does.
func (n *NetDB) AddRaw(raw []byte) error {
	if len(raw) > i2np.MaxRouterInfoSize {
		return fmt.Errorf("%w: routerinfo of %d bytes", ErrInvalid, len(raw))
	}
	ri, err := data.ParseRouterInfo(append([]byte(nil), raw...))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return n.Add(ri)
}

// addValid stores a validated RouterInfo, persists it when due and wakes a
// lookup waiting for it. It reports whether the router was new.
func (n *NetDB) addValid(ri *data.RouterInfo) (bool, error) {
	res, err := n.tab.put(ri, n.clk.Now())
	if err == nil || errors.Is(err, ErrNotNewer) {
		n.pend.found(ri)
	}
	if err != nil {
		return false, err
	}
	if res.persist && n.batch != nil {
		h := ri.Hash()
		if err := n.batch.Put(Bucket, h[:], ri.Bytes()); err != nil {
			n.log.Warn("persisting routerinfo", "err", err)
		}
	}
	return res.added, nil
}

// MarkBad flags a router (for example one that failed too often); the next
// expiry pass drops it unless the database is too small.
func (n *NetDB) MarkBad(h data.Hash) { n.tab.markBad(h) }

// ClosestFloodfills returns up to n usable floodfills closest to the routing
// key of key today, nearest first, skipping ourselves and exclude.
func (n *NetDB) ClosestFloodfills(key data.Hash, count int, exclude map[data.Hash]bool) []data.Hash {
	cands := n.tab.floodfillHashes(exclude)
	for i, h := range cands {
		if h == n.cfg.Self {
			cands = append(cands[:i], cands[i+1:]...)
			break
		}
	}
	return Closest(RoutingKey(key, n.clk.Now()), cands, count)
}

// Stats returns a snapshot of the counters.
func (n *NetDB) Stats() Stats {
	r, f, l := n.tab.counts()
	c := &n.counter
	s := Stats{
		KnownRouters: r, Floodfills: f, LeaseSets: l,
		LookupsStarted: c.lookupsStarted.Load(), LookupsSucceeded: c.lookupsSucceeded.Load(),
		LookupsFailed: c.lookupsFailed.Load(), StoresReceived: c.storesReceived.Load(),
		StoresRejected: c.storesRejected.Load(), LookupsAnswered: c.lookupsAnswered.Load(),
		LookupsDropped: c.lookupsDropped.Load(), Explorations: c.explorations.Load(),
		InboxDropped: c.inboxDropped.Load(), Reseeds: c.reseeds.Load(),
		ReseedFailures: c.reseedFailures.Load(), ViaTunnels: c.viaTunnels.Load(),
		RepliesViaTunnels: c.repliesViaTunnels.Load(),
	}
	s.LastPublish, s.PublishConfirmed, s.PublishedTo = n.pend.publishState()
	return s
}

// randUint32 returns a random nonzero value for message ids and tokens.
func (n *NetDB) randUint32() uint32 {
	var b [4]byte
	n.randMu.Lock()
	defer n.randMu.Unlock()
	for {
		if _, err := io.ReadFull(n.rand, b[:]); err != nil {
			// A failing Rand is a broken configuration; fall back to
			// the clock rather than panic.
			return uint32(n.clk.Now().UnixNano()) | 1
		}
		if v := binary.BigEndian.Uint32(b[:]); v != 0 {
			return v
		}
	}
}

// randHash returns a random key for exploration.
func (n *NetDB) randHash() data.Hash {
	var h data.Hash
	for i := 0; i < data.HashSize; i += 4 {
		binary.BigEndian.PutUint32(h[i:], n.randUint32())
	}
	return h
}

// send encodes p and sends it to peer, directly or, when tunnel is nonzero,
// wrapped in a TunnelGateway message for that tunnel at peer.
func (n *NetDB) send(peer data.Hash, tunnel uint32, p i2np.Payload) error {
	msg, err := n.encode(p)
	if err != nil {
		return err
	}
	return n.sendMessage(peer, tunnel, msg)
}

// encode makes a message of p with a fresh id and the standard expiration.
func (n *NetDB) encode(p i2np.Payload) (i2np.Message, error) {
	msg, err := i2np.NewMessage(p, n.randUint32(), n.clk.Now().Add(i2np.ExpirationTimeout))
	if err != nil {
		return i2np.Message{}, fmt.Errorf("netdb: encode %v: %w", p.Type(), err)
	}
	return msg, nil
}

// sendMessage sends msg to peer, directly or, when tunnel is nonzero, wrapped
// in a TunnelGateway message for that tunnel at peer.
func (n *NetDB) sendMessage(peer data.Hash, tunnel uint32, msg i2np.Message) error {
	if tunnel != 0 {
		tg, err := i2np.NewTunnelGateway(tunnel, msg)
		if err != nil {
			return fmt.Errorf("netdb: wrap %v: %w", msg.Type, err)
		}
		if msg, err = i2np.NewMessage(tg, n.randUint32(), msg.Expiration); err != nil {
			return fmt.Errorf("netdb: wrap %v: %w", msg.Type, err)
		}
	}
	ctx, cancel := context.WithTimeout(n.ctx, sendTimeout)
	defer cancel()
	if err := n.cfg.Sender.SendMessage(ctx, peer, msg); err != nil {
		return fmt.Errorf("netdb: send %v: %w", msg.Type, err)
	}
	return nil
}
