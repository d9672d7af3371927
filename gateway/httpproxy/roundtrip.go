package httpproxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/gateway"
	"i2pgate/internal/headlimit"
)

// Limits of one exchange with a site.
const (
	// responseReadBufferSize is the read buffer of a site's answer; the
	// header limit allows for what it reads ahead.
	responseReadBufferSize = 4 << 10
	requestWriteBufferSize = 4 << 10
	// max1xx bounds the informational answers skipped before the final one.
	max1xx = 5
)

var errHeaderTooLarge = errors.New("httpproxy: the site's response header is too large")

// exchange is one request and its answer on a stream of its own. The request
// is written by a goroutine of its own (its body streams from the client as
// it comes) while the answer is read; once the request is written, the site
// has the header timeout to begin its answer (the stream is closed then).
type exchange struct {
	stream net.Conn
	bufs   bufferPool
	limit  *headlimit.Reader // the answer's headers, 1xx ones included
	br     *bufio.Reader
	wrote  chan struct{} // closed when the writer is done
	// bodyErr is the first error reading the client's upload.
	bodyErr errBox

	// wait guards the header timer: armed when the request is written,
	// stopped when the answer's header arrives.
	wait struct {
		sync.Mutex
		timer    *time.Timer
		answered bool
	}
	timedOut atomic.Bool
	timeout  time.Duration
}

func newExchange(stream net.Conn, bufs bufferPool) *exchange {
	x := &exchange{stream: stream, bufs: bufs, wrote: make(chan struct{})}
	x.limit = headlimit.New(stream, maxHeaderBytes+responseReadBufferSize)
	x.br = bufio.NewReaderSize(x.limit, responseReadBufferSize)
	return x
}

// send starts writing req: in origin form to a site, in absolute form to the
// outproxy (an HTTP proxy).
func (x *exchange) send(req *http.Request, viaProxy bool, timeout time.Duration) {
	x.timeout = timeout
	if req.Body != nil {
		req.Body = &clientBody{ReadCloser: req.Body, err: &x.bodyErr}
	}
	go func() {
		defer close(x.wrote)
		bw := bufio.NewWriterSize(streamWriter{x.stream, x.bufs}, requestWriteBufferSize)
		var err error
		if viaProxy {
			err = req.WriteProxy(bw)
		} else {
			err = req.Write(bw)
		}
		if err == nil {
			err = bw.Flush()
		}
		switch {
		case x.bodyErr.get() != nil:
			// The client's upload broke: the site would wait for the rest.
			x.stream.Close()
		case err == nil:
			x.armTimeout()
		}
	}()
}

// finish closes the stream and waits for the writer. The writer may still
// be reading the client's upload, which ends when the client sends the rest,
// goes away, or the server closes its connection.
func (x *exchange) finish() {
	x.stream.Close()
	<-x.wrote
	x.wait.Lock()
	x.wait.answered = true
	if x.wait.timer != nil {
		x.wait.timer.Stop()
	}
	x.wait.Unlock()
}

func (x *exchange) armTimeout() {
	x.wait.Lock()
	defer x.wait.Unlock()
	if x.wait.answered {
		return
	}
	x.wait.timer = time.AfterFunc(x.timeout, func() {
		x.timedOut.Store(true)
		x.stream.Close()
	})
}

func (x *exchange) answered() {
	x.wait.Lock()
	defer x.wait.Unlock()
	x.wait.answered = true
	if x.wait.timer != nil {
		x.wait.timer.Stop()
	}
}

// readResponse reads the site's answer to req, skipping informational (1xx)
// answers but 101 Switching Protocols, within the header size limit.
func (x *exchange) readResponse(req *http.Request) (*http.Response, error) {
	for range max1xx + 1 {
		resp, err := http.ReadResponse(x.br, req)
		if err != nil {
			return nil, x.readErr(err)
		}
		switch code := resp.StatusCode; {
		case code < 100:
			return nil, fmt.Errorf("httpproxy: the site answered status %d", code)
		case code < 200 && code != http.StatusSwitchingProtocols:
			continue
		}
		x.answered()
		x.limit.Lift()
		return resp, nil
	}
	return nil, errors.New("httpproxy: the site sent too many informational answers")
}

func (x *exchange) readErr(err error) error {
	switch {
	case x.timedOut.Load():
		return fmt.Errorf("httpproxy: no answer from the site within %v: %w", x.timeout, gateway.ErrTimeout)
	case x.limit.Hit():
		return errHeaderTooLarge
	case x.bodyErr.get() != nil && isClosedOrEOF(err):
		return fmt.Errorf("httpproxy: reading the client's request body: %w", x.bodyErr.get())
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("httpproxy: the site closed the stream without an answer")
	}
	return fmt.Errorf("httpproxy: reading the site's answer: %w", err)
}

func isClosedOrEOF(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// clientBody records an error reading the client's upload (not its end).
type clientBody struct {
	io.ReadCloser
	err *errBox
}

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.err.set(err)
	}
	return n, err
}

// errBox keeps the first error set, for another goroutine.
type errBox struct {
	// mu guards err.
	mu  sync.Mutex
	err error
}

func (e *errBox) set(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		e.err = err
	}
}

func (e *errBox) get() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// streamWriter is what the request's bufio.Writer writes to. Its ReadFrom
// makes a Content-Length upload go to the stream as it arrives (bufio's own
// would hold it until its buffer is full), through a pooled buffer.
type streamWriter struct {
	c    net.Conn
	bufs bufferPool
}

func (w streamWriter) Write(p []byte) (int, error) { return w.c.Write(p) }

func (w streamWriter) ReadFrom(r io.Reader) (int64, error) {
	buf := w.bufs.Get()
	defer w.bufs.Put(buf)
	var n int64
	for {
		nr, rerr := r.Read(buf)
		if nr > 0 {
			nw, werr := w.c.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				return n, werr
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}
