package httpserve

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// body is a request body as the handler sees it: its first Read sends
// "100 Continue" when the client asked for it, and it fails once the
// handler closed it or returned.
type body struct {
	mu     sync.Mutex // held during a Read of r
	r      io.Reader  // the body http.ReadRequest made
	resp   *response  // for 100 Continue; nil: not asked
	watch  *watch     // started when the body reaches its end
	closed atomic.Bool
	eof    atomic.Bool
}

func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed.Load() {
		return 0, http.ErrBodyReadAfterClose
	}
	if b.resp != nil {
		if err := b.resp.sendContinue(); err != nil {
			return 0, err
		}
		b.resp = nil
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.eof.Store(true)
		// The reader is past the body: watch for the client going away.
		b.watch.start()
	}
	return n, err
}

// Close makes later reads fail; the server drops what is left.
func (b *body) Close() error {
	b.closed.Store(true)
	return nil
}

// release takes the body back from the handler that returned. It reports
// false when a read the handler started is still running: the connection
// must then be closed (which ends that read).
func (b *body) release() bool {
	b.closed.Store(true)
	if !b.mu.TryLock() {
		return false
	}
	b.mu.Unlock()
	return true
}
