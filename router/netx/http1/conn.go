package http1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"i2pgate/internal/headlimit"
)

const (
	// readBufferSize is the buffer between the connection and the parser.
	readBufferSize = 4 << 10
	// maxInformational bounds the 1xx responses skipped before the final one.
	maxInformational = 5
)

// roundTrip does one request on a new connection.
func (c *Client) roundTrip(ctx context.Context, req *http.Request) (*http.Response, error) {
	addr, serverName, secure, err := target(req.URL)
	if err != nil {
		return nil, err
	}
	if secure && c.Secure == nil {
		return nil, fmt.Errorf("%w (%s)", ErrNoTLS, clip(req.URL.Host))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("http1: %w", err)
	}
	raw, err := c.dial(ctx, addr)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
		return nil, fmt.Errorf("http1: %w", err)
	}
	cc := &connCloser{conn: raw}
	stop := context.AfterFunc(ctx, cc.close)
	fail := func(err error) (*http.Response, error) {
		stop()
		cc.close()
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("http1: %w", cerr)
		}
		return nil, err
	}
	conn := raw
	if secure {
		conn, err = c.Secure(ctx, raw, serverName)
		if err != nil {
			return fail(fmt.Errorf("http1: %w", err))
		}
		cc.set(conn)
	}
	out := req.Clone(ctx)
	out.Close = true
	if err := out.Write(conn); err != nil {
		return fail(fmt.Errorf("http1: writing the request: %w", err))
	}
	resp, err := c.readResponse(conn, out)
	if err != nil {
		return fail(err)
	}
	resp.Body = &body{rc: resp.Body, ctx: ctx, stop: stop, cc: cc}
	return resp, nil
}

// readResponse reads the final response header for req within
// MaxHeaderBytes and HeaderTimeout, skipping informational (1xx) ones.
func (c *Client) readResponse(conn net.Conn, req *http.Request) (*http.Response, error) {
	limit := c.MaxHeaderBytes
	if limit <= 0 {
		limit = DefaultMaxHeaderBytes
	}
	if c.HeaderTimeout > 0 {
		if err := conn.SetReadDeadline(time.Now().Add(c.HeaderTimeout)); err != nil {
			return nil, fmt.Errorf("http1: %w", err)
		}
	}
	lr := headlimit.New(conn, limit)
	br := bufio.NewReaderSize(lr, readBufferSize)
	for i := 0; ; i++ {
		resp, err := http.ReadResponse(br, req)
		switch {
		case err != nil && lr.Hit():
			return nil, fmt.Errorf("%w: more than %d bytes", ErrHeaderTooLarge, limit)
		case err != nil && isTimeout(err):
			return nil, fmt.Errorf("http1: no response header within %v: %w", c.HeaderTimeout, err)
		case err != nil:
			return nil, fmt.Errorf("http1: reading the response: %w", err)
		}
		if resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols && i < maxInformational {
			continue
		}
		lr.Lift()
		if c.HeaderTimeout > 0 {
			if err := conn.SetReadDeadline(time.Time{}); err != nil {
				return nil, fmt.Errorf("http1: %w", err)
			}
		}
		return resp, nil
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// target returns the address to dial for u, the TLS server name and
// whether it is https.
func target(u *url.URL) (addr, serverName string, secure bool, err error) {
	port := ""
	switch strings.ToLower(u.Scheme) {
	case "http":
		port = "80"
	case "https":
		port, secure = "443", true
	default:
		return "", "", false, fmt.Errorf("http1: unsupported scheme %q", clip(u.Scheme))
	}
	host := u.Hostname()
	if host == "" {
		return "", "", false, errors.New("http1: URL has no host")
	}
	if p := u.Port(); p != "" {
		port = p
	}
	return net.JoinHostPort(host, port), host, secure, nil
}

func (c *Client) dial(ctx context.Context, addr string) (net.Conn, error) {
	var conn net.Conn
	var err error
	if c.Dial != nil {
		conn, err = c.Dial(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err == nil && conn == nil {
		err = errors.New("dial returned no connection")
	}
	return conn, err
}

// connCloser closes the connection of a request once: the TLS conn when
// there is one, else the dialed one.
type connCloser struct {
	// mu guards conn and closed: the context's AfterFunc may close while
	// the TLS handshake replaces conn.
	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

func (c *connCloser) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		c.conn.Close()
	}
}

// set makes conn the one to close; closed already, it closes it now.
func (c *connCloser) set(conn net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = conn
	if c.closed {
		conn.Close()
	}
}

// body is a response body whose Close closes the connection and whose
// reads fail with the context's error once it ended.
type body struct {
	rc   io.ReadCloser
	ctx  context.Context
	stop func() bool
	cc   *connCloser
	once sync.Once
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		if cerr := b.ctx.Err(); cerr != nil {
			err = fmt.Errorf("http1: %w", cerr)
		}
	}
	return n, err
}

// Close closes the connection first, so that net/http's body, which
// drains what is left, finds nothing more to wait for.
func (b *body) Close() error {
	b.once.Do(func() {
		b.stop()
		b.cc.close()
		b.rc.Close()
	})
	return nil
}
