package socks

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"

	socks5 "github.com/armon/go-socks5"

	"i2pgate/gateway"
)

// SOCKS5 reply codes (RFC 1928 section 6).
const (
	ReplySucceeded          byte = 0x00
	ReplyGeneralFailure     byte = 0x01
	ReplyNotAllowed         byte = 0x02 // connection not allowed by ruleset
	ReplyNetworkUnreachable byte = 0x03
	ReplyHostUnreachable    byte = 0x04
	ReplyConnectionRefused  byte = 0x05
	ReplyTTLExpired         byte = 0x06
	ReplyCommandUnsupported byte = 0x07
)

// ReplyCode is the reply sent for a failed dial: host unreachable for unknown
// names and destinations not found, TTL expired for timeouts, network
// unreachable when the destination has no tunnels yet, ruleset for clearnet
// without outproxy, connection refused when the peer refused, general failure
// otherwise.
func ReplyCode(err error) byte {
	switch gateway.Classify(err) {
	case gateway.ErrUnknownName, gateway.ErrNotFound:
		return ReplyHostUnreachable
	case gateway.ErrTimeout:
		return ReplyTTLExpired
	case gateway.ErrNoTunnels:
		return ReplyNetworkUnreachable
	case gateway.ErrNotAllowed:
		return ReplyNotAllowed
	case gateway.ErrRefused:
		return ReplyConnectionRefused
	}
	return ReplyGeneralFailure
}

// targetKind says where a request goes.
type targetKind int

const (
	targetNone     targetKind = iota
	targetI2P                 // a .i2p name, given or mapped back from a virtual IP
	targetClearnet            // anything else: outproxy or refused
)

// session is the state of one client connection. go-socks5 calls its methods
// (Rewrite, Allow, dial) and writes its replies through replyConn, all on the
// connection's goroutine, in that order.
type session struct {
	s      *Server
	conn   net.Conn
	client netip.Addr

	kind targetKind
	addr string // what the Dialer gets: "name.i2p:port" or the clearnet "host:port"
	// override is the reply code for the next reply go-socks5 writes, set when
	// a dial fails (0: leave its code).
	override byte
}

// noResolver leaves names unresolved: go-socks5 then dials the name itself
// (AddrSpec.Address falls back to the FQDN), so no name ever reaches DNS.
type noResolver struct{}

func (noResolver) Resolve(ctx context.Context, name string) (context.Context, net.IP, error) {
	return ctx, nil, nil
}

// Rewrite classifies the target and maps virtual IPs back to their names. It
// runs before Allow.
func (ss *session) Rewrite(ctx context.Context, req *socks5.Request) (context.Context, *socks5.AddrSpec) {
	d := req.DestAddr
	port := strconv.Itoa(d.Port)
	if d.FQDN != "" {
		if name, ok := gateway.I2PName(d.FQDN); ok {
			ss.kind, ss.addr = targetI2P, net.JoinHostPort(name, port)
			return ctx, &socks5.AddrSpec{FQDN: name, Port: d.Port}
		}
		ss.kind, ss.addr = targetClearnet, net.JoinHostPort(d.FQDN, port)
		return ctx, d
	}
	ip, ok := netip.AddrFromSlice(d.IP)
	if !ok {
		ss.kind = targetNone
		return ctx, d
	}
	ip = ip.Unmap()
	if ss.s.cfg.Reverse != nil {
		if name, ok := ss.s.cfg.Reverse(ip); ok {
			if name, ok := gateway.I2PName(name); ok {
				ss.kind, ss.addr = targetI2P, net.JoinHostPort(name, port)
				return ctx, &socks5.AddrSpec{FQDN: name, Port: d.Port}
			}
		}
	}
	ss.kind, ss.addr = targetClearnet, net.JoinHostPort(ip.String(), port)
	return ctx, d
}

// Allow lets CONNECT to I2P through, and to clearnet only with an outproxy.
// Other commands pass so that go-socks5 answers them "command not supported".
func (ss *session) Allow(ctx context.Context, req *socks5.Request) (context.Context, bool) {
	if req.Command != socks5.ConnectCommand {
		ss.s.stats.unsupported.Add(1)
		return ctx, true
	}
	switch {
	case ss.kind == targetI2P:
		return ctx, true
	case ss.kind == targetClearnet && ss.s.cfg.Outproxy != nil:
		return ctx, true
	}
	ss.s.stats.count(gateway.ErrNotAllowed)
	return ctx, false
}

// dial is go-socks5's Dial. It ignores addr (the rewritten target, already in
// ss.addr) and go-socks5's context (not canceled by Close).
func (ss *session) dial(_ context.Context, _, _ string) (net.Conn, error) {
	ss.conn.SetDeadline(time.Time{})
	var d gateway.Dialer
	if ss.kind == targetClearnet {
		d = ss.s.cfg.Outproxy
	} else if ss.s.cfg.DialerFor != nil {
		d = ss.s.cfg.DialerFor(ss.client)
	} else {
		d = ss.s.cfg.Dialer
	}
	if d == nil {
		ss.override = ReplyGeneralFailure
		ss.s.stats.count(nil)
		return nil, fmt.Errorf("socks: no dialer for client")
	}
	ctx, cancel := context.WithTimeout(ss.s.ctx, ss.s.cfg.DialTimeout)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", ss.addr)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("%w: %w", gateway.ErrTimeout, err)
		}
		ss.override = ReplyCode(err)
		ss.s.stats.count(gateway.Classify(err))
		ss.s.log.Debug("dial failed", "target", ss.s.redact(ss.addr), "err", ss.s.redactErr(err))
		return nil, fmt.Errorf("socks: dial: %w", err)
	}
	ss.s.stats.connected.Add(1)
	t := &targetConn{Conn: c, stats: &ss.s.stats, srv: ss.s}
	if !ss.s.track(t) {
		c.Close()
		return nil, fmt.Errorf("socks: dial: %w", net.ErrClosed)
	}
	return t, nil
}

// replyConn is the client connection as go-socks5 sees it: the first write
// after a failed dial is that failure's reply, whose code it replaces.
type replyConn struct {
	net.Conn
	sess *session
}

func (c *replyConn) Write(p []byte) (int, error) {
	if code := c.sess.override; code != 0 && len(p) >= 2 && p[0] == 5 {
		c.sess.override = 0
		q := append([]byte(nil), p...)
		q[1] = code
		return c.Conn.Write(q)
	}
	return c.Conn.Write(p)
}

// relayBufferSize is the copy buffer of the stream-to-client direction of a
// relay (the other direction reads through go-socks5's 4 KB bufio.Reader).
const relayBufferSize = 8 << 10

// ReadFrom copies the I2P stream to the client through a relayBufferSize
// buffer: go-socks5 relays with io.Copy, which would allocate 32 KB for each
// connection, and the listener holds up to gateway.DefaultMaxConns of them.
func (c *replyConn) ReadFrom(r io.Reader) (int64, error) {
	return io.CopyBuffer(onlyWriter{c}, r, make([]byte, relayBufferSize))
}

// onlyWriter hides ReaderFrom so that io.CopyBuffer uses the bounded buffer.
type onlyWriter struct{ io.Writer }

// CloseWrite passes go-socks5's half-close on to the client's TCP connection.
func (c *replyConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// targetConn is the I2P stream as go-socks5 sees it. go-socks5 asserts that
// LocalAddr is a *net.TCPAddr (for the bound address of its reply), which an I2P
// stream's is not; the reply says 0.0.0.0:0. It counts the bytes relayed.
type targetConn struct {
	net.Conn
	stats *counters
	srv   *Server
}

// Close closes the stream and forgets it.
func (c *targetConn) Close() error {
	c.srv.untrack(c)
	return c.Conn.Close()
}

var unspecified = &net.TCPAddr{IP: net.IPv4zero}

func (c *targetConn) LocalAddr() net.Addr { return unspecified }

func (c *targetConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.stats.bytesDown.Add(int64(n))
	return n, err
}

func (c *targetConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.stats.bytesUp.Add(int64(n))
	return n, err
}

// CloseWrite passes the client's end of input on to the stream: a half-close
// when the stream has one, else a full close (as i2pd does on client EOF), so
// that the relay never waits on a destination that cannot learn of it.
func (c *targetConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}
