package pool

import (
	"context"
	"io"
	"log/slog"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/store"
	"i2pgate/router/tunnel/build"
)

// Timing, after i2pd (Tunnel.h, TunnelPool.h) where noted.
const (
	// Lifetime is how long a tunnel lives: the build request expiration
	// (build.DefaultExpiration) counted from the request time, which the
	// record rounds down to the minute.
	Lifetime = build.DefaultExpiration * time.Second
	// RebuildBefore is how long before expiry a replacement is built
	// (i2pd TUNNEL_RECREATION_THRESHOLD).
	RebuildBefore = 90 * time.Second
	// RetireBefore is how long before expiry a tunnel stops being chosen
	// for new traffic (i2pd TUNNEL_EXPIRATION_THRESHOLD).
	RetireBefore = time.Minute
	// BuildTimeout is how long a build waits for its reply
	// (i2pd TUNNEL_CREATION_TIMEOUT).
	BuildTimeout = 30 * time.Second
	// ManageInterval is the period of the maintenance pass.
	ManageInterval = 5 * time.Second
	// TestInterval is the period of tunnel tests, and how long a test
	// waits for its DeliveryStatus (i2pd TUNNEL_POOL_MANAGE_INTERVAL: an
	// unanswered test fails at the next round).
	TestInterval = 10 * time.Second
	// MaxTestFailures consecutive failed tests remove a tunnel (i2pd
	// marks it TestFailed, then Failed at the second).
	MaxTestFailures = 2
	// SendTimeout bounds one Sender.SendMessage call.
	SendTimeout = 10 * time.Second
)

// Bounds; low-memory defaults.
const (
	// MaxPoolBuilds bounds the builds in flight per pool
	// (i2pd TUNNEL_POOL_MAX_NUM_BUILD_REQUESTS).
	MaxPoolBuilds = 3
	// MaxBuilds bounds the builds in flight across all pools.
	MaxBuilds = 8
	// MaxLength is the longest tunnel we build.
	MaxLength = 7
	// MaxQuantity bounds Quantity+Backup per side
	// (i2pd TUNNEL_POOL_MAX_*_TUNNELS_QUANTITY).
	MaxQuantity = 16
	// SendQueueSize bounds the messages waiting for the Sender.
	SendQueueSize = 256
	// SendWorkers is the number of goroutines calling the Sender.
	SendWorkers = 2
	// RateWindow is the number of recent builds BuildSuccessRate covers.
	RateWindow = 32
)

// Exploratory defaults.
const (
	DefaultLength   = 2
	DefaultQuantity = 2
)

// PeerSource is the network database as seen by peer selection.
type PeerSource interface {
	// Routers returns the known RouterInfos for which keep is true.
	Routers(keep func(*data.RouterInfo) bool) []*data.RouterInfo
	// RouterInfo returns the RouterInfo of h.
	RouterInfo(h data.Hash) (*data.RouterInfo, bool)
}

// Sender sends an I2NP message to a router, dialing it when needed.
type Sender interface {
	SendMessage(ctx context.Context, to data.Hash, msg i2np.Message) error
}

// Side configures the tunnels of one direction of a pool.
type Side struct {
	// Length is the number of hops (0 to MaxLength; 0 makes zero-hop
	// tunnels that need no build).
	Length int
	// LengthVariance adds a random 0..v hops when positive, -|v|..+|v|
	// when negative (as Java I2P's tunnel.lengthVariance).
	LengthVariance int
	// Quantity is the number of tunnels to keep; 0 means DefaultQuantity.
	Quantity int
	// Backup is the number of extra tunnels kept on top of Quantity.
	Backup int
}

// PoolConfig configures a pool: its inbound and outbound tunnels.
type PoolConfig struct {
	Inbound, Outbound Side
	// IsExploratory marks the router's exploratory pool: any usable peer
	// may be a hop. Client pools prefer high-bandwidth peers.
	IsExploratory bool
	// Deliver, when set, receives the messages that leave this pool's
	// inbound tunnels (a client destination's traffic) instead of
	// Config.Deliver. Tunnel tests and build replies never reach it.
	Deliver func(i2np.Message) `json:"-"`
}

// DefaultExploratory is the exploratory pool configuration: 2 inbound and
// 2 outbound tunnels of 2 hops.
func DefaultExploratory() PoolConfig {
	s := Side{Length: DefaultLength, Quantity: DefaultQuantity}
	return PoolConfig{Inbound: s, Outbound: s, IsExploratory: true}
}

// Config configures a Manager. Peers and Sender are required.
type Config struct {
	// Self is our router hash.
	Self data.Hash
	// Peers supplies the candidate hops.
	Peers PeerSource
	// Sender sends build requests and tunnel messages to their first hop.
	Sender Sender
	// Deliver receives the messages that leave our inbound tunnels for
	// us (LOCAL delivery) and that the pool does not consume itself (its
	// own tests and unwrapped build replies): typically garlic messages,
	// DatabaseStores, DatabaseSearchReplies, client data. nil drops them.
	// It is called without locks held and may call back into the Manager.
	Deliver func(i2np.Message)
	// ExpectGarlicReply registers, before a short outbound build is sent,
	// the one-time key and tag with which its outbound endpoint
	// garlic-encrypts the OutboundTunnelBuildReply; the router decrypts
	// that reply and passes the inner type 26 message to HandleBuildReply.
	// nil leaves short outbound builds to time out.
	ExpectGarlicReply func(key [32]byte, tag [build.GarlicTagSize]byte)
	// WrapBuild, if set, garlic-wraps an inbound tunnel's build request
	// for its first hop (the inbound gateway) before it leaves through one
	// of our outbound tunnels, as i2pd does; nil sends it unwrapped.
	WrapBuild func(to *data.RouterInfo, msg i2np.Message) (i2np.Message, error)
	// Exclude, if set, keeps routers out of our tunnels (banned peers,
	// peers of our own family); see Selection.Exclude.
	Exclude func(data.Hash) bool
	// Exploratory configures the exploratory pool; nil means
	// DefaultExploratory().
	Exploratory *PoolConfig
	// Store persists peer profiles (bucket ProfileBucket); nil keeps them
	// in memory only.
	Store store.Store
	// Batch tunes the profile writes (nil or zero Interval:
	// ProfileFlushInterval; other zero fields: store defaults).
	Batch *store.BatchOptions
	// Filter is the router-wide replay filter for bodies arriving at our
	// inbound tunnels; nil disables it.
	Filter *i2np.DupFilter
	// Clock, Rand and Logger: nil means clock.System(), crypto/rand and
	// a discarding logger.
	Clock  clock.Clock
	Rand   io.Reader
	Logger *slog.Logger
}

// length draws a tunnel length from s.
func (s Side) length(r io.Reader) (int, error) {
	n := s.Length
	if v := s.LengthVariance; v != 0 {
		span := v
		if v < 0 {
			span = -2 * v
		}
		x, err := randUint32(r)
		if err != nil {
			return 0, err
		}
		add := int(x % uint32(span+1))
		if v < 0 {
			add += v
		}
		n += add
	}
	return min(max(n, 0), MaxLength), nil
}

// want is the number of tunnels s keeps.
func (s Side) want() int {
	q := s.Quantity
	if q <= 0 {
		q = DefaultQuantity
	}
	return min(q+max(s.Backup, 0), MaxQuantity)
}
