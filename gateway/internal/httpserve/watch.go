package httpserve

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// watch is a request's background read: once the request body has been read
// to its end (or there is none) and while the handler runs, one goroutine
// waits in the connection's bufio.Reader for the next byte from the client.
// An error other than a timeout (EOF, reset: the client went away) cancels
// the request's context, as net/http does. A byte is the start of a
// pipelined request: it stays in the reader (Peek consumes nothing) and the
// watch ends. A client that half-closes its side after the request therefore
// sees its request canceled too.
//
// The watch owns the bufio.Reader while it runs: it starts only when the
// reader holds no buffered bytes and nothing else reads it (the body is at
// its end), and stop ends it before the connection is reused or hijacked.
type watch struct {
	c      *conn
	cancel context.CancelFunc

	mu      sync.Mutex
	started bool          // start was called before stop
	stopped bool          // stop was called: no watch starts any more
	done    chan struct{} // closed when the goroutine ends; nil: never ran
}

func newWatch(c *conn, cancel context.CancelFunc) *watch {
	return &watch{c: c, cancel: cancel}
}

// start begins the background read unless it ran already, the handler
// returned or hijacked, or a pipelined request is already buffered. It is
// called by the goroutine that owns the reader at that moment: the
// connection's before the handler runs, or the one whose body read reached
// the end.
func (w *watch) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started || w.stopped {
		return
	}
	w.started = true
	if w.c.br.Buffered() > 0 {
		return
	}
	w.done = make(chan struct{})
	go w.run(w.done)
}

func (w *watch) run(done chan struct{}) {
	defer close(done)
	_, err := w.c.br.Peek(1)
	if err == nil {
		return // a pipelined request begins: it stays buffered
	}
	w.mu.Lock()
	stopped := w.stopped
	w.mu.Unlock()
	var ne net.Error
	if stopped || errors.As(err, &ne) && ne.Timeout() {
		// Ended by stop, or by a read deadline (ReadTimeout or the
		// handler's own): not the client going away.
		return
	}
	w.cancel()
}

// stop ends the background read, if one runs, and waits for it; the bytes
// it read stay in the reader. Afterwards the connection's read deadline is
// cleared (the caller sets the one it needs). It is idempotent.
func (w *watch) stop() {
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return
	}
	w.stopped = true
	done := w.done
	w.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	w.c.rwc.SetReadDeadline(time.Unix(1, 0)) // long past: the read ends at once
	<-done
	w.c.rwc.SetReadDeadline(time.Time{})
}
