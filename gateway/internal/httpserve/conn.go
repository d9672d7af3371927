package httpserve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"i2pgate/internal/headlimit"
)

// conn is one client connection.
type conn struct {
	s        *Server
	rwc      net.Conn
	lr       headlimit.Reader
	br       *bufio.Reader
	out      outBuf
	hijacked bool // set by the handler's goroutine, which is this conn's
	// linger: the client may still be sending (a request the server
	// refused, a body left unread); see lingerClose.
	linger bool
}

// Lingering close: after the last response, the server stops writing and
// reads what the client still sends for a moment, so that closing with
// unread bytes does not reset the connection before the client has read
// the response.
const lingerTime = 500 * time.Millisecond

func (c *conn) lingerClose() {
	if cw, ok := c.rwc.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.rwc.SetReadDeadline(time.Now().Add(lingerTime))
	io.Copy(io.Discard, c.rwc)
}

func (s *Server) newConn(rwc net.Conn) *conn {
	c := &conn{s: s, rwc: rwc, out: newOutBuf(rwc)}
	c.lr = headlimit.Reader{R: rwc}
	c.br = bufio.NewReaderSize(&c.lr, readBufferSize)
	return c
}

// serve reads and answers requests until the connection ends.
func (c *conn) serve(ctx context.Context) {
	defer func() {
		if !c.hijacked {
			if c.linger {
				c.lingerClose()
			}
			c.rwc.Close()
			c.s.forget(c)
		}
	}()
	ctx = context.WithValue(ctx, http.LocalAddrContextKey, c.rwc.LocalAddr())
	for first := true; ; first = false {
		if ctx.Err() != nil || !c.serveOne(ctx, first) {
			return
		}
	}
}

// serveOne reads one request and answers it; it reports whether the
// connection can carry another.
func (c *conn) serveOne(ctx context.Context, first bool) bool {
	s := c.s
	if !first {
		c.rwc.SetReadDeadline(time.Now().Add(s.idleTimeout()))
		if _, err := c.br.Peek(1); err != nil {
			return false
		}
	}
	start := time.Now()
	deadline := start.Add(s.readHeaderTimeout())
	if s.ReadTimeout > 0 && start.Add(s.ReadTimeout).Before(deadline) {
		deadline = start.Add(s.ReadTimeout)
	}
	c.rwc.SetReadDeadline(deadline)
	c.lr.Limit(s.maxHeaderBytes() + readBufferSize)
	req, err := http.ReadRequest(c.br)
	c.lr.Lift()
	if err != nil {
		c.reject(err)
		return false
	}
	if status, reason := check(req); status != 0 {
		c.replyError(status, reason)
		return false
	}
	if s.ReadTimeout > 0 {
		c.rwc.SetReadDeadline(start.Add(s.ReadTimeout))
	} else {
		c.rwc.SetReadDeadline(time.Time{})
	}
	c.setWriteDeadline()
	return c.handle(ctx, req)
}

// setWriteDeadline starts the WriteTimeout.
func (c *conn) setWriteDeadline() {
	if c.s.WriteTimeout > 0 {
		c.rwc.SetWriteDeadline(time.Now().Add(c.s.WriteTimeout))
	} else {
		c.rwc.SetWriteDeadline(time.Time{})
	}
}

// check refuses requests http.ReadRequest accepts but a server must not
// serve; status 0 means serve it.
func check(req *http.Request) (status int, reason string) {
	if req.ProtoMajor != 1 {
		return http.StatusHTTPVersionNotSupported, "unsupported protocol version"
	}
	// http.ReadRequest moved the Host header (one at most) to req.Host.
	switch {
	case req.ProtoAtLeast(1, 1) && req.Host == "" && req.Method != http.MethodConnect:
		return http.StatusBadRequest, "missing Host header"
	case !validHost(req.Host):
		return http.StatusBadRequest, "malformed Host header"
	}
	if e, ok := req.Header["Expect"]; ok {
		if len(e) != 1 || !strings.EqualFold(e[0], "100-continue") {
			return http.StatusExpectationFailed, "unsupported Expect"
		}
	}
	return 0, ""
}

// validHost accepts the characters a host[:port], an IPv6 literal or a
// registered name may hold.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		b := h[i]
		if b <= ' ' || b >= 0x7f || strings.IndexByte(`"<>\^{|}`+"`", b) >= 0 {
			return false
		}
	}
	return true
}

// handle runs the handler for req and completes the response; it reports
// whether the connection can carry another request.
func (c *conn) handle(ctx context.Context, req *http.Request) bool {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req = req.WithContext(rctx)
	req.RemoteAddr = c.rwc.RemoteAddr().String()
	watch := newWatch(c, cancel)
	w := &response{c: c, req: req, cancel: cancel, watch: watch, header: http.Header{},
		head: req.Method == http.MethodHead, declared: -1}
	var b *body
	if req.Body != nil && req.Body != http.NoBody {
		b = &body{r: req.Body, watch: watch}
		w.body = b
		if req.ProtoAtLeast(1, 1) && req.Header.Get("Expect") != "" {
			w.expectContinue = true
			b.resp = w
		}
		req.Body = b
	} else {
		watch.start() // no body: the next byte from the client is not the handler's
	}
	ok := c.runHandler(w, req)
	watch.stop()
	if b != nil {
		b.Close() // before the response goes out: a later Read fails
	}
	if !ok {
		return false
	}
	if c.hijacked {
		return false
	}
	if err := w.finish(); err != nil || w.closeAfter {
		c.linger = err == nil && b != nil && !b.eof.Load()
		return false
	}
	if b != nil {
		if !b.release() {
			c.linger = true
			return false
		}
		if !b.eof.Load() {
			c.rwc.SetReadDeadline(time.Now().Add(c.s.readHeaderTimeout()))
			if n, err := io.CopyN(io.Discard, b.r, maxDiscard+1); err != io.EOF || n > maxDiscard {
				c.linger = true
				return false
			}
		}
	}
	return true
}

// runHandler calls the handler; after a panic it answers 500 if nothing was
// sent and reports false.
func (c *conn) runHandler(w *response, req *http.Request) (ok bool) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		ok = false
		if v == http.ErrAbortHandler {
			w.mu.Lock()
			w.done = true
			w.mu.Unlock()
			return
		}
		buf := make([]byte, 8<<10)
		buf = buf[:runtime.Stack(buf, false)]
		c.s.logger().Warn("handler panicked", "method", req.Method, "err", fmt.Sprint(v), "stack", string(buf))
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done = true
		if !w.hijacked && !w.committed {
			c.out.reset()
			c.replyError(http.StatusInternalServerError, "internal server error")
		}
	}()
	h := c.s.Handler
	if h == nil {
		h = http.NotFoundHandler()
	}
	h.ServeHTTP(w, req)
	return true
}

// reject answers a request http.ReadRequest could not read, unless the
// client is gone or silent.
func (c *conn) reject(err error) {
	var ne net.Error
	switch {
	case c.lr.Hit():
		c.replyError(http.StatusRequestHeaderFieldsTooLarge, "request header too large")
	case err == io.EOF, errors.Is(err, net.ErrClosed), errors.As(err, &ne):
		// Nothing read, the connection closed or timed out.
	case strings.Contains(err.Error(), "unsupported transfer encoding"):
		c.replyError(http.StatusNotImplemented, "unsupported transfer encoding")
	default:
		c.s.logger().Debug("bad request", "err", err)
		c.replyError(http.StatusBadRequest, "malformed request")
	}
}

// replyError writes a short plain-text error response; the connection
// closes after it.
func (c *conn) replyError(status int, reason string) {
	text := fmt.Sprintf("%d %s: %s\n", status, http.StatusText(status), reason)
	msg := fmt.Sprintf("HTTP/1.1 %03d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n%s", status, http.StatusText(status), len(text), text)
	c.rwc.SetWriteDeadline(time.Now().Add(errorWriteTimeout))
	if c.out.direct([]byte(msg)) == nil {
		c.linger = true
	}
}
