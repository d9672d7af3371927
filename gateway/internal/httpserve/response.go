package httpserve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// preHeaderLimit is how much body the response holds before its header is
// written: a body that fits and is complete when the handler returns gets a
// Content-Length; room is kept to make it the first chunk otherwise.
const preHeaderLimit = writeBufferSize - chunkSlot - 2

var (
	_ http.ResponseWriter = (*response)(nil)
	_ http.Flusher        = (*response)(nil)
	_ http.Hijacker       = (*response)(nil)
)

// response is the http.ResponseWriter for one request.
type response struct {
	c      *conn
	req    *http.Request
	body   *body // nil: no request body
	cancel context.CancelFunc
	watch  *watch      // the background read while the handler runs
	header http.Header // the handler's
	head   bool        // HEAD: no body bytes are sent
	// expectContinue: the client waits for "100 Continue" before the body.
	expectContinue bool

	// mu guards the fields below and the connection's outBuf: the handler's
	// writes and a body read's 100 Continue may come from two goroutines.
	mu           sync.Mutex
	status       int         // final status; 0: not yet set
	sent         http.Header // the header as of WriteHeader
	declared     int64       // Content-Length the handler set; -1: none
	written      int64       // body bytes the handler wrote
	sniff        []byte      // first bytes of a HEAD body, for Content-Type
	committed    bool        // the final header is in the outBuf
	continueSent bool        // 100 Continue written (or no longer possible)
	closeAfter   bool        // the connection ends after this response
	hijacked     bool
	done         bool  // the handler returned: the connection is no longer its
	err          error // first write error
}

// errHandlerReturned is what a write after the handler returned gets.
var errHandlerReturned = errors.New("httpserve: response used after the handler returned")

func (r *response) Header() http.Header { return r.header }

func (r *response) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("httpserve: invalid WriteHeader code %d", code))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writeHeaderLocked(code)
}

func (r *response) writeHeaderLocked(code int) {
	if r.hijacked || r.done || r.status != 0 {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		r.writeInformationalLocked(code)
		return
	}
	r.status = code
	r.sent = r.header.Clone()
	if r.sent == nil {
		r.sent = http.Header{}
	}
	r.declared = -1
	if v := r.sent.Get("Content-Length"); v != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err == nil && n >= 0 {
			r.declared = n
			r.sent.Set("Content-Length", strconv.FormatInt(n, 10))
		} else {
			r.c.s.logger().Debug("handler set a bad Content-Length", "value", v)
			r.sent.Del("Content-Length")
		}
	}
	r.sent.Del("Transfer-Encoding")
	if hasToken(r.sent["Connection"], "close") {
		r.closeAfter = true
	}
}

// writeInformationalLocked sends a 1xx response with the handler's header
// to an HTTP/1.1 client before the final header.
func (r *response) writeInformationalLocked(code int) {
	if r.committed || !r.req.ProtoAtLeast(1, 1) {
		return
	}
	if code == http.StatusContinue {
		if r.continueSent {
			return
		}
		r.continueSent = true
	}
	var b bytes.Buffer
	writeStatusLine(&b, code)
	r.header.Write(&b)
	b.WriteString("\r\n")
	r.failLocked(r.c.out.direct(b.Bytes()))
}

// sendContinue writes "100 Continue" unless the final header went out.
func (r *response) sendContinue() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hijacked || r.done || r.committed || r.continueSent {
		r.continueSent = true
		return nil
	}
	r.continueSent = true
	r.c.setWriteDeadline()
	err := r.c.out.direct([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
	r.failLocked(err)
	return err
}

func (r *response) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hijacked {
		return 0, http.ErrHijacked
	}
	if r.done {
		return 0, errHandlerReturned
	}
	if r.err != nil {
		return 0, r.err
	}
	if r.status == 0 {
		r.writeHeaderLocked(http.StatusOK)
	}
	if !bodyAllowed(r.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if r.declared >= 0 && int64(len(p)) > r.declared-r.written {
		return 0, http.ErrContentLength
	}
	r.written += int64(len(p))
	if r.head {
		if len(r.sniff) < 512 {
			r.sniff = append(r.sniff, p[:min(len(p), 512-len(r.sniff))]...)
		}
		return len(p), nil
	}
	o := &r.c.out
	if !r.committed {
		if o.pending()+len(p) <= preHeaderLimit {
			o.buf = append(o.buf, p...)
			return len(p), nil
		}
		if err := r.commitLocked(false, p); err != nil {
			return 0, err
		}
	}
	n, err := o.Write(p)
	r.failLocked(err)
	return n, err
}

// failLocked records a write error: the connection is broken, so the
// request's context ends.
func (r *response) failLocked(err error) {
	if err != nil && r.err == nil {
		r.err = err
		r.closeAfter = true
		r.cancel()
	}
}

func bodyAllowed(status int) bool {
	return !(status >= 100 && status < 200 || status == http.StatusNoContent || status == http.StatusNotModified)
}

// commitLocked puts the final header in the outBuf before the body held so
// far, choosing the framing. final: the handler returned, so the held body
// is all of it. next is the body write that did not fit, for sniffing.
func (r *response) commitLocked(final bool, next []byte) error {
	r.committed = true
	h := r.sent
	o := &r.c.out
	chunked := false
	switch {
	case r.hijacked:
		// The handler frames what follows.
	case !bodyAllowed(r.status):
	case r.head:
		if final && r.declared < 0 && r.written > 0 {
			h.Set("Content-Length", strconv.FormatInt(r.written, 10))
		}
	case r.declared >= 0:
	case final:
		h.Set("Content-Length", strconv.Itoa(o.pending()))
	case r.req.ProtoAtLeast(1, 1):
		chunked = true
		h.Set("Transfer-Encoding", "chunked")
	default:
		r.closeAfter = true // the end of the body is the end of the connection
	}
	if _, ok := h["Content-Type"]; !ok && bodyAllowed(r.status) && r.written > 0 {
		data := r.sniff
		if !r.head {
			data = o.buf[o.off:]
			if len(data) == 0 {
				data = next
			}
		}
		h.Set("Content-Type", http.DetectContentType(data))
	}
	if _, ok := h["Date"]; !ok {
		h.Set("Date", r.c.s.now().UTC().Format(http.TimeFormat))
	}
	if !r.hijacked {
		r.decideCloseLocked()
		if r.closeAfter {
			h.Del("Connection")
			h.Set("Connection", "close")
		} else if !r.req.ProtoAtLeast(1, 1) {
			h.Set("Connection", "keep-alive")
		}
	}
	var b bytes.Buffer
	writeStatusLine(&b, r.status)
	h.Write(&b)
	b.WriteString("\r\n")
	err := o.putHeader(b.Bytes(), chunked)
	r.failLocked(err)
	return err
}

// decideCloseLocked says, when the header is written, whether the
// connection can carry another request after this one.
func (r *response) decideCloseLocked() {
	switch {
	case r.req.Close, r.c.s.isClosed(), r.status == http.StatusSwitchingProtocols:
		r.closeAfter = true
	case r.expectContinue && !r.continueSent:
		// The client may or may not send the body it was not asked for.
		r.closeAfter = true
	case r.body != nil && !r.body.eof.Load():
		// Unread body: drop it afterwards if it is small, else close.
		if r.req.ContentLength < 0 || r.req.ContentLength > maxDiscard {
			r.closeAfter = true
		}
	}
}

func writeStatusLine(b *bytes.Buffer, code int) {
	text := http.StatusText(code)
	if text == "" {
		text = "status code " + strconv.Itoa(code)
	}
	fmt.Fprintf(b, "HTTP/1.1 %03d %s\r\n", code, text)
}

// hasToken reports whether a comma-separated header value lists tok.
func hasToken(values []string, tok string) bool {
	for _, v := range values {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), tok) {
				return true
			}
		}
	}
	return false
}

// Flush writes the header and the body so far (as a chunk when the length
// is unknown).
func (r *response) Flush() { r.FlushError() }

// FlushError is Flush returning the write error; http.ResponseController
// uses it.
func (r *response) FlushError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hijacked {
		return http.ErrHijacked
	}
	if r.done {
		return errHandlerReturned
	}
	if r.status == 0 {
		r.writeHeaderLocked(http.StatusOK)
	}
	if !r.committed {
		if err := r.commitLocked(false, nil); err != nil {
			return err
		}
	}
	err := r.c.out.Flush()
	r.failLocked(err)
	return err
}

// finish completes the response after the handler returned.
func (r *response) finish() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hijacked {
		return nil
	}
	defer func() { r.done = true }()
	if r.status == 0 {
		r.writeHeaderLocked(http.StatusOK)
	}
	if !r.committed {
		if err := r.commitLocked(true, nil); err != nil {
			return err
		}
	}
	o := &r.c.out
	if o.chunked {
		r.failLocked(o.endChunked())
	}
	if r.declared >= 0 && r.written < r.declared && bodyAllowed(r.status) && !r.head {
		r.closeAfter = true // the client waits for bytes that will not come
	}
	r.failLocked(o.Flush())
	return r.err
}

// Hijack hands the connection to the handler: the server forgets it
// (Close no longer closes it), clears its deadlines and sends what was
// written before. The reader holds the bytes already read from the client.
func (r *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hijacked {
		return nil, nil, http.ErrHijacked
	}
	if r.done {
		return nil, nil, errHandlerReturned
	}
	if r.body != nil {
		r.body.Close()
	}
	if r.status != 0 && !r.committed {
		r.hijacked = true
		r.commitLocked(false, nil)
	}
	r.hijacked = true
	if err := r.c.out.Flush(); err != nil {
		return nil, nil, err
	}
	// The background read ends before the handler owns the reader; a
	// pipelined byte it read is in c.br.
	r.watch.stop()
	c := r.c
	c.hijacked = true
	c.s.forget(c)
	c.rwc.SetDeadline(time.Time{})
	return c.rwc, bufio.NewReadWriter(c.br, bufio.NewWriterSize(c.rwc, writeBufferSize)), nil
}

// SetReadDeadline sets the connection's read deadline (for
// http.ResponseController).
func (r *response) SetReadDeadline(t time.Time) error { return r.c.rwc.SetReadDeadline(t) }

// SetWriteDeadline sets the connection's write deadline (for
// http.ResponseController).
func (r *response) SetWriteDeadline(t time.Time) error { return r.c.rwc.SetWriteDeadline(t) }

// EnableFullDuplex does nothing: the body can always be read while the
// response is written.
func (r *response) EnableFullDuplex() error { return nil }
