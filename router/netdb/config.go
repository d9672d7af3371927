package netdb

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/store"
)

// Sender delivers an I2NP message to a router directly over the transports,
// dialing it through the RouterInfo that NetDB.RouterInfo returns. It must not
// call back into the NetDB synchronously except through Handle.
type Sender interface {
	SendMessage(ctx context.Context, to data.Hash, msg i2np.Message) error
}

// Reseeder fetches serialized RouterInfos from outside the network (su3 files
// from reseed servers or a local file). It returns an error when every source
// failed.
type Reseeder interface {
	Reseed(ctx context.Context) ([][]byte, error)
}

// Sizes and thresholds. Each is a low-memory default; the Config fields of the
// same meaning override the ones tests need smaller.
const (
	// DefaultNetID is the main network's id.
	DefaultNetID = 2
	// DefaultMinRouters is i2pd's NETDB_MIN_ROUTERS: below it nothing
	// expires and a reseed is started.
	DefaultMinRouters = 90
	// DefaultMinFloodfills is i2pd's NETDB_MIN_FLOODFILLS: fewer known
	// floodfills also start a reseed.
	DefaultMinFloodfills = 5
	// DefaultHealthyRouters is how many routers make exploration slow down.
	DefaultHealthyRouters = 300
	// MaxRouters bounds the RouterInfos held (about 1.5 KB each).
	MaxRouters = 5000
	// MaxLeaseSets bounds the lease sets a floodfill holds.
	MaxLeaseSets = 2000
	// inboxSize bounds the queue between Handle and the worker.
	inboxSize = 256
	// learnQueueSize bounds the router hashes waiting to be looked up.
	learnQueueSize = 128
)

// Protocol timing, after i2pd (NetDb.h, NetDbRequests.h, RouterContext.h) and
// Java I2P where i2pd has no equivalent.
const (
	// MaxFutureSkew: entries published further ahead are dropped
	// (NETDB_EXPIRATION_TIMEOUT_THRESHOLD).
	MaxFutureSkew = 2 * time.Minute
	// MaxRouterInfoAge: older RouterInfos are refused on receipt and
	// expired at the latest (NETDB_MAX_EXPIRATION_TIMEOUT).
	MaxRouterInfoAge = 27 * time.Hour
	// minExpiration is NETDB_MIN_EXPIRATION_TIMEOUT.
	minExpiration = 90 * time.Minute
	// floodfillExpiration is NETDB_FLOODFILL_EXPIRATION_TIMEOUT: a
	// floodfill keeps a fresher database.
	floodfillExpiration = time.Hour
	// expiryMinUptime: nothing expires by age before this uptime.
	expiryMinUptime = 10 * time.Minute
	// expiryFullUptime: the shorter expirations start after this uptime.
	expiryFullUptime = time.Hour
	// expireInterval is how often expiry runs.
	expireInterval = time.Minute
	// maxLeaseSetFuture bounds how far ahead a lease may end.
	maxLeaseSetFuture = 15 * time.Minute

	// lookupParallel is how many floodfills one lookup queries at once.
	lookupParallel = 3
	// maxLookupQueries is how many floodfills one lookup asks in all.
	maxLookupQueries = 8
	// requestTimeout is how long one floodfill has to answer.
	requestTimeout = 3 * time.Second
	// lookupTimeout bounds a whole lookup.
	lookupTimeout = 15 * time.Second
	// maxLookups bounds concurrent lookups (user and learning).
	maxLookups = 8
	// maxLookupExcluded bounds the excluded peers we send.
	maxLookupExcluded = 16
	// searchReplyPeers is how many floodfills a search reply names.
	searchReplyPeers = 3
	// maxSearchReplyPeers bounds what we read from and put in replies
	// (NETDB_MAX_NUM_SEARCH_REPLY_PEER_HASHES).
	maxSearchReplyPeers = 16
	// floodPeers is how many other floodfills a new entry is flooded to.
	floodPeers = 3

	// exploreFastInterval and exploreSlowInterval pace exploration while
	// the database is below and above HealthyRouters.
	exploreFastInterval = 10 * time.Second
	exploreSlowInterval = 5 * time.Minute
	// exploreParallel is how many random keys one round explores.
	exploreParallel = 2

	// publishInterval and publishVariance are i2pd's
	// ROUTER_INFO_PUBLISH_INTERVAL and its random addition.
	publishInterval = 39 * time.Minute
	publishVariance = 105 * time.Second
	// publishConfirmTimeout is NETDB_PUBLISH_CONFIRMATION_TIMEOUT.
	publishConfirmTimeout = 5 * time.Second
	// maxPublishAttempts is NETDB_MAX_PUBLISH_EXCLUDED_FLOODFILLS.
	maxPublishAttempts = 15
	// publishRetry is the wait after a round in which no floodfill
	// confirmed or none was known.
	publishRetry = 30 * time.Second

	// reseedBackoffMin and reseedBackoffMax bound the exponential backoff
	// between failed reseeds; reseedCheckInterval is how often the size is
	// checked afterwards.
	reseedBackoffMin    = 10 * time.Second
	reseedBackoffMax    = 5 * time.Minute
	reseedCheckInterval = 10 * time.Minute
	// reseedGrace is how long a small database may go without a message
	// from any peer before it reseeds.
	reseedGrace = 90 * time.Second
	// reseedTimeout bounds one Reseed call.
	reseedTimeout = 2 * time.Minute

	// sendTimeout bounds one Sender.SendMessage call.
	sendTimeout = 10 * time.Second
	// persistMinAge: an updated RouterInfo is rewritten to the store only
	// when the stored copy is older than this, to spare flash.
	persistMinAge = time.Hour
	// persistRefreshAge: a RouterInfo whose addresses and caps did not
	// change is rewritten only once the stored copy was published this long
	// ago, so that it stays loadable (MaxRouterInfoAge) after a restart.
	// Routers republish hourly with a new date and signature; rewriting each
	// copy would cost the flash some megabytes an hour on the live network.
	persistRefreshAge = 12 * time.Hour
	// persistInterval is how often the pending RouterInfo writes are
	// committed (unless Config.Batch says otherwise) and at Close: each
	// bbolt commit rewrites several 4 KB pages and syncs.
	persistInterval = 10 * time.Minute
)

// Bucket is the store bucket of RouterInfos: key the router hash, value the
// raw RouterInfo.
const Bucket = "routerinfo"

// Config configures a NetDB. Zero values mean the defaults.
type Config struct {
	// Self is our router hash. Required.
	Self data.Hash
	// Sender delivers our messages. Required.
	Sender Sender
	// Store persists RouterInfos; nil keeps them in memory only.
	Store store.Store
	// Batch tunes the write batching of Store (nil or zero Interval:
	// one commit every 10 minutes and at Close).
	Batch *store.BatchOptions
	// Tunnels, when set, carries lookups, explorations and our
	// RouterInfo stores through the exploratory tunnels (see Tunnels);
	// nil sends everything directly.
	Tunnels Tunnels
	// Reseeder is asked for RouterInfos when the database is too small;
	// nil never reseeds.
	Reseeder Reseeder
	// Floodfill turns on the floodfill server role.
	Floodfill bool
	// WrapReply garlic-encrypts a floodfill's answer to a lookup that asked
	// for an ECIES reply, with the lookup's reply key and first tag; nil
	// drops such lookups.
	WrapReply func(key [32]byte, tag [8]byte, msg i2np.Message) (i2np.Message, error)
	// NetID is the network id (DefaultNetID when 0).
	NetID int
	// ReservedRange refuses RouterInfos with a host in a reserved range
	// (i2pd's reservedrange; the router sets it true by default).
	ReservedRange bool
	// AllowAddr, when set, must accept every host of a RouterInfo; the
	// router plugs in the transports' filter.
	AllowAddr func(netip.Addr) bool
	// MinRouters, MinFloodfills and HealthyRouters override the defaults
	// of the same name.
	MinRouters     int
	MinFloodfills  int
	HealthyRouters int

	// ClockSeed, when set, takes the clock offset estimated from
	// reseeded RouterInfos when most of them look stale or from the
	// future (a clock hours off); Clock should then be the clock it
	// corrects, so that they are validated against the corrected time.
	ClockSeed ClockSeeder

	Clock  clock.Clock  // nil: the system clock
	Rand   io.Reader    // nil: crypto/rand
	Logger *slog.Logger // nil: discard
}

func orInt(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// policy returns the validation policy of c.
func (c *Config) policy() Policy {
	return Policy{NetID: orInt(c.NetID, DefaultNetID), ReservedRange: c.ReservedRange, AllowAddr: c.AllowAddr}
}
