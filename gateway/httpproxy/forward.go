package httpproxy

import (
	"container/list"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"sync"
	"time"

	"i2pgate/gateway"
)

// Limits of the site-side connection pools.
const (
	// maxTransports bounds the isolation keys with a pool of their own (one per
	// client IP with per-client isolation); the least recently used is
	// dropped.
	maxTransports       = 32
	maxIdleConns        = 8 // per transport
	maxIdleConnsPerHost = 2
	idleConnTimeout     = 60 * time.Second
	// copyBufferSize and maxPooledBuffers size the response copy buffers.
	copyBufferSize   = 16 << 10
	maxPooledBuffers = 16
)

// routeCtxKey carries a request's route from ServeHTTP to Rewrite and RoundTrip.
type routeCtxKey struct{}

type routeInfo struct {
	rt     route
	client netip.Addr
}

func routeOf(r *http.Request) *routeInfo {
	info, _ := r.Context().Value(routeCtxKey{}).(*routeInfo)
	return info
}

// forward proxies an absolute-URI request to an eepsite, or through the
// outproxy, streaming both bodies.
func (s *Server) forward(w http.ResponseWriter, r *http.Request, rt route, client netip.Addr) {
	ctx := context.WithValue(r.Context(), routeCtxKey{}, &routeInfo{rt: rt, client: client})
	s.proxy.ServeHTTP(w, r.WithContext(ctx))
}

// rewrite is ReverseProxy's Rewrite: hop-by-hop and X-Forwarded headers are
// already gone; the target URL is the one asked for (helper and fragment
// removed) and the headers get the I2P hygiene.
func (s *Server) rewrite(pr *httputil.ProxyRequest) {
	info := routeOf(pr.In)
	u := *info.rt.url
	pr.Out.URL = &u
	pr.Out.Host = u.Host
	sanitizeHeader(pr.Out.Header, &u, info.rt.kind == routeClearnet)
}

// modifyResponse counts answers and drops Alt-Svc, which would send the browser
// to another address around the proxy.
func (s *Server) modifyResponse(resp *http.Response) error {
	s.stats.forwarded.Add(1)
	resp.Header.Del("Alt-Svc")
	return nil
}

// proxyError answers a request whose site could not be reached.
func (s *Server) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	host := ""
	if info := routeOf(r); info != nil {
		host = info.rt.hostport
	}
	s.log.Debug("forward failed", "target", s.redact(host), "kind", gateway.Classify(err))
	s.fail(w, host, err)
}

// transportKey selects a connection pool: per client IP with isolation, and
// apart for the outproxy.
type transportKey struct {
	client   netip.Addr // zero without isolation
	outproxy bool
}

// transports is the RoundTripper of the ReverseProxy: an http.Transport per
// key, whose DialContext is the I2P Dialer, least recently used first out.
type transports struct {
	s *Server
	// mu guards byKey and lru.
	mu    sync.Mutex
	byKey map[transportKey]*list.Element // value: *pooledTransport
	lru   *list.List
}

type pooledTransport struct {
	key transportKey
	t   *http.Transport
}

func newTransports(s *Server) *transports {
	return &transports{s: s, byKey: make(map[transportKey]*list.Element), lru: list.New()}
}

func (p *transports) RoundTrip(req *http.Request) (*http.Response, error) {
	info := routeOf(req)
	if info == nil {
		return nil, errors.New("httpproxy: request without route")
	}
	key := transportKey{outproxy: info.rt.kind == routeClearnet}
	if p.s.cfg.DialerFor != nil {
		key.client = info.client
	}
	return p.get(key, info.client).RoundTrip(req)
}

func (p *transports) get(key transportKey, client netip.Addr) *http.Transport {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.byKey[key]; ok {
		p.lru.MoveToFront(e)
		return e.Value.(*pooledTransport).t
	}
	t := p.s.newTransport(key, client)
	p.byKey[key] = p.lru.PushFront(&pooledTransport{key: key, t: t})
	if p.lru.Len() > maxTransports {
		old := p.lru.Remove(p.lru.Back()).(*pooledTransport)
		delete(p.byKey, old.key)
		old.t.CloseIdleConnections()
	}
	return t
}

func (p *transports) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for e := p.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*pooledTransport).t.CloseIdleConnections()
	}
	p.byKey = make(map[transportKey]*list.Element)
	p.lru.Init()
}

// newTransport makes the pool for one key. Its dials go only to I2P names: the
// site itself, or the outproxy for clearnet requests (never the clearnet host).
func (s *Server) newTransport(key transportKey, client netip.Addr) *http.Transport {
	d := s.dialerFor(client)
	t := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, fmt.Errorf("httpproxy: dial %w", err)
			}
			if _, ok := gateway.I2PName(host); !ok || (key.outproxy && addr != s.outproxy.Host) {
				return nil, fmt.Errorf("httpproxy: refusing to dial outside I2P: %w", gateway.ErrNotAllowed)
			}
			return s.dial(ctx, d, addr)
		},
		MaxIdleConns:           maxIdleConns,
		MaxIdleConnsPerHost:    maxIdleConnsPerHost,
		IdleConnTimeout:        idleConnTimeout,
		ResponseHeaderTimeout:  responseHeaderTimeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		DisableCompression:     true, // Accept-Encoding passes as the browser sent it
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	if key.outproxy {
		t.Proxy = http.ProxyURL(s.outproxy)
	}
	return t
}

// dialerFor is the client's Dialer (nil when DialerFor refuses it).
func (s *Server) dialerFor(client netip.Addr) gateway.Dialer {
	if s.cfg.DialerFor != nil {
		return s.cfg.DialerFor(client)
	}
	return s.cfg.Dialer
}

// dial opens a stream with the dial timeout, aborted by Close. A timeout is
// reported as gateway.ErrTimeout.
func (s *Server) dial(ctx context.Context, d gateway.Dialer, addr string) (net.Conn, error) {
	if d == nil {
		return nil, errors.New("httpproxy: no dialer for this client")
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.DialTimeout)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if gateway.Classify(err) == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w: %w", gateway.ErrTimeout, err)
		}
		return nil, err
	}
	return c, nil
}

// bufferPool is a bounded pool of response copy buffers.
type bufferPool chan []byte

func newBufferPool() bufferPool { return make(bufferPool, maxPooledBuffers) }

func (p bufferPool) Get() []byte {
	select {
	case b := <-p:
		return b
	default:
		return make([]byte, copyBufferSize)
	}
}

func (p bufferPool) Put(b []byte) {
	if cap(b) != copyBufferSize {
		return
	}
	select {
	case p <- b[:copyBufferSize]:
	default:
	}
}
