package transit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel/build"
)

// Sender sends one I2NP message to a router, dialing it when needed. The
// router implements it (the same Sender the netdb uses).
type Sender interface {
	SendMessage(ctx context.Context, to data.Hash, msg i2np.Message) error
}

// Defaults, chosen for a gateway box with tens of megabytes of RAM.
const (
	// DefaultMaxTunnels is the transit tunnel limit (i2pd's default is
	// 5000 for routers with more room). 1000 idle tunnels cost about
	// 0.2 MB here (TestIdleTunnelMemory), and an i2pd router in a busy network carries a few
	// hundred; a tunnel that carries traffic costs about 1.5 KB (more for
	// an OBEP while it reassembles), which MemoryBudget bounds.
	DefaultMaxTunnels = 1000
	// DefaultShareKBps is the transit bandwidth share in KB/s above which
	// new tunnels are refused.
	DefaultShareKBps = 128
	// DefaultMemoryBudget bounds the estimated state of all transit
	// tunnels (see Cost).
	DefaultMemoryBudget = 8 << 20
	// DefaultBuildRate and DefaultBuildBurst limit the build requests we
	// decrypt per second, router-wide (one X25519 each).
	DefaultBuildRate  = 10
	DefaultBuildBurst = 50
	// DefaultHopRate and DefaultHopBurst limit the build requests per
	// second from one previous hop.
	DefaultHopRate  = 1
	DefaultHopBurst = 20
	// DefaultMaxHops bounds the per-hop limiter's table.
	DefaultMaxHops = 256
	// DefaultQueueSize is the capacity of the outgoing message queue
	// (about 1.1 KB per queued TunnelData).
	DefaultQueueSize = 256
	// DefaultWorkers is the number of goroutines calling Sender.
	DefaultWorkers = 2
	// DefaultSendTimeout bounds one Sender call.
	DefaultSendTimeout = 10 * time.Second
)

// Lifetimes and tolerances, as i2pd and Java I2P apply them.
const (
	// Lifetime is how long a transit tunnel lives after we accept it:
	// the spec's 10 minutes plus i2pd's one minute of grace
	// (TUNNEL_EXPIRATION_TIMEOUT, 660 s).
	Lifetime = 11 * time.Minute
	// ManageInterval is how often expired tunnels are removed (i2pd's
	// TUNNEL_MANAGE_INTERVAL).
	ManageInterval = 15 * time.Second
	// MaxRequestAge is how old a request time (minutes, rounded down) may
	// be (Java I2P's MAX_REQUEST_AGE_ECIES).
	MaxRequestAge = 8 * time.Minute
	// MaxRequestFuture is how far ahead a request time may be (Java I2P's
	// MAX_REQUEST_FUTURE).
	MaxRequestFuture = 5 * time.Minute
)

// Estimated state per transit tunnel in bytes, charged against
// Config.MemoryBudget: an active participant holds its AES layer (two key
// schedules), a gateway also its open body, an endpoint its reassembly
// bookkeeping. The bytes that outbound endpoints hold while they reassemble
// are not part of this cost: all of them draw from one shared budget of
// MemoryBudget/ReassemblyShare bytes, which admission keeps free.
const (
	CostParticipant      = 1536
	CostInboundGateway   = 3072
	CostOutboundEndpoint = 2048
	// ReassemblyShare: the shared OBEP reassembly budget is
	// MemoryBudget/ReassemblyShare.
	ReassemblyShare = 4
)

// Per-OBEP reassembly bounds: one message of the maximum size at a time.
const (
	obepMaxIncomplete   = 4
	obepIncompleteBytes = 64 << 10
	hopBucketIdle       = 10 * time.Minute
	outgoingExpiration  = i2np.ExpirationTimeout
)

// Config configures a Manager. Identity, Sender and WrapReply are
// required; a zero field means the default.
type Config struct {
	// Identity is our router hash and X25519 encryption key.
	Identity *build.Identity
	// Sender sends the messages we forward.
	Sender Sender
	// WrapReply garlic-encrypts the OutboundTunnelBuildReply of a short
	// build at the OBEP as an ECIES existing-session message with the
	// one-time key and tag from the request (tunnel-creation-ecies.rst
	// "Reply"); the router implements it with router/garlic.
	WrapReply func(key [32]byte, tag [build.GarlicTagSize]byte, msg i2np.Message) (i2np.Message, error)
	// Local receives messages an OBEP delivers to this router, and build
	// replies whose reply tunnel starts at this router but is not one of
	// our transit tunnels (then it is ours: a TunnelGateway message). Nil
	// drops them.
	Local func(msg i2np.Message)
	// InUse reports whether a tunnel id is taken by one of our own
	// tunnels; a request to receive on it is refused. Nil means none is.
	InUse func(id uint32) bool

	// MaxTunnels is the transit tunnel limit (limits.transittunnels);
	// 0 means DefaultMaxTunnels, negative refuses all transit tunnels.
	MaxTunnels int
	// ShareKBps is the transit bandwidth share; new tunnels are refused
	// while the measured transit rate exceeds it. 0 means
	// DefaultShareKBps, negative means no limit.
	ShareKBps int
	// MemoryBudget bounds the estimated transit state in bytes; 0 means
	// DefaultMemoryBudget, negative means no limit.
	MemoryBudget int64
	// BuildRate and BuildBurst limit build requests decrypted per second
	// router-wide; HopRate and HopBurst per previous hop; MaxHops bounds
	// the per-hop table. Zero means the default.
	BuildRate, BuildBurst float64
	HopRate, HopBurst     float64
	MaxHops               int

	// Filter is the replay filter for tunnel message IVs; nil means one
	// sized from the bandwidth share.
	Filter *i2np.DupFilter
	// QueueSize, Workers and SendTimeout shape the outgoing queue.
	QueueSize   int
	Workers     int
	SendTimeout time.Duration

	Clock  clock.Clock
	Rand   io.Reader // tunnel gateway IVs and padding; nil means crypto/rand
	Logger *slog.Logger
}

// ErrConfig means a required Config field is missing.
var ErrConfig = errors.New("transit: incomplete config")

func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Identity == nil:
		return c, fmt.Errorf("%w: no Identity", ErrConfig)
	case c.Sender == nil:
		return c, fmt.Errorf("%w: no Sender", ErrConfig)
	case c.WrapReply == nil:
		return c, fmt.Errorf("%w: no WrapReply", ErrConfig)
	}
	c.Clock = clock.Or(c.Clock)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Logger = c.Logger.With("component", "transit")
	if c.MaxTunnels == 0 {
		c.MaxTunnels = DefaultMaxTunnels
	}
	if c.ShareKBps == 0 {
		c.ShareKBps = DefaultShareKBps
	}
	if c.MemoryBudget == 0 {
		c.MemoryBudget = DefaultMemoryBudget
	}
	setDefault(&c.BuildRate, DefaultBuildRate)
	setDefault(&c.BuildBurst, DefaultBuildBurst)
	setDefault(&c.HopRate, DefaultHopRate)
	setDefault(&c.HopBurst, DefaultHopBurst)
	if c.MaxHops <= 0 {
		c.MaxHops = DefaultMaxHops
	}
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = DefaultSendTimeout
	}
	if c.Filter == nil {
		c.Filter = i2np.NewDupFilter(filterCapacity(c.ShareKBps))
	}
	return c, nil
}

func setDefault(v *float64, d float64) {
	if *v <= 0 {
		*v = d
	}
}

// filterCapacity sizes the IV filter for the bodies of one DupSlice at
// twice the share (a body is 1 KB), at least i2np's default.
func filterCapacity(shareKBps int) int {
	if shareKBps < 0 {
		return i2np.MaxDupFilterCapacity / 16
	}
	n := int64(shareKBps) * 2 * int64(i2np.DupSlice/time.Second)
	if n < i2np.DupFilterCapacity {
		return i2np.DupFilterCapacity
	}
	if n > i2np.MaxDupFilterCapacity {
		return i2np.MaxDupFilterCapacity
	}
	return int(n)
}
