package destination

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/garlic"
	"i2pgate/router/garlic/ratchet"
	"i2pgate/router/i2np"
	"i2pgate/router/netdb"
	"i2pgate/router/tunnel"
	"i2pgate/router/tunnel/pool"
)

// Tunnels is what a destination needs of the router's tunnel pools
// (satisfied by *pool.Manager).
type Tunnels interface {
	NewClientPool(cfg pool.PoolConfig) *pool.Pool
	SendThrough(t *pool.Tunnel, msg i2np.Message, to tunnel.Delivery) error
}

// NetDB is what a destination needs of the network database (satisfied by
// *netdb.NetDB).
type NetDB interface {
	ClosestFloodfills(key data.Hash, count int, exclude map[data.Hash]bool) []data.Hash
	RouterInfo(h data.Hash) (*data.RouterInfo, bool)
	LookupLeaseSet(ctx context.Context, h data.Hash) (*netdb.LeaseSet, error)
}

// Sessions is the end-to-end encryption of this destination's garlic: the
// ECIES-X25519-AEAD-Ratchet sessions of router/garlic/ratchet (satisfied by
// *ratchet.Manager), keyed by the remote's X25519 lease set key.
type Sessions interface {
	// Encrypt returns the body of a Garlic message carrying blocks to
	// the owner of remote.
	Encrypt(remote *crypto.X25519PublicKey, blocks []garlic.Block) ([]byte, error)
	// Decrypt opens the body of a Garlic message sent to us.
	Decrypt(body []byte) (ratchet.Decrypted, error)
	// Tick expires idle sessions and old tags.
	Tick()
}

// Limits and timing; low-memory defaults after i2pd (Destination.h).
const (
	// MaxRemoteLeaseSets bounds the cache of remote lease sets.
	MaxRemoteLeaseSets = 256
	// LookupTimeout bounds a remote lease set lookup.
	LookupTimeout = 15 * time.Second
	// PublishConfirmTimeout is how long a floodfill has to confirm our
	// store (i2pd PUBLISH_CONFIRMATION_TIMEOUT).
	PublishConfirmTimeout = 5 * time.Second
	// PublishRetry is the wait after a round in which no floodfill
	// confirmed (i2pd PUBLISH_REGULAR_VERIFICATION_INTERNAL is longer;
	// a quick retry is what avoids 2.45.1's unpublished eepsites).
	PublishRetry = 10 * time.Second
	// PublishVerifyDelay is when a confirmed publication is checked by
	// a lookup (i2pd PUBLISH_VERIFICATION_TIMEOUT).
	PublishVerifyDelay = 10 * time.Second
	// RepublishInterval republishes an unchanged lease set (i2pd
	// PUBLISH_REGULAR_VERIFICATION_INTERNAL is 100 s with verify).
	RepublishInterval = 5 * time.Minute
	// checkInterval is how often the inbound tunnels are compared with
	// the published lease set.
	checkInterval = 2 * time.Second
	// maxPublishFloodfills is how many floodfills one round tries.
	maxPublishFloodfills = 3
	// leaseMargin: leases ending sooner are left out.
	leaseMargin = 30 * time.Second
	// messageExpiration is the expiration of the messages we send.
	messageExpiration = 60 * time.Second
	// maxLeaseSetBundleAge: our lease set is bundled into messages to a
	// remote until it has seen the current one for this long.
	maxLeaseSetBundleAge = 2 * time.Minute
)

// Config configures a Destination.
type Config struct {
	// Name is the destination's name (the [tunnels.NAME] section) for
	// logs and status.
	Name string
	// Keys are the destination's keys. Required.
	Keys *data.PrivateKeys
	// Pool configures the client tunnels (Deliver is set here).
	Pool pool.PoolConfig
	// Tunnels, NetDB and Sessions are required.
	Tunnels  Tunnels
	NetDB    NetDB
	Sessions Sessions
	// WrapForRouter garlic-encrypts a message to a router (our lease set
	// store to a floodfill), so the outbound endpoint cannot read it.
	// Required.
	WrapForRouter func(ri *data.RouterInfo, msg i2np.Message) (i2np.Message, error)
	// Receive takes the payload of every Data message sent to us: an
	// I2CP payload (gzip-framed with ports and protocol). It must not
	// block for long.
	Receive func(payload []byte)
	// Other takes what arrives through our inbound tunnels but is not
	// ours: garlic our sessions cannot open (the router's one-time
	// replies, such as outbound build replies routed through our
	// tunnels) and other messages. Nil drops them.
	Other func(msg i2np.Message)
	// Publish turns lease set publication on (servers); a client-only
	// destination can leave it off, as i2pd's i2cp.dontPublishLeaseSet.
	Publish bool

	Clock  clock.Clock
	Rand   io.Reader
	Logger *slog.Logger
}

// Destination is one local client destination.
type Destination struct {
	cfg    Config
	clk    clock.Clock
	rnd    io.Reader
	log    *slog.Logger
	hash   data.Hash
	signer data.Signer
	encKey crypto.X25519KeyPair
	pool   *pool.Pool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	start  sync.Once
	close  sync.Once

	mu struct {
		sync.Mutex
		// Guarded by mu.
		closed    bool
		local     *data.LeaseSet2 // our current lease set (nil: none yet)
		published bool            // a floodfill confirmed local
		token     uint32          // reply token of the store in flight
		remotes   map[data.Hash]*remote
		lookups   map[data.Hash]*lookupCall
		stats     Stats
	}
	confirmed chan uint32
	changed   chan struct{}
}

// Stats counts what a destination did.
type Stats struct {
	LeaseSetPublished bool   `json:"leaseset_published"`
	Publications      uint64 `json:"publications"`
	PublishFailures   uint64 `json:"publish_failures"`
	MessagesSent      uint64 `json:"messages_sent"`
	MessagesReceived  uint64 `json:"messages_received"`
	SendFailures      uint64 `json:"send_failures"`
	DecryptFailures   uint64 `json:"decrypt_failures"`
	RemoteLeaseSets   int    `json:"remote_leasesets"`
}

// New returns a Destination; its tunnels are built and its lease set
// published from Start on.
func New(cfg Config) (*Destination, error) {
	if cfg.Keys == nil || cfg.Tunnels == nil || cfg.NetDB == nil || cfg.Sessions == nil || cfg.WrapForRouter == nil {
		return nil, errors.New("destination: Keys, Tunnels, NetDB, Sessions and WrapForRouter are required")
	}
	signer, err := cfg.Keys.Signer()
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	enc, err := EncryptionKey(cfg.Keys)
	if err != nil {
		return nil, err
	}
	d := &Destination{cfg: cfg, clk: clock.Or(cfg.Clock), rnd: cfg.Rand, log: cfg.Logger,
		hash: cfg.Keys.Destination().Hash(), signer: signer, encKey: enc,
		confirmed: make(chan uint32, 1), changed: make(chan struct{}, 1)}
	if d.rnd == nil {
		d.rnd = rand.Reader
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	d.log = d.log.With("component", "destination", "name", cfg.Name)
	d.mu.remotes = make(map[data.Hash]*remote)
	d.mu.lookups = make(map[data.Hash]*lookupCall)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d, nil
}

// Hash is the destination hash (its .b32.i2p address).
func (d *Destination) Hash() data.Hash { return d.hash }

// Address is the destination's b32 address.
func (d *Destination) Address() string { return data.B32Address(d.hash) }

// Identity is the destination's public identity.
func (d *Destination) Identity() *data.Destination { return d.cfg.Keys.Destination() }

// Signer signs for the destination (streaming SYNs, repliable datagrams).
func (d *Destination) Signer() data.Signer { return d.signer }

// EncryptionKeyPair is the X25519 key pair its lease set offers; the
// ratchet sessions decrypt with it.
func (d *Destination) EncryptionKeyPair() crypto.X25519KeyPair { return d.encKey }

// Start creates the client pool and starts the publisher.
func (d *Destination) Start() error {
	d.mu.Lock()
	closed := d.mu.closed
	d.mu.Unlock()
	if closed {
		return ErrClosed
	}
	d.start.Do(func() {
		pc := d.cfg.Pool
		pc.Deliver = d.deliver
		d.pool = d.cfg.Tunnels.NewClientPool(pc)
		d.wg.Add(1)
		go d.maintain()
	})
	return nil
}

// Close removes the client pool and stops the publisher. It is idempotent.
func (d *Destination) Close() error {
	d.close.Do(func() {
		d.mu.Lock()
		d.mu.closed = true
		for _, c := range d.mu.lookups {
			c.finish(nil, ErrClosed)
		}
		d.mu.Unlock()
		d.cancel()
		d.wg.Wait()
		if d.pool != nil {
			d.pool.Close()
		}
	})
	return nil
}

// Stats returns a snapshot of the counters.
func (d *Destination) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.mu.stats
	s.LeaseSetPublished = d.mu.published
	s.RemoteLeaseSets = len(d.mu.remotes)
	return s
}

// Ready reports whether the destination has an inbound and an outbound
// tunnel.
func (d *Destination) Ready() bool {
	if d.pool == nil {
		return false
	}
	_, in := d.pool.Pick(true)
	_, out := d.pool.Pick(false)
	return in && out
}

func (d *Destination) randUint32() uint32 {
	var b [4]byte
	for {
		if _, err := io.ReadFull(d.rnd, b[:]); err != nil {
			return uint32(d.clk.Now().UnixNano()) | 1
		}
		if v := binary.BigEndian.Uint32(b[:]); v != 0 {
			return v
		}
	}
}

// newMessage makes an I2NP message of p with a fresh ID.
func (d *Destination) newMessage(p i2np.Payload) (i2np.Message, error) {
	msg, err := i2np.NewMessage(p, d.randUint32(), d.clk.Now().Add(messageExpiration))
	if err != nil {
		return i2np.Message{}, fmt.Errorf("destination: %w", err)
	}
	return msg, nil
}

// Tunnels returns the destination's client tunnels (nil before Start).
func (d *Destination) Tunnels() (in, out []*pool.Tunnel) {
	if d.pool == nil {
		return nil, nil
	}
	return d.pool.Inbound(), d.pool.Outbound()
}
