package console

import (
	"net/netip"
	"time"
)

// The console reads everything it shows through the small interfaces below.
// Each is optional: a nil source makes its page say "not available". The
// integrator adapts the router and the gateway to them; the Func types turn a
// closure into a source. Sources are called once per request, from the
// request's goroutine, and must be safe for concurrent use; they return fresh
// values the console does not keep.

// OverviewSource yields the overview page's figures.
type OverviewSource interface {
	Overview() Overview
}

// Overview is the router at a glance.
type Overview struct {
	// NetworkStatus is a word such as "ok", "testing", "no_peers",
	// "clock_skew" or "starting".
	NetworkStatus string
	Version       string
	RouterHash    string // base64 (I2P alphabet); "" before the identity exists
	NetID         int
	Uptime        time.Duration
	ClockSkew     time.Duration // positive: our clock is ahead
	KnownRouters  int
	Floodfills    int
	// Published is true once a floodfill confirmed storing our RouterInfo.
	Published bool
	// Sessions counts transport sessions, one row each ("NTCP2 in" ...).
	Sessions []Count
	// Tunnels counts our usable tunnels ("exploratory in" ...).
	Tunnels        []Count
	TransitTunnels int
	// Bandwidth is nil when the router does not measure it.
	Bandwidth *Bandwidth
}

// Count is one labelled number of a table.
type Count struct {
	Name string
	N    int
}

// Bandwidth is the traffic of all transports.
type Bandwidth struct {
	InRate, OutRate   float64 // bytes per second, recent average
	InTotal, OutTotal uint64  // bytes since start
}

// PeersSource lists the routers we know or are connected to.
type PeersSource interface {
	Peers() []Peer
}

// Peer is one router of the network database or of a transport session.
type Peer struct {
	Hash      string // base64 (I2P alphabet) of the identity hash
	Caps      string // the "caps" option of its RouterInfo, e.g. "XfR"
	Version   string // the "router.version" option
	Connected bool
	// Transport says how we are connected ("NTCP2 out", "SSU2 in"); "" when
	// not connected.
	Transport string
}

// TunnelsSource yields our own tunnels (exploratory and client pools).
type TunnelsSource interface {
	Tunnels() TunnelsInfo
}

// TunnelsInfo is our tunnels and the builds that made them.
type TunnelsInfo struct {
	Tunnels []Tunnel
	Builds  BuildStats
}

// Direction is the direction of one of our tunnels.
type Direction string

// Tunnel directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// Tunnel is one of our tunnels.
type Tunnel struct {
	// Pool is "exploratory" or the client destination's name.
	Pool      string
	Direction Direction
	// ID is our tunnel ID: the receive ID at our end of an inbound tunnel,
	// the send ID of the first hop of an outbound one; 0: not shown.
	ID uint32
	// Hops are the base64 hashes of the routers in the tunnel, gateway to
	// endpoint, without ourselves.
	Hops    []string
	Expires time.Time
	// Tested is true once a test message went through the tunnel.
	Tested bool
}

// BuildStats counts tunnel builds.
type BuildStats struct {
	Total       uint64  // completed builds: succeeded, refused or timed out
	Failed      uint64  // refused or timed out
	TestsFailed uint64  // tunnel tests without an answer in time
	SuccessRate float64 // share of recent builds that succeeded, 0..1
	InProgress  int     // builds waiting for their reply
}

// TransitSource lists the tunnels of other routers we take part in.
type TransitSource interface {
	Transit() []TransitTunnel
}

// TransitRole is our place in a transit tunnel.
type TransitRole string

// Transit roles.
const (
	RoleParticipant TransitRole = "participant"
	RoleGateway     TransitRole = "inbound gateway"
	RoleEndpoint    TransitRole = "outbound endpoint"
)

// TransitTunnel is one tunnel of another router that we carry.
type TransitTunnel struct {
	Role      TransitRole
	ReceiveID uint32 // the tunnel ID we receive on
	Expires   time.Time
	Bytes     uint64 // carried so far; 0 when not counted
}

// DestinationsSource lists the local destinations (client tunnels, the
// gateway's own destinations).
type DestinationsSource interface {
	Destinations() []Destination
}

// Destination is a local destination.
type Destination struct {
	Name              string
	B32               string // "xxxx.b32.i2p"
	LeaseSetPublished bool
	Streams           int // open streaming connections
}

// AddressBook is the address book the console browses and adds to.
type AddressBook interface {
	// Search returns matches whose name contains query (case insensitive; ""
	// matches every name) in the book's order, skipping the first offset
	// matches and returning at most limit. The console asks for one more than
	// it shows to know whether there is a next page.
	Search(query string, offset, limit int) ([]BookEntry, error)
	// AddLocal stores name -> destination (base64, I2P alphabet) as a name
	// chosen by the user; its error is shown to the user.
	AddLocal(name, base64dest string) error
}

// BookEntry is one name of the address book.
type BookEntry struct {
	Name   string
	B32    string // "xxxx.b32.i2p" of its destination
	Local  bool   // added by the user
	Source string // the subscription URL it came from, or "local"
	Added  time.Time
}

// AutomapSource lists the automap table (the gateway's name <-> LAN address
// mappings).
type AutomapSource interface {
	AutomapEntries() []AutomapEntry
}

// AutomapEntry is one mapping. Its fields are those of automap.Entry, so the
// integrator converts with AutomapEntry(e).
type AutomapEntry struct {
	Name    string
	IP      netip.Addr // IPv4
	IP6     netip.Addr // zero when no IPv6 range is configured
	LastUse time.Time
}

// SubscriptionsSource lists the address book subscriptions.
type SubscriptionsSource interface {
	Subscriptions() []Subscription
}

// Subscription is the state of one hosts.txt subscription.
type Subscription struct {
	URL       string
	LastFetch time.Time // zero: never fetched
	Result    string    // "ok", "not modified", "error", "" (never fetched)
	Err       string    // the last error, when Result is "error"
	Added     int       // names added by the last fetch
}

// MetricsSource yields the samples served at /metrics.
type MetricsSource interface {
	Metrics() []Sample
}

// MetricType is the Prometheus type of a metric family.
type MetricType string

// Metric types.
const (
	Counter MetricType = "counter"
	Gauge   MetricType = "gauge"
)

// Sample is one time series of /metrics. Samples sharing a Name form a family:
// its Help and Type are taken from the first of them, and a later sample of
// another Type is dropped, as is a later sample with the same labels.
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and label names
// [a-zA-Z_][a-zA-Z0-9_]* (not starting with "__"); samples breaking these
// rules are dropped. Counters are conventionally named ..._total.
type Sample struct {
	Name   string
	Help   string
	Type   MetricType
	Labels map[string]string
	Value  float64
}

// Func adapters.
type (
	OverviewFunc      func() Overview
	PeersFunc         func() []Peer
	TunnelsFunc       func() TunnelsInfo
	TransitFunc       func() []TransitTunnel
	DestinationsFunc  func() []Destination
	AutomapFunc       func() []AutomapEntry
	SubscriptionsFunc func() []Subscription
	MetricsFunc       func() []Sample
)

func (f OverviewFunc) Overview() Overview                 { return f() }
func (f PeersFunc) Peers() []Peer                         { return f() }
func (f TunnelsFunc) Tunnels() TunnelsInfo                { return f() }
func (f TransitFunc) Transit() []TransitTunnel            { return f() }
func (f DestinationsFunc) Destinations() []Destination    { return f() }
func (f AutomapFunc) AutomapEntries() []AutomapEntry      { return f() }
func (f SubscriptionsFunc) Subscriptions() []Subscription { return f() }
func (f MetricsFunc) Metrics() []Sample                   { return f() }
