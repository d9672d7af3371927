package httpproxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"i2pgate/gateway"
)

// forward proxies an absolute-URI request to an eepsite, or through the
// outproxy, on a stream of its own: the request goes out with "Connection:
// close" (as i2pd's and Java I2P's proxies send it) and both bodies stream. The
// stream is closed when the answer has been copied, when the client goes away
// and when the Server closes.
func (s *Server) forward(w http.ResponseWriter, r *http.Request, rt route, client netip.Addr) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stopClose := context.AfterFunc(s.ctx, cancel)
	defer stopClose()

	clearnet := rt.kind == routeClearnet
	addr := rt.hostport
	if clearnet {
		addr = s.outproxy.Host
	}
	if host, _, err := net.SplitHostPort(addr); err != nil {
		s.proxyError(w, rt, fmt.Errorf("httpproxy: dial %w", err))
		return
	} else if _, ok := gateway.I2PName(host); !ok {
		s.proxyError(w, rt, fmt.Errorf("httpproxy: refusing to dial outside I2P: %w", gateway.ErrNotAllowed))
		return
	}
	stream, err := s.dial(ctx, s.dialerFor(client), addr)
	if err != nil {
		s.proxyError(w, rt, err)
		return
	}
	defer stream.Close()
	stopStream := context.AfterFunc(ctx, func() { stream.Close() })
	defer stopStream()

	out := outgoing(r, rt)
	if out.Body != nil {
		// The upload may still be read while the answer is written.
		http.NewResponseController(w).EnableFullDuplex()
	}
	x := newExchange(stream, s.bufs)
	defer x.finish() // waits for the request writer
	x.send(out, clearnet, s.headerTimeout)
	resp, err := x.readResponse(out)
	if err != nil {
		s.proxyError(w, rt, err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusSwitchingProtocols {
		s.upgrade(w, rt, out, resp, x)
		return
	}
	s.stats.forwarded.Add(1)
	s.respond(w, resp, x)
}

// outgoing is the request sent to the site: the target URL asked for (helper
// and fragment removed), hop-by-hop headers removed (a WebSocket-style upgrade
// is kept), the I2P header hygiene applied, and the client's body, unbuffered.
func outgoing(r *http.Request, rt route) *http.Request {
	u := *rt.url
	h := r.Header.Clone()
	if h == nil {
		h = make(http.Header)
	}
	up := upgradeType(h)
	removeHopHeaders(h)
	sanitizeHeader(h, &u, rt.kind == routeClearnet)
	out := &http.Request{
		Method:     r.Method,
		URL:        &u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Host:       u.Host,
		Close:      up == "",
	}
	if up != "" {
		h.Set("Connection", "Upgrade")
		h.Set("Upgrade", up)
	}
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		out.Body = r.Body
		out.ContentLength = r.ContentLength
	}
	return out
}

// hopHeaders concern one connection only (RFC 9110 section 7.6.1) and are not
// passed on, in either direction.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// removeHopHeaders deletes the hop-by-hop headers and those Connection names.
func removeHopHeaders(h http.Header) {
	for _, v := range h["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				delete(h, http.CanonicalHeaderKey(f))
			}
		}
	}
	for _, k := range hopHeaders {
		delete(h, k)
	}
}

// upgradeType is the protocol a request or response upgrades to ("" when
// Connection does not list "upgrade").
func upgradeType(h http.Header) string {
	for _, v := range h["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "upgrade") {
				return h.Get("Upgrade")
			}
		}
	}
	return ""
}

// proxyError answers a request whose site could not be reached or did not
// answer.
func (s *Server) proxyError(w http.ResponseWriter, rt route, err error) {
	s.log.Debug("forward failed", "target", s.redact(rt.hostport), "kind", gateway.Classify(err))
	s.fail(w, rt.hostport, err)
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
