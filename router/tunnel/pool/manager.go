package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/store"
)

// Errors of the Manager.
var (
	ErrClosed    = errors.New("pool: closed")
	ErrQueueFull = errors.New("pool: send queue full")
)

// Manager owns the exploratory pool and the client pools: it builds their
// tunnels, tests and replaces them, carries messages into its outbound
// tunnels and out of its inbound ones.
type Manager struct {
	cfg      Config
	clk      clock.Clock
	rnd      io.Reader
	log      *slog.Logger
	profiles *Profiles
	batch    *store.Batcher // nil without Store
	explore  *Pool
	sendq    chan outgoing

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	start  sync.Once
	close  sync.Once

	mu struct {
		sync.Mutex
		// The fields below are guarded by mu.
		started, closed bool
		pools           []*Pool
		pending         map[uint32]*pendingBuild // by reply message ID
		inbound         map[uint32]*Tunnel       // by our receive tunnel ID
		probes          map[uint32]*probe        // by DeliveryStatus ID
		// bootstrap is the zero-hop receive tunnel ID that carries
		// outbound build replies while we have no inbound tunnel.
		bootstrap uint32
		stats     counters
	}
}

type outgoing struct {
	to  data.Hash
	msg i2np.Message
}

// New returns a Manager with its exploratory pool; it loads the stored
// peer profiles. Nothing runs before Start.
func New(cfg Config) (*Manager, error) {
	if cfg.Peers == nil || cfg.Sender == nil {
		return nil, errors.New("pool: Config.Peers and Config.Sender are required")
	}
	m := &Manager{cfg: cfg, clk: clock.Or(cfg.Clock), rnd: randOr(cfg.Rand), log: cfg.Logger}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.log = m.log.With("component", "tunnel.pool")
	if cfg.Store != nil {
		bo := store.BatchOptions{Interval: ProfileFlushInterval}
		if cfg.Batch != nil {
			bo = *cfg.Batch
			if bo.Interval <= 0 {
				bo.Interval = ProfileFlushInterval
			}
		}
		m.batch = store.NewBatcher(cfg.Store, &bo)
	}
	m.profiles = NewProfiles(m.batch)
	if cfg.Store != nil {
		if err := m.profiles.Load(cfg.Store); err != nil {
			_ = m.batch.Close()
			return nil, err
		}
	}
	boot, err := randUint32(m.rnd)
	if err != nil {
		return nil, err
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.sendq = make(chan outgoing, SendQueueSize)
	m.mu.pending = make(map[uint32]*pendingBuild)
	m.mu.inbound = make(map[uint32]*Tunnel)
	m.mu.probes = make(map[uint32]*probe)
	m.mu.bootstrap = boot
	ex := DefaultExploratory()
	if cfg.Exploratory != nil {
		ex = *cfg.Exploratory
		ex.IsExploratory = true
	}
	m.explore = m.addPool(ex)
	return m, nil
}

// Profiles returns the peer profiles the Manager keeps.
func (m *Manager) Profiles() *Profiles { return m.profiles }

// Exploratory returns the exploratory pool.
func (m *Manager) Exploratory() *Pool { return m.explore }

// NewClientPool adds a client pool (for a destination); its tunnels are
// built from the next maintenance pass on. Pool.Close removes it.
func (m *Manager) NewClientPool(cfg PoolConfig) *Pool {
	cfg.IsExploratory = false
	return m.addPool(cfg)
}

func (m *Manager) addPool(cfg PoolConfig) *Pool {
	p := &Pool{m: m, cfg: cfg}
	m.mu.Lock()
	m.mu.pools = append(m.mu.pools, p)
	m.mu.Unlock()
	return p
}

// Start starts the maintenance loop and the send workers and runs a first
// maintenance pass.
func (m *Manager) Start() error {
	m.mu.Lock()
	closed := m.mu.closed
	m.mu.started = !closed
	m.mu.Unlock()
	if closed {
		return ErrClosed
	}
	m.start.Do(func() {
		for range SendWorkers {
			m.wg.Add(1)
			go m.sendLoop()
		}
		ticker := m.clk.NewTicker(ManageInterval)
		m.wg.Add(1)
		go m.loop(ticker)
	})
	return nil
}

// Close stops building and testing, waits for the goroutines and flushes
// the profiles. It is idempotent.
func (m *Manager) Close() error {
	var err error
	m.close.Do(func() {
		m.mu.Lock()
		m.mu.closed = true
		m.mu.Unlock()
		m.cancel()
		m.wg.Wait()
		if m.batch != nil {
			err = m.batch.Close()
		}
	})
	return err
}

// loop runs the maintenance pass at once and then every ManageInterval.
func (m *Manager) loop(ticker clock.Ticker) {
	defer m.wg.Done()
	defer ticker.Stop()
	m.maintain()
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-ticker.C():
			m.maintain()
		}
	}
}

// sendLoop hands queued messages to the Sender.
func (m *Manager) sendLoop() {
	defer m.wg.Done()
	for {
		select {
		case <-m.ctx.Done():
			return
		case o := <-m.sendq:
			ctx, cancel := context.WithTimeout(m.ctx, SendTimeout)
			err := m.cfg.Sender.SendMessage(ctx, o.to, o.msg)
			cancel()
			if err != nil {
				m.mu.Lock()
				m.mu.stats.sendErrors++
				m.mu.Unlock()
				m.log.Debug("send failed", "type", o.msg.Type, "err", err)
			}
		}
	}
}

// send queues msg for router to, or handles it here when to is us (a
// zero-hop tunnel of ours is its target). It never blocks.
func (m *Manager) send(to data.Hash, msg i2np.Message) error {
	if to == m.cfg.Self {
		m.receiveDirect(msg)
		return nil
	}
	select {
	case m.sendq <- outgoing{to: to, msg: msg}:
		return nil
	default:
		return fmt.Errorf("%w (%d)", ErrQueueFull, SendQueueSize)
	}
}

// receiveDirect handles a message addressed to this router by one of our
// own zero-hop paths.
func (m *Manager) receiveDirect(msg i2np.Message) {
	if msg.Type == i2np.TypeTunnelGateway {
		if tg, err := i2np.ParseTunnelGateway(msg.Payload); err == nil && m.HandleTunnelGateway(m.cfg.Self, tg) {
			return
		}
	}
	m.receive(nil, msg)
}

// receive consumes a message that reached us through an inbound tunnel of
// pool p (nil: not known): our tests and build replies are ours, the rest
// goes to the pool's Deliver or else Config.Deliver.
func (m *Manager) receive(p *Pool, msg i2np.Message) {
	switch msg.Type {
	case i2np.TypeDeliveryStatus:
		if m.HandleDeliveryStatus(msg) {
			return
		}
	case i2np.TypeVariableTunnelBuildReply, i2np.TypeOutboundTunnelBuildReply:
		if m.HandleBuildReply(m.cfg.Self, msg) {
			return
		}
	}
	if p != nil && p.cfg.Deliver != nil {
		p.cfg.Deliver(msg)
		return
	}
	if m.cfg.Deliver != nil {
		m.cfg.Deliver(msg)
	}
}

// ReceiveInUse reports whether id is a tunnel ID we receive on, or will once a
// pending inbound build completes: the transit side refuses requests to
// receive on it, so a participating tunnel never shadows one of ours.
func (m *Manager) ReceiveInUse(id uint32) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id == m.mu.bootstrap {
		return true
	}
	if _, ok := m.mu.inbound[id]; ok {
		return true
	}
	for _, pb := range m.mu.pending {
		if pb.inbound && pb.p.EndpointTunnel == id {
			return true
		}
	}
	return false
}
