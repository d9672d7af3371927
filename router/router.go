// Package router is the composition root of the I2P router: it owns the router's
// identity and data directory and starts the layers below it in order (store ->
// netdb -> transports -> tunnels -> destinations) and stops them in reverse. The LAN
// front-ends are left to gateway/, the command line and configuration to cmd/i2pgate.
package router

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
	"i2pgate/router/netdb"
	"i2pgate/router/netx"
	"i2pgate/router/store"
	"i2pgate/router/transport"
	"i2pgate/router/tunnel/pool"
	"i2pgate/router/tunnel/transit"
)

// skewResolution is the precision of the timestamps peers send (whole seconds):
// smaller clock offsets are noise.
const skewResolution = time.Second

// Version is the router.version published in our RouterInfo.
const Version = "0.9.58"

// File names in the data directory; router.keys, ntcp2.keys and router.info use
// i2pd's formats.
const (
	routerKeysFile = "router.keys"
	ntcp2KeysFile  = "ntcp2.keys"
	routerInfoFile = "router.info"
	databaseFile   = "i2pgate.db"
)

// Config is what the router needs from the configuration. Zero values of the
// injected dependencies mean the defaults.
type Config struct {
	DataDir       string
	NetID         int
	Host          string // public IP address to publish; empty: none yet
	Port          int    // 0: choose one at first start and keep it
	ReservedRange bool
	Floodfill     bool
	BandwidthKBps int
	BandwidthCaps byte // K L M N O P X
	NTCP2Enabled  bool
	NTCP2Port     int // 0: Port
	SSU2Enabled   bool

	ReseedURLs      []string
	ReseedFile      string
	ReseedCertsDir  string // empty: where Debian's i2pd package puts them
	ReseedThreshold int    // reseed below this many known routers; 0: the netdb's default
	// ReseedCommand downloads the reseed URLs (program and arguments, the
	// URL appended; see reseed.Command); empty: the built-in client.
	ReseedCommand []string
	// SNTPServers ("host" or "host:port") are asked for the time at start
	// and every few hours; their median offset seeds the clock until
	// peers' timestamps agree on one. Empty: no SNTP.
	SNTPServers []string

	TransitTunnels int // limits.transittunnels; 0: the default, negative: none
	// MemoryBytes is limits.memory: the memory the router may use; the
	// transit memory budget is scaled from it (0: the transit default).
	MemoryBytes int64
	// StorageRAM (storage.mode = "ram") keeps the netdb and the peer
	// profiles in memory only, sparing flash; keys and the gateway's
	// data still go to the data directory.
	StorageRAM bool
	// ExploratoryLength is the hop count of exploratory tunnels; 0 means the
	// pool's default (2).
	ExploratoryLength int
	// ReadHeap reads the live heap for the memory pressure monitor; nil
	// reads runtime/metrics' /gc/heap/live:bytes. FreeOSMemory returns
	// freed memory to the system under pressure; nil is
	// debug.FreeOSMemory.
	ReadHeap     func() uint64
	FreeOSMemory func()

	Network netx.Network // nil: the operating system's
	Logger  *slog.Logger // nil: discard
	Clock   clock.Clock  // nil: the system clock
	Rand    io.Reader    // nil: crypto/rand
}

// Router is one I2P router.
type Router struct {
	cfg  Config
	log  *slog.Logger
	clk  *clock.Skewed // the injected clock corrected by the skew peers report
	rand io.Reader

	keys       *data.PrivateKeys
	signer     data.Signer
	ntcp2      *ntcp2Keys
	db         store.Store // the data directory's database (bbolt)
	volatile   store.Store // netdb and peer profiles: db, or memory in RAM storage mode
	netdb      *netdb.NetDB
	transports *transport.Manager
	pools      *pool.Manager
	ntun       *netdbTunnels // the netdb's way through the pools
	transit    *transit.Manager
	dups       *i2np.DupFilter
	press      *pressure // the memory pressure monitor

	garlic        *garlic.Decrypter
	garlicReplies *garlic.ReplyTable

	// dests are the local destinations; shared is the one Router.Dial
	// uses, made on first use.
	dests struct {
		sync.Mutex
		list   []*Destination
		shared *Destination
	}

	outq   chan outbound
	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	counters struct {
		expired, duplicate, unhandled, unknownTunnel, badGarlic, sendDropped, sendFailed atomic.Uint64
		garlicReplies                                                                    atomic.Uint64
	}

	// state guards the fields below it.
	state struct {
		sync.Mutex
		started   bool
		startedAt time.Time
		closed    bool
		ri        *data.RouterInfo
	}
	closeOnce sync.Once
	closeErr  error
}

// New checks the configuration; nothing is read or written before Start.
func New(cfg Config) (*Router, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("router: no data directory")
	}
	if cfg.NetID < 1 || cfg.NetID > 255 {
		return nil, fmt.Errorf("router: netid %d out of range 1..255", cfg.NetID)
	}
	if cfg.BandwidthCaps == 0 {
		cfg.BandwidthCaps = 'L'
	}
	r := &Router{cfg: cfg, log: cfg.Logger, clk: clock.NewSkewed(clock.Or(cfg.Clock), &clock.SkewOptions{Resolution: skewResolution, QuickAgree: clockSkewLimit}), rand: cfg.Rand,
		dups: i2np.NewDupFilter(i2np.DupFilterCapacity), outq: make(chan outbound, sendQueueSize)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.press = newPressure(&cfg)
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.log = r.log.With("component", "router")
	if r.rand == nil {
		r.rand = rand.Reader
	}
	return r, nil
}

// Start creates or loads the identity, opens the database, writes the
// RouterInfo to the data directory, starts the netdb and the transports and
// publishes the RouterInfo. Call Close after Start, also when it fails, and not
// while it runs.
func (r *Router) Start(ctx context.Context) error {
	r.state.Lock()
	switch {
	case r.state.closed:
		r.state.Unlock()
		return errors.New("router: closed")
	case r.state.started:
		r.state.Unlock()
		return errors.New("router: already started")
	}
	r.state.started = true
	r.state.Unlock()

	if err := os.MkdirAll(r.cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("router: data directory: %w", err)
	}
	if err := r.loadIdentity(); err != nil {
		return err
	}
	db, err := store.Open(filepath.Join(r.cfg.DataDir, databaseFile), nil)
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	r.db = db
	r.volatile = db
	if r.cfg.StorageRAM {
		r.volatile = store.NewMemory()
	}
	ri, err := r.buildRouterInfo()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(r.cfg.DataDir, routerInfoFile), ri.Bytes(), 0o644); err != nil {
		return err
	}
	r.state.Lock()
	r.state.ri = ri
	r.state.startedAt = r.clk.Base().Now() // uptime is not moved by clock corrections
	r.state.Unlock()
	r.log.Info("identity ready", "router_hash", ri.Hash().String(), "caps", ri.Caps())
	if err := r.startNetwork(); err != nil {
		return err
	}
	r.startMemoryWatch()
	return nil
}

// Close stops everything Start started. It is idempotent.
func (r *Router) Close() error {
	r.closeOnce.Do(func() {
		r.state.Lock()
		r.state.closed = true
		r.state.Unlock()
		r.dests.Lock()
		dests := append([]*Destination(nil), r.dests.list...)
		r.dests.Unlock()
		for _, d := range dests {
			d.Close()
		}
		r.cancel()
		r.wg.Wait()
		var errs []error
		if r.pools != nil {
			errs = append(errs, r.pools.Close())
		}
		if r.transit != nil {
			errs = append(errs, r.transit.Close())
		}
		if r.transports != nil {
			errs = append(errs, r.transports.Close())
		}
		if r.netdb != nil {
			errs = append(errs, r.netdb.Close())
		}
		if r.db != nil {
			errs = append(errs, r.db.Close())
		}
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}

// Hash is the router's identity hash; zero before Start.
func (r *Router) Hash() data.Hash {
	if ri := r.RouterInfo(); ri != nil {
		return ri.Hash()
	}
	return data.Hash{}
}

// RouterInfo is the current signed RouterInfo; nil before Start.
func (r *Router) RouterInfo() *data.RouterInfo {
	r.state.Lock()
	defer r.state.Unlock()
	return r.state.ri
}

// Store is the data directory's database, for the gateway's own buckets
// (address book, automap); nil before Start.
func (r *Router) Store() store.Store { return r.db }
