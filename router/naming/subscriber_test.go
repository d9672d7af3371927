package naming

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/store"
)

// handlerTransport serves requests with an http.Handler in memory, as a
// transport through I2P would deliver them.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}

// feed is a fake subscription server.
type feed struct {
	mu       sync.Mutex
	body     map[string]string // path -> hosts.txt
	status   int               // non-zero: answer with this status
	gzip     bool
	requests []*http.Request
	fetched  chan string
}

func newFeed() *feed {
	return &feed{body: map[string]string{}, fetched: make(chan string, 16)}
}

func (f *feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Clone(context.Background()))
	body, status, gz := f.body[r.Host+r.URL.Path], f.status, f.gzip
	f.mu.Unlock()
	defer func() { f.fetched <- r.Host + r.URL.Path }()
	const etag = `"v1"`
	switch {
	case status != 0:
		http.Error(w, "no", status)
	case r.Header.Get("If-None-Match") == etag:
		w.WriteHeader(http.StatusNotModified)
	case gz:
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(body))
		zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(buf.Bytes())
	default:
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Sat, 01 Mar 2025 10:00:00 GMT")
		w.Write([]byte(body))
	}
}

func (f *feed) set(path, body string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body[path], f.status = body, status
}

func (f *feed) last() *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func newSubscriber(t *testing.T, b *Book, clk *clocktest.Fake, f http.Handler, mod func(*SubscriberConfig)) *Subscriber {
	t.Helper()
	cfg := SubscriberConfig{
		Book:   b,
		Client: &http.Client{Transport: handlerTransport{f}},
		URLs:   []string{"http://reg.i2p/hosts.txt"},
		Clock:  clk,
		Rand:   zeroReader{},
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewSubscriber(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestFetchConditional(t *testing.T) {
	b, _, clk := newBook(t)
	k := newKey(t, 1)
	f := newFeed()
	f.set("reg.i2p/hosts.txt", "a.i2p="+k.b64+"\nb.i2p="+k.b64+"\n", 0)
	s := newSubscriber(t, b, clk, f, nil)
	ctx := context.Background()

	st := s.Fetch(ctx, "http://reg.i2p/hosts.txt")
	if st.Result != ResultOK || st.Added != 2 || st.ETag != `"v1"` || st.Err != "" || !st.LastFetch.Equal(testStart) {
		t.Fatalf("first fetch %+v", st)
	}
	req := f.last()
	if req.Header.Get("User-Agent") != UserAgent || req.Header.Get("If-None-Match") != "" {
		t.Errorf("first request headers %v", req.Header)
	}

	clk.Advance(time.Hour)
	st = s.Fetch(ctx, "http://reg.i2p/hosts.txt")
	if st.Result != ResultNotModified || st.Added != 0 || st.ETag != `"v1"` {
		t.Fatalf("second fetch %+v", st)
	}
	req = f.last()
	if req.Header.Get("If-None-Match") != `"v1"` || req.Header.Get("If-Modified-Since") != "Sat, 01 Mar 2025 10:00:00 GMT" {
		t.Errorf("conditional headers %v", req.Header)
	}

	f.set("reg.i2p/hosts.txt", "", http.StatusInternalServerError)
	st = s.Fetch(ctx, "http://reg.i2p/hosts.txt")
	if st.Result != ResultError || !strings.Contains(st.Err, "500") || st.ETag != `"v1"` {
		t.Fatalf("error fetch %+v", st)
	}
	got := s.Status()
	if len(got) != 1 || !sameStatus(got[0], st) {
		t.Errorf("Status %+v, want %+v", got, st)
	}
	// The last success survives a new Book and Subscriber on the same
	// store; the failure after it was kept in memory only.
	b2, err := Open(Config{Store: b.st, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	s2 := newSubscriber(t, b2, clk, f, nil)
	want := SubStatus{URL: "http://reg.i2p/hosts.txt", LastFetch: testStart.Add(time.Hour), Result: ResultNotModified,
		ETag: `"v1"`, LastModified: "Sat, 01 Mar 2025 10:00:00 GMT"}
	if got := s2.Status(); !sameStatus(got[0], want) {
		t.Errorf("Status after reopen %+v, want %+v", got, want)
	}
}

// countingStore counts the write transactions of a Store.
type countingStore struct {
	store.Store
	updates atomic.Int64
}

func (c *countingStore) Update(fn func(store.Tx) error) error {
	c.updates.Add(1)
	return c.Store.Update(fn)
}

// TestRoundWrites checks what a round costs the store: nothing when every
// feed fails, one transaction for the outcomes of a successful round.
func TestRoundWrites(t *testing.T) {
	mem := store.NewMemory()
	defer mem.Close()
	cs := &countingStore{Store: mem}
	clk := clocktest.New(testStart)
	b, err := Open(Config{Store: cs, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	k := newKey(t, 1)
	f := newFeed()
	f.set("reg.i2p/hosts.txt", "a.i2p="+k.b64+"\n", http.StatusBadGateway)
	f.set("stats.i2p/hosts.txt", "b.i2p="+k.b64+"\n", http.StatusBadGateway)
	urls := []string{"http://reg.i2p/hosts.txt", "http://stats.i2p/hosts.txt"}
	s := newSubscriber(t, b, clk, f, func(c *SubscriberConfig) { c.URLs = urls })
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	clk.BlockUntil(1)
	clk.Advance(DefaultInitialDelay)
	waitFetch(t, f)
	waitFetch(t, f)
	waitNext(t, s, clk.Now().Add(DefaultRetryInterval))
	clk.Advance(DefaultRetryInterval)
	waitFetch(t, f)
	waitFetch(t, f)
	waitNext(t, s, clk.Now().Add(2*DefaultRetryInterval))
	if n := cs.updates.Load(); n != 0 {
		t.Errorf("failing rounds wrote %d transactions", n)
	}
	for i, st := range s.Status() {
		if st.URL != urls[i] || st.Result != ResultError || !strings.Contains(st.Err, "502") || !st.LastFetch.Equal(clk.Now()) {
			t.Errorf("status after failures %+v", st)
		}
	}

	// Both answer: the imports write the names, and the outcomes take one
	// more transaction.
	f.set("reg.i2p/hosts.txt", "a.i2p="+k.b64+"\n", 0)
	s.Refresh()
	waitFetch(t, f)
	waitFetch(t, f)
	waitNext(t, s, clk.Now().Add(DefaultInterval))
	if !b.Has("a.i2p") || !b.Has("b.i2p") {
		t.Fatal("round imported nothing")
	}
	n := cs.updates.Load()
	if n == 0 {
		t.Fatal("successful round wrote nothing")
	}
	// Not modified: nothing to import, the outcomes in one transaction.
	clk.Advance(DefaultInterval)
	waitFetch(t, f)
	waitFetch(t, f)
	waitNext(t, s, clk.Now().Add(DefaultInterval))
	if got := cs.updates.Load() - n; got != 1 {
		t.Errorf("a not-modified round wrote %d transactions, want 1", got)
	}
	s.Close()
	b2, err := Open(Config{Store: mem, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	s2 := newSubscriber(t, b2, clk, f, func(c *SubscriberConfig) { c.URLs = urls })
	for _, st := range s2.Status() {
		if st.Result != ResultNotModified || st.ETag != `"v1"` || !st.LastFetch.Equal(clk.Now()) {
			t.Errorf("stored status %+v", st)
		}
	}
}

// TestRetryCap checks that the doubled retry delay stops at
// MaxRetryInterval.
func TestRetryCap(t *testing.T) {
	b, _, clk := newBook(t)
	f := newFeed()
	f.set("reg.i2p/hosts.txt", "", http.StatusBadGateway)
	s := newSubscriber(t, b, clk, f, func(c *SubscriberConfig) { c.MaxRetryInterval = 3 * DefaultRetryInterval })
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	clk.BlockUntil(1)
	clk.Advance(DefaultInitialDelay)
	for _, want := range []time.Duration{1, 2, 3, 3} {
		waitFetch(t, f)
		d := want * DefaultRetryInterval
		waitNext(t, s, clk.Now().Add(d))
		clk.Advance(d)
	}
	waitFetch(t, f)
}

func TestFetchErrors(t *testing.T) {
	b, _, clk := newBook(t)
	k := newKey(t, 1)
	f := newFeed()
	big := strings.Repeat("# padding\n", 200) + "late.i2p=" + k.b64 + "\n"
	f.set("reg.i2p/hosts.txt", big, 0)
	s := newSubscriber(t, b, clk, f, func(c *SubscriberConfig) { c.MaxSize = 1000 })
	st := s.Fetch(context.Background(), "http://reg.i2p/hosts.txt")
	if st.Result != ResultError || !strings.Contains(st.Err, "too large") || st.ETag != "" {
		t.Errorf("oversized fetch %+v", st)
	}
	if b.Has("late.i2p") {
		t.Error("entry past the size limit imported")
	}

	failing := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("no tunnels")
	})}
	s2, err := NewSubscriber(SubscriberConfig{Book: b, Client: failing, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	st = s2.Fetch(context.Background(), "http://stats.i2p/cgi-bin/newhosts.txt")
	if st.Result != ResultError || !strings.Contains(st.Err, "no tunnels") {
		t.Errorf("transport error %+v", st)
	}
	if got := s2.Status(); len(got) != len(DefaultSubscriptions()) || !sameStatus(got[2], st) {
		t.Errorf("default subscriptions status %+v", got)
	}
}

// sameStatus compares statuses, times by instant.
func sameStatus(a, b SubStatus) bool {
	ta, tb := a.LastFetch, b.LastFetch
	a.LastFetch, b.LastFetch = time.Time{}, time.Time{}
	return a == b && ta.Equal(tb)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestFetchGzip(t *testing.T) {
	b, _, clk := newBook(t)
	k := newKey(t, 1)
	f := newFeed()
	f.gzip = true
	f.set("reg.i2p/hosts.txt", "zipped.i2p="+k.b64+"\n", 0)
	s := newSubscriber(t, b, clk, f, nil)
	if st := s.Fetch(context.Background(), "http://reg.i2p/hosts.txt"); st.Result != ResultOK || st.Added != 1 {
		t.Errorf("gzip fetch %+v", st)
	}
}

func TestNewSubscriberChecks(t *testing.T) {
	b, _, _ := newBook(t)
	c := &http.Client{}
	for name, cfg := range map[string]SubscriberConfig{
		"no book":       {Client: c},
		"no client":     {Book: b},
		"bad scheme":    {Book: b, Client: c, URLs: []string{"ftp://reg.i2p/hosts.txt"}},
		"no host":       {Book: b, Client: c, URLs: []string{"http:///hosts.txt"}},
		"bad bootstrap": {Book: b, Client: c, Bootstrap: "::"},
		"too many":      {Book: b, Client: c, URLs: make([]string, MaxSubscriptions+1)},
		"too long":      {Book: b, Client: c, URLs: []string{"http://reg.i2p/" + strings.Repeat("x", maxURLLen)}},
	} {
		if _, err := NewSubscriber(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func waitFetch(t *testing.T, f *feed) string {
	t.Helper()
	select {
	case p := <-f.fetched:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no fetch")
		return ""
	}
}

func TestSchedule(t *testing.T) {
	b, _, clk := newBook(t)
	k := newKey(t, 1)
	f := newFeed()
	f.set("reg.i2p/hosts.txt", "a.i2p="+k.b64+"\n", 0)
	s := newSubscriber(t, b, clk, f, nil)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	clk.BlockUntil(1)
	if got := s.Next(); !got.Equal(testStart.Add(DefaultInitialDelay)) {
		t.Errorf("first round at %v", got)
	}
	clk.Advance(DefaultInitialDelay - time.Second)
	select {
	case p := <-f.fetched:
		t.Fatalf("fetched %s before the initial delay", p)
	default:
	}
	clk.Advance(time.Second)
	waitFetch(t, f)
	// The round is over once the timer is armed again.
	waitNext(t, s, clk.Now().Add(DefaultInterval))
	if !b.Has("a.i2p") {
		t.Error("round imported nothing")
	}

	// A failing round retries sooner, doubling, never beyond Interval.
	f.set("reg.i2p/hosts.txt", "", http.StatusBadGateway)
	clk.Advance(DefaultInterval)
	waitFetch(t, f)
	waitNext(t, s, clk.Now().Add(DefaultRetryInterval))
	clk.Advance(DefaultRetryInterval)
	waitFetch(t, f)
	waitNext(t, s, clk.Now().Add(2*DefaultRetryInterval))

	// Refresh runs a round at once; success restores the interval.
	f.set("reg.i2p/hosts.txt", "a.i2p="+k.b64+"\n", 0)
	s.Refresh()
	waitFetch(t, f)
	waitNext(t, s, clk.Now().Add(DefaultInterval))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// waitNext waits until the subscriber has armed its timer again, which ends
// a round, and checks when the next round is due.
func waitNext(t *testing.T, s *Subscriber, want time.Time) {
	t.Helper()
	clk := s.clock.(*clocktest.Fake)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clk.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal("round did not end")
	}
	if got := s.Next(); !got.Equal(want) {
		t.Fatalf("next round at %v, want %v", got, want)
	}
}

func TestJitter(t *testing.T) {
	b, _, clk := newBook(t)
	s := newSubscriber(t, b, clk, newFeed(), func(c *SubscriberConfig) { c.Rand = bytes.NewReader(bytes.Repeat([]byte{0xff}, 64)) })
	got := s.jitter(time.Hour)
	if got < time.Hour || got >= time.Hour+6*time.Minute || got == time.Hour {
		t.Errorf("jitter(1h) = %v", got)
	}
	if got := s.jitter(5); got != 5 {
		t.Errorf("jitter of a tiny delay = %v", got)
	}
}

func TestBootstrap(t *testing.T) {
	b, _, clk := newBook(t)
	k := newKey(t, 1)
	f := newFeed()
	boot := "http://shx5vqsw7usdaunyzr2qmes2fq37oumybpudrd4jjj4e4vk4uusa.b32.i2p/hosts.txt"
	f.set("shx5vqsw7usdaunyzr2qmes2fq37oumybpudrd4jjj4e4vk4uusa.b32.i2p/hosts.txt", "reg.i2p="+k.b64+"\n", 0)
	f.set("reg.i2p/hosts.txt", "b.i2p="+k.b64+"\n", 0)
	if err := b.AddLocal("mine.i2p", k.dest); err != nil {
		t.Fatal(err)
	}
	s := newSubscriber(t, b, clk, f, func(c *SubscriberConfig) { c.Bootstrap = DefaultBootstrapURL() })
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	s.Refresh()
	if got := waitFetch(t, f); !strings.HasPrefix(boot, "http://"+got) {
		t.Errorf("first fetch %s, want the bootstrap", got)
	}
	if got := waitFetch(t, f); got != "reg.i2p/hosts.txt" {
		t.Errorf("second fetch %s", got)
	}
	waitNext(t, s, clk.Now().Add(DefaultInterval))
	s.Refresh()
	if got := waitFetch(t, f); got != "reg.i2p/hosts.txt" {
		t.Errorf("bootstrap fetched again (%s) though the book has names", got)
	}
	if st := s.Status(); len(st) != 2 || st[0].URL != boot || st[0].Result != ResultOK {
		t.Errorf("status %+v", st)
	}
}

func TestCloseCancelsFetch(t *testing.T) {
	b, _, clk := newBook(t)
	started := make(chan struct{})
	blocking := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	})
	s := newSubscriber(t, b, clk, blocking, nil)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	s.Refresh()
	<-started
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st := s.Status()[0]
	if st.Result != ResultError {
		t.Errorf("cancelled fetch recorded as %+v", st)
	}
}
