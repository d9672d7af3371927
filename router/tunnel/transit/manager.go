package transit

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
)

// Manager runs this router's transit tunnels. Its Handle methods are
// safe for concurrent use and never block on the network.
type Manager struct {
	cfg     Config
	lim     *limiter
	meter   meter
	obepCfg tunnel.Config
	reasm   *tunnel.Budget // OBEP reassembly bytes, shared by all OBEPs
	c       counters

	// mu guards tunnels and memory, the sum of their estimated costs.
	mu      sync.RWMutex
	tunnels map[uint32]*transitTunnel
	memory  int64
	// overloaded refuses new tunnels while the router is short of memory
	// (SetOverloaded).
	overloaded atomic.Bool

	out    chan outgoing
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// life guards started and closed.
	life    sync.Mutex
	started bool
	closed  atomic.Bool
}

type outgoing struct {
	to  data.Hash
	msg i2np.Message
}

// New returns a Manager for cfg; it handles messages at once and sends
// them once started.
func New(cfg Config) (*Manager, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	reasm := tunnel.NewBudget(max(cfg.MemoryBudget, 0) / ReassemblyShare)
	return &Manager{
		cfg:   cfg,
		lim:   newLimiter(&cfg),
		reasm: reasm,
		obepCfg: tunnel.Config{
			Clock:              cfg.Clock,
			MaxIncomplete:      obepMaxIncomplete,
			MaxIncompleteBytes: obepIncompleteBytes,
			Filter:             cfg.Filter,
			Shared:             reasm,
		},
		tunnels: make(map[uint32]*transitTunnel),
		out:     make(chan outgoing, cfg.QueueSize),
		ctx:     ctx,
		cancel:  cancel,
	}, nil
}

// Start starts the senders and the expiry loop. It is idempotent; a
// closed Manager does not start again.
func (m *Manager) Start() error {
	m.life.Lock()
	defer m.life.Unlock()
	if m.started || m.closed.Load() {
		return nil
	}
	m.started = true
	for range m.cfg.Workers {
		m.wg.Go(m.sendLoop)
	}
	ticker := m.cfg.Clock.NewTicker(ManageInterval)
	m.wg.Go(func() {
		defer ticker.Stop()
		for {
			select {
			case <-m.ctx.Done():
				return
			case <-ticker.C():
				m.manage()
			}
		}
	})
	return nil
}

// Close stops the goroutines, waits for them and drops every transit
// tunnel. It is idempotent.
func (m *Manager) Close() error {
	m.life.Lock()
	defer m.life.Unlock()
	if m.closed.Swap(true) {
		return nil
	}
	m.cancel()
	m.wg.Wait()
	m.mu.Lock()
	clear(m.tunnels)
	m.memory = 0
	m.mu.Unlock()
	return nil
}

func (m *Manager) sendLoop() {
	for {
		select {
		case <-m.ctx.Done():
			return
		case o := <-m.out:
			ctx, cancel := context.WithTimeout(m.ctx, m.cfg.SendTimeout)
			err := m.cfg.Sender.SendMessage(ctx, o.to, o.msg)
			cancel()
			if err != nil {
				m.c.msgDropped.Add(1)
				m.cfg.Logger.Debug("send failed", "type", o.msg.Type, "err", err)
			}
		}
	}
}

// send queues msg for router to without blocking; it reports false,
// counting the drop, when the queue is full or the Manager closed.
func (m *Manager) send(to data.Hash, msg i2np.Message) bool {
	if m.closed.Load() {
		m.c.msgDropped.Add(1)
		return false
	}
	select {
	case m.out <- outgoing{to, msg}:
		m.c.forwarded.Add(1)
		return true
	default:
		m.c.msgDropped.Add(1)
		return false
	}
}

// manage removes expired tunnels, lets idle endpoints drop stale
// fragments and forgets idle hops.
func (m *Manager) manage() {
	now := m.cfg.Clock.Now()
	m.Expire(now)
	m.lim.expire(now)
}

// Expire removes the tunnels whose lifetime ended by now. The expiry
// loop calls it every ManageInterval.
func (m *Manager) Expire(now time.Time) {
	var obeps []*tunnel.OutboundEndpoint
	m.mu.Lock()
	for id, t := range m.tunnels {
		if t.expired(now) {
			m.removeLocked(id, t)
			m.c.expired.Add(1)
			continue
		}
		if e := t.obep.Load(); e != nil {
			obeps = append(obeps, e)
		}
	}
	m.mu.Unlock()
	for _, e := range obeps {
		e.Expire()
	}
}

func (m *Manager) removeLocked(id uint32, t *transitTunnel) {
	delete(m.tunnels, id)
	m.memory -= t.role.cost()
	if e := t.obep.Load(); e != nil {
		e.Release()
	}
}

func (m *Manager) remove(id uint32, t *transitTunnel) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tunnels[id] == t {
		m.removeLocked(id, t)
	}
}

func (m *Manager) lookup(id uint32) *transitTunnel {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.tunnels[id]
}

// Stats returns the counters and the current tunnel counts.
func (m *Manager) Stats() Stats {
	var s Stats
	m.c.fill(&s)
	s.RateBps = m.meter.rate(m.cfg.Clock.Now())
	m.mu.RLock()
	defer m.mu.RUnlock()
	s.Tunnels = len(m.tunnels)
	s.EstimatedMemory = m.memory + m.reasm.Used()
	for _, t := range m.tunnels {
		switch t.role {
		case RoleParticipant:
			s.Participants++
		case RoleInboundGateway:
			s.InboundGateways++
		case RoleOutboundEndpoint:
			s.OutboundEndpoints++
		}
	}
	return s
}

// Tunnels lists the transit tunnels by receive tunnel id.
func (m *Manager) Tunnels() []Info {
	m.mu.RLock()
	list := make([]Info, 0, len(m.tunnels))
	for _, t := range m.tunnels {
		list = append(list, t.info())
	}
	m.mu.RUnlock()
	sort.Slice(list, func(i, j int) bool { return list[i].ReceiveTunnel < list[j].ReceiveTunnel })
	return list
}
