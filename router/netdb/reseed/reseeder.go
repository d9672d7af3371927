package reseed

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/netx"
	"i2pgate/router/netx/http1"
)

const (
	// DefaultMinRouters is how many RouterInfos a reseed gathers before it
	// stops trying more servers (one server's SU3 holds about 75).
	DefaultMinRouters = 25
	// DefaultNetID is the main I2P network.
	DefaultNetID = 2
	// StaleAge is when a reseeded RouterInfo counts as outdated (i2pd: 10
	// times its 27-hour netdb expiry). A source whose RouterInfos are
	// mostly older is refused: a stale or replayed reseed file.
	StaleAge = 270 * time.Hour
)

// ErrNoRouters is returned (wrapped, with every source's failure) when no
// source yielded a valid RouterInfo.
var ErrNoRouters = errors.New("reseed: no RouterInfos from any source")

// Config configures a Reseeder. Nil and zero fields mean the defaults.
type Config struct {
	// URLs of reseed servers, tried in random order after File and Sources.
	URLs []string
	// File is a local .su3, .zip, RouterInfo file or netDb directory, tried
	// first (i2pd's reseed.file / reseed.zipfile).
	File string
	// Sources are further sources, tried after File, in order.
	Sources []Source
	// NetID is the network the RouterInfos must belong to (default 2).
	NetID int
	// Certs are the trusted SU3 signers (see LoadCertsDir).
	Certs SignerCerts
	// VerifyLocal refuses a local SU3 file of an unknown signer (see File).
	VerifyLocal bool
	// AllowHTTP allows http:// reseed URLs (test networks only).
	AllowHTTP bool
	// HTTP does the downloads; nil means NewHTTPClient(Network,
	// TLSConfig, AllowHTTP) with certificates checked at Clock's time.
	HTTP      *http1.Client
	Network   netx.Network
	TLSConfig *TLSConfig // ignored in a build without TLS (tag notls)
	// Command, when set, downloads every URL instead of HTTP: the program
	// and its arguments, run with the SU3 URL appended (see Command). In a
	// build without TLS (tag notls), https URLs are downloaded by
	// uclient-fetch, curl or wget, the first found in PATH, when Command
	// is empty.
	Command []string
	// Timeout bounds one download (default DefaultTimeout).
	Timeout time.Duration
	// MinRouters stops the search once this many RouterInfos are gathered
	// (default DefaultMinRouters).
	MinRouters int
	Clock      clock.Clock
	Rand       io.Reader // shuffles URLs; nil means crypto/rand
	Logger     *slog.Logger
}

// Reseeder gathers verified RouterInfos from its sources. It holds no
// mutable state and is safe for concurrent use.
type Reseeder struct {
	cfg    Config
	client *http1.Client
	// fetcher downloads https URLs, or every URL when Command is set;
	// nil: client does. fetcherErr is why https cannot be downloaded.
	fetcher    []string
	fetcherErr error
	clock      clock.Clock
	rand       io.Reader
	log        *slog.Logger
}

// New returns a Reseeder for cfg. It fails on a URL that could never be
// used (unparsable, or not https without AllowHTTP).
func New(cfg Config) (*Reseeder, error) {
	if cfg.NetID == 0 {
		cfg.NetID = DefaultNetID
	}
	if cfg.MinRouters <= 0 {
		cfg.MinRouters = DefaultMinRouters
	}
	for _, u := range cfg.URLs {
		if _, err := SU3URL(u, cfg.NetID, cfg.AllowHTTP); err != nil {
			return nil, err
		}
	}
	if len(cfg.Command) > 0 && cfg.Command[0] == "" {
		return nil, errors.New("reseed: fetcher command has no program")
	}
	r := &Reseeder{cfg: cfg, client: cfg.HTTP, clock: clock.Or(cfg.Clock), rand: cfg.Rand, log: cfg.Logger}
	if r.client == nil {
		// Certificates are checked against the router's clock, which
		// SNTP or peers may have corrected: a box without a real-time
		// clock may boot months behind.
		r.client = newHTTPClient(cfg.Network, secureFunc(cfg.TLSConfig, r.clock.Now), cfg.AllowHTTP)
	}
	if r.rand == nil {
		r.rand = crand.Reader
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.log = r.log.With("component", "reseed")
	r.chooseFetcher()
	return r, nil
}

// chooseFetcher sets the external fetcher: Command when set; in a build
// without TLS and with https URLs, the first of uclient-fetch, curl and
// wget in PATH, logged once.
func (r *Reseeder) chooseFetcher() {
	if len(r.cfg.Command) > 0 {
		r.fetcher = r.cfg.Command
		return
	}
	if nativeTLS || !r.anyHTTPS() {
		return
	}
	r.fetcher, r.fetcherErr = defaultFetcher(r.cfg.Timeout, r.cfg.AllowHTTP)
	if r.fetcherErr != nil {
		r.log.Warn("no reseed fetcher for https: built without TLS", "err", r.fetcherErr)
		return
	}
	r.log.Info("reseed fetcher for https: built without TLS", "command", r.fetcher[0])
}

func (r *Reseeder) anyHTTPS() bool {
	for _, s := range r.cfg.URLs {
		if u, err := url.Parse(s); err == nil && u.Scheme == "https" {
			return true
		}
	}
	return false
}

// urlSource returns the source for one reseed URL: the HTTP client, or
// the external fetcher (see chooseFetcher).
func (r *Reseeder) urlSource(u string) Source {
	external := len(r.cfg.Command) > 0
	if !external && !nativeTLS {
		p, err := url.Parse(u)
		external = err == nil && p.Scheme == "https"
	}
	switch {
	case !external:
		return &HTTPS{
			URL: u, NetID: r.cfg.NetID, Certs: r.cfg.Certs,
			Client: r.client, AllowHTTP: r.cfg.AllowHTTP, Timeout: r.cfg.Timeout,
		}
	case r.fetcher == nil:
		return failed{name: u, err: r.fetcherErr}
	}
	return &Command{
		URL: u, NetID: r.cfg.NetID, Certs: r.cfg.Certs,
		Argv: r.fetcher, AllowHTTP: r.cfg.AllowHTTP, Timeout: r.cfg.Timeout,
	}
}

// failed is a source that cannot be fetched.
type failed struct {
	name string
	err  error
}

func (f failed) Name() string                            { return f.name }
func (f failed) Fetch(context.Context) ([][]byte, error) { return nil, f.err }

// SourceResult is what one source yielded in a reseed.
type SourceResult struct {
	Name      string
	Err       error // the source failed or was refused; nothing was taken from it
	Fetched   int   // raw RouterInfos the source returned
	Accepted  int   // valid, new RouterInfos taken
	Invalid   int   // unparsable or with a bad signature
	WrongNet  int   // without netId or of another network
	Stale     int   // published more than StaleAge ago
	Duplicate int   // seen already in this reseed
}

// Result is the outcome of a reseed.
type Result struct {
	RouterInfos [][]byte // raw, verified, of the configured network
	Sources     []SourceResult
}

// sources lists File, Sources and the URLs in random order.
func (r *Reseeder) sources() ([]Source, error) {
	var out []Source
	if r.cfg.File != "" {
		out = append(out, &File{Path: r.cfg.File, Certs: r.cfg.Certs, VerifyLocal: r.cfg.VerifyLocal, Logger: r.log})
	}
	out = append(out, r.cfg.Sources...)
	var seed [32]byte
	if _, err := io.ReadFull(r.rand, seed[:]); err != nil {
		return nil, fmt.Errorf("reseed: random: %w", err)
	}
	rng := mrand.New(mrand.NewChaCha8(seed))
	for _, i := range rng.Perm(len(r.cfg.URLs)) {
		out = append(out, r.urlSource(r.cfg.URLs[i]))
	}
	return out, nil
}

// Reseed gathers RouterInfos: the local file first, then the other sources
// and the URLs in random order, until MinRouters are gathered or every
// source was tried. Each RouterInfo is parsed, its signature verified and
// its netId checked; bad ones are dropped and counted. It succeeds when at
// least one RouterInfo was gathered; otherwise the error lists every
// source's failure. It implements the netdb's Reseeder interface.
func (r *Reseeder) Reseed(ctx context.Context) ([][]byte, error) {
	res, err := r.ReseedResult(ctx)
	return res.RouterInfos, err
}

// ReseedResult is Reseed with per-source details.
func (r *Reseeder) ReseedResult(ctx context.Context) (Result, error) {
	srcs, err := r.sources()
	if err != nil {
		return Result{}, err
	}
	var res Result
	seen := make(map[data.Hash]struct{})
	for _, src := range srcs {
		if len(res.RouterInfos) >= r.cfg.MinRouters {
			break
		}
		if err := ctx.Err(); err != nil {
			res.Sources = append(res.Sources, SourceResult{Name: src.Name(), Err: err})
			break
		}
		sr, ris := r.fromSource(ctx, src, seen)
		res.Sources = append(res.Sources, sr)
		res.RouterInfos = append(res.RouterInfos, ris...)
	}
	if len(res.RouterInfos) == 0 {
		return res, failure(res.Sources)
	}
	r.logResult(res)
	return res, nil
}

func failure(srcs []SourceResult) error {
	if len(srcs) == 0 {
		return fmt.Errorf("%w: no sources configured", ErrNoRouters)
	}
	errs := []error{ErrNoRouters}
	for _, s := range srcs {
		errs = append(errs, fmt.Errorf("%s: %w", s.Name, s.Err))
	}
	return errors.Join(errs...)
}

// logResult logs a successful reseed: failed sources at Warn (their errors
// are not returned), the summary at Info.
func (r *Reseeder) logResult(res Result) {
	for _, s := range res.Sources {
		if s.Err != nil {
			r.log.Warn("reseed source failed", "source", s.Name, "err", s.Err)
			continue
		}
		r.log.Info("reseeded", "source", s.Name, "accepted", s.Accepted, "fetched", s.Fetched,
			"invalid", s.Invalid, "wrong_net", s.WrongNet, "stale", s.Stale, "duplicate", s.Duplicate)
	}
}

// fromSource fetches one source and keeps its valid, new RouterInfos.
func (r *Reseeder) fromSource(ctx context.Context, src Source, seen map[data.Hash]struct{}) (SourceResult, [][]byte) {
	sr := SourceResult{Name: src.Name()}
	raw, err := src.Fetch(ctx)
	if err != nil {
		sr.Err = err
		return sr, nil
	}
	sr.Fetched = len(raw)
	now := r.clock.Now()
	var ris [][]byte
	var hashes []data.Hash
	local := make(map[data.Hash]struct{})
	for _, b := range raw {
		ri, ok := r.check(b, now, &sr)
		if !ok {
			continue
		}
		h := ri.Hash()
		_, dup := seen[h]
		if _, again := local[h]; dup || again {
			sr.Duplicate++
			continue
		}
		local[h] = struct{}{}
		hashes = append(hashes, h)
		ris = append(ris, ri.Bytes())
	}
	switch {
	case sr.Stale > 0 && 2*sr.Stale > sr.Fetched:
		sr.Err = fmt.Errorf("reseed: %d of %d RouterInfos older than %v: stale reseed data", sr.Stale, sr.Fetched, StaleAge)
	case len(ris) == 0:
		sr.Err = fmt.Errorf("reseed: no valid RouterInfo among %d (%d invalid, %d of another network, %d duplicate)",
			sr.Fetched, sr.Invalid, sr.WrongNet, sr.Duplicate)
	}
	if sr.Err != nil {
		return sr, nil
	}
	for _, h := range hashes {
		seen[h] = struct{}{}
	}
	sr.Accepted = len(ris)
	return sr, ris
}

// check parses and verifies one RouterInfo and counts why it is refused.
// Stale RouterInfos are counted and still accepted unless most are stale.
func (r *Reseeder) check(b []byte, now time.Time, sr *SourceResult) (*data.RouterInfo, bool) {
	ri, err := data.ParseRouterInfo(b)
	if err != nil || ri.Verify() != nil {
		sr.Invalid++
		return nil, false
	}
	if id, ok := ri.NetID(); !ok || id != r.cfg.NetID {
		sr.WrongNet++
		return nil, false
	}
	if now.Sub(ri.Published()) > StaleAge {
		sr.Stale++
	}
	return ri, true
}
