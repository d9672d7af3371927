package naming

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"i2pgate/router/clock"
)

// Subscription defaults (i2pd AddressBook.h: first fetch 3 minutes after
// start, then every 12 hours, 5 minutes after a failure).
const (
	DefaultInterval      = 12 * time.Hour
	DefaultInitialDelay  = 3 * time.Minute
	DefaultRetryInterval = 5 * time.Minute
	// DefaultMaxRetryInterval caps the doubled retry delay, so that a feed
	// that comes back is fetched within hours, not half a day.
	DefaultMaxRetryInterval = 3 * time.Hour
	DefaultFetchTimeout     = 5 * time.Minute
	// DefaultMaxSize bounds one hosts.txt response after decompression;
	// the full lists of the registries are a few megabytes.
	DefaultMaxSize = 16 << 20
	// MaxSubscriptions bounds the subscription list.
	MaxSubscriptions = 32
	// maxURLLen bounds a subscription URL.
	maxURLLen = 1024
	// UserAgent is what i2pd and Java I2P's eepget send, so that our fetches
	// look like theirs.
	UserAgent = "Wget/1.11.4"
)

// DefaultSubscriptions returns the subscription list for the live network.
func DefaultSubscriptions() []string {
	return []string{
		"http://reg.i2p/hosts.txt",
		"http://identiguy.i2p/hosts.txt",
		"http://stats.i2p/cgi-bin/newhosts.txt",
	}
}

// DefaultBootstrapURL returns reg.i2p's hosts.txt by its b32 name, i2pd's
// addressbook.defaulturl: a book without names cannot resolve reg.i2p.
func DefaultBootstrapURL() string {
	return "http://shx5vqsw7usdaunyzr2qmes2fq37oumybpudrd4jjj4e4vk4uusa.b32.i2p/hosts.txt"
}

// HTTPDoer does one HTTP request; the Subscriber sends GETs with the
// validators of the previous fetch and reads 200 and 304 answers. The
// response body must be the entity as sent (a Content-Encoding of gzip is
// decoded by the Subscriber).
type HTTPDoer interface {
	Do(req *http.Request) (*http.Response, error)
}

// SubscriberConfig configures a Subscriber.
type SubscriberConfig struct {
	// Book receives the names; required.
	Book *Book
	// Client fetches the lists; required. The integrator gives one that
	// dials through I2P and resolves names with Book (an *http1.Client of
	// router/netx/http1 with its Dial).
	Client HTTPDoer
	// URLs are the subscriptions (nil: DefaultSubscriptions()).
	URLs []string
	// Bootstrap is fetched before the others while the book holds no
	// subscription names ("": none). See DefaultBootstrapURL.
	Bootstrap string
	// Interval between rounds (default DefaultInterval), InitialDelay
	// before the first (default DefaultInitialDelay), RetryInterval after a
	// round where every fetch failed, doubled at each failure up to
	// MaxRetryInterval (default DefaultRetryInterval, DefaultMaxRetryInterval,
	// never above Interval). Each delay gets up to a tenth more, at random.
	Interval, InitialDelay, RetryInterval, MaxRetryInterval time.Duration
	// FetchTimeout bounds one fetch (default DefaultFetchTimeout).
	FetchTimeout time.Duration
	// MaxSize bounds one response (default DefaultMaxSize).
	MaxSize int64
	// Clock schedules the rounds (nil: clock.System()); Rand jitters them
	// (nil: crypto/rand); Logger gets a line per fetch (nil: discard).
	Clock  clock.Clock
	Rand   io.Reader
	Logger *slog.Logger
}

// Subscriber fetches the subscriptions in rounds, one URL after the other,
// and imports them into the Book. The outcome of each fetch is kept in
// memory; only successful fetches (with their validators, ETag and
// Last-Modified) are written to the store, all of a round's in one
// transaction, so that feeds that cannot be reached cost no flash writes.
// After a restart a failed feed is simply retried.
type Subscriber struct {
	cfg     SubscriberConfig
	book    *Book
	clock   clock.Clock
	log     *slog.Logger
	trigger chan struct{}
	done    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	// state guards the lifecycle, the schedule and the subscription states.
	state struct {
		sync.Mutex
		started, closed bool
		next            time.Time
		// subs is the last outcome of each URL, read from the store the
		// first time it is needed.
		subs map[string]SubStatus
	}
}

// NewSubscriber checks the configuration.
func NewSubscriber(cfg SubscriberConfig) (*Subscriber, error) {
	if cfg.Book == nil || cfg.Client == nil {
		return nil, errors.New("naming: subscriber needs a book and an HTTP client")
	}
	if cfg.URLs == nil {
		cfg.URLs = DefaultSubscriptions()
	}
	if len(cfg.URLs) > MaxSubscriptions {
		return nil, fmt.Errorf("naming: %d subscriptions: %w (at most %d)", len(cfg.URLs), ErrTooLarge, MaxSubscriptions)
	}
	cfg.URLs = slices.Clone(cfg.URLs)
	for _, u := range cfg.URLs {
		if err := checkURL(u); err != nil {
			return nil, err
		}
	}
	if cfg.Bootstrap != "" {
		if err := checkURL(cfg.Bootstrap); err != nil {
			return nil, err
		}
	}
	cfg.Interval = orDuration(cfg.Interval, DefaultInterval)
	cfg.InitialDelay = orDuration(cfg.InitialDelay, DefaultInitialDelay)
	cfg.RetryInterval = orDuration(cfg.RetryInterval, DefaultRetryInterval)
	cfg.MaxRetryInterval = min(orDuration(cfg.MaxRetryInterval, DefaultMaxRetryInterval), cfg.Interval)
	cfg.FetchTimeout = orDuration(cfg.FetchTimeout, DefaultFetchTimeout)
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = DefaultMaxSize
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	s := &Subscriber{
		cfg:     cfg,
		book:    cfg.Book,
		clock:   clock.Or(cfg.Clock),
		log:     cfg.Logger,
		trigger: make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "naming.subscriber")
	s.state.subs = make(map[string]SubStatus)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

func checkURL(u string) error {
	if len(u) > maxURLLen {
		return fmt.Errorf("naming: subscription URL: %w", ErrTooLarge)
	}
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("naming: subscription URL: %w", err)
	}
	if (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("naming: subscription URL %q: want http://host/...", u)
	}
	return nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Start schedules the first round after InitialDelay.
func (s *Subscriber) Start() error {
	s.state.Lock()
	defer s.state.Unlock()
	if s.state.started || s.state.closed {
		return errors.New("naming: subscriber already started or closed")
	}
	s.state.started = true
	first := s.jitter(s.cfg.InitialDelay)
	s.state.next = s.clock.Now().Add(first)
	t := s.clock.NewTimer(first)
	s.wg.Add(1)
	go s.run(t)
	return nil
}

// Close stops the rounds, cancelling a fetch in progress, and waits for
// them. It is idempotent.
func (s *Subscriber) Close() error {
	s.state.Lock()
	if !s.state.closed {
		s.state.closed = true
		s.cancel()
		close(s.done)
	}
	s.state.Unlock()
	s.wg.Wait()
	return nil
}

// Refresh asks for a round now; it does not wait for it.
func (s *Subscriber) Refresh() {
	select {
	case s.trigger <- struct{}{}:
	default:
	}
}

// Next returns when the next round is due; zero before Start.
func (s *Subscriber) Next() time.Time {
	s.state.Lock()
	defer s.state.Unlock()
	return s.state.next
}

// Status returns the state of each subscription, bootstrap first when set.
func (s *Subscriber) Status() []SubStatus {
	urls := s.cfg.URLs
	if s.cfg.Bootstrap != "" && !slices.Contains(urls, s.cfg.Bootstrap) {
		urls = append([]string{s.cfg.Bootstrap}, urls...)
	}
	out := make([]SubStatus, 0, len(urls))
	for _, u := range urls {
		out = append(out, s.subState(u))
	}
	return out
}

// subState returns the last outcome of u: the one in memory, or else the
// stored one.
func (s *Subscriber) subState(u string) SubStatus {
	s.state.Lock()
	st, ok := s.state.subs[u]
	s.state.Unlock()
	if ok {
		return st
	}
	st = s.book.subState(u)
	s.state.Lock()
	defer s.state.Unlock()
	if cur, ok := s.state.subs[u]; ok {
		return cur // recorded by a fetch meanwhile
	}
	s.state.subs[u] = st
	return st
}

// saved reports whether an outcome is written to the store: a fetch that
// reached the feed. Failures stay in memory.
func saved(st *SubStatus) bool {
	return st.Result == ResultOK || st.Result == ResultNotModified
}

func (s *Subscriber) run(t clock.Timer) {
	defer s.wg.Done()
	defer t.Stop()
	failures := 0
	for {
		select {
		case <-s.done:
			return
		case <-t.C():
		case <-s.trigger:
			t.Stop()
		}
		var next time.Duration
		if s.round() {
			failures = 0
			next = s.cfg.Interval
		} else {
			failures++
			next = s.cfg.RetryInterval << min(failures-1, 16)
			if next <= 0 || next > s.cfg.MaxRetryInterval {
				next = s.cfg.MaxRetryInterval
			}
		}
		next = s.jitter(next)
		s.state.Lock()
		s.state.next = s.clock.Now().Add(next)
		s.state.Unlock()
		t.Reset(next)
	}
}

// round fetches every subscription once, writes the successful outcomes in
// one transaction and reports whether any feed answered.
func (s *Subscriber) round() bool {
	urls := s.cfg.URLs
	c := s.book.Counts()
	if s.cfg.Bootstrap != "" && c.Names == c.Local && !slices.Contains(urls, s.cfg.Bootstrap) {
		urls = append([]string{s.cfg.Bootstrap}, urls...)
	}
	var save []SubStatus
	for _, u := range urls {
		if s.ctx.Err() != nil {
			break
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.cfg.FetchTimeout)
		st := s.fetchOne(ctx, u)
		cancel()
		if saved(&st) {
			save = append(save, st)
		}
	}
	if err := s.book.saveSubStates(save); err != nil {
		s.log.Warn("saving subscription state", "err", err)
	}
	return len(save) > 0
}

// jitter returns d plus up to a tenth of d, at random.
func (s *Subscriber) jitter(d time.Duration) time.Duration {
	span := uint64(d / 10)
	if span == 0 {
		return d
	}
	var b [8]byte
	if _, err := io.ReadFull(s.cfg.Rand, b[:]); err != nil {
		return d
	}
	return d + time.Duration(binary.BigEndian.Uint64(b[:])%span)
}

// Fetch fetches one subscription now, with the validators of the previous
// fetch, imports it and records the outcome, which it returns. A success is
// written to the store at once, a failure only kept in memory.
func (s *Subscriber) Fetch(ctx context.Context, u string) SubStatus {
	st := s.fetchOne(ctx, u)
	if saved(&st) {
		if err := s.book.saveSubStates([]SubStatus{st}); err != nil {
			s.log.Warn("saving subscription state", "url", u, "err", err)
		}
	}
	return st
}

// fetchOne fetches u and records the outcome in memory.
func (s *Subscriber) fetchOne(ctx context.Context, u string) SubStatus {
	prev := s.subState(u)
	st := SubStatus{URL: u, LastFetch: s.clock.Now(), ETag: prev.ETag, LastModified: prev.LastModified}
	added, etag, lastMod, result, err := s.fetch(ctx, u, prev)
	st.Added, st.Result = added, result
	if err != nil {
		st.Result, st.Err = ResultError, clipString(err.Error(), 200)
	}
	if result == ResultOK && err == nil {
		st.ETag, st.LastModified = etag, lastMod
	}
	s.state.Lock()
	s.state.subs[u] = st
	s.state.Unlock()
	s.log.Info("fetch", "url", u, "result", string(st.Result), "added", st.Added, "err", st.Err)
	return st
}

func (s *Subscriber) fetch(ctx context.Context, u string, prev SubStatus) (added int, etag, lastMod string, res Result, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", "", ResultError, fmt.Errorf("naming: fetch: %w", err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept-Encoding", "gzip")
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, "", "", ResultError, fmt.Errorf("naming: fetch: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return 0, "", "", ResultNotModified, nil
	case http.StatusOK:
	default:
		return 0, "", "", ResultError, fmt.Errorf("naming: fetch: HTTP status %d", resp.StatusCode)
	}
	var body io.Reader = resp.Body
	switch resp.Header.Get("Content-Encoding") {
	case "", "identity":
	case "gzip", "x-i2p-gzip":
		gz, err := gzip.NewReader(resp.Body)
		if err != nil {
			return 0, "", "", ResultError, fmt.Errorf("naming: fetch: %w", err)
		}
		defer gz.Close()
		body = gz
	default:
		return 0, "", "", ResultError, fmt.Errorf("naming: fetch: content encoding %q", clip(resp.Header.Get("Content-Encoding")))
	}
	stats, err := s.book.Import(&limitReader{r: body, n: s.cfg.MaxSize}, u)
	if err != nil {
		return stats.Added, "", "", ResultError, err
	}
	return stats.Added, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), ResultOK, nil
}

// limitReader fails with ErrTooLarge once more than n bytes were read.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		k, err := l.r.Read(one[:])
		if k > 0 {
			return 0, fmt.Errorf("%w: response larger than the limit", ErrTooLarge)
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}
