package memnet

import (
	"errors"
	"io"
	"sync"
	"time"
)

// Errors of one pipe direction, turned into net errors by Conn.
var (
	errReadClosed  = errors.New("memnet: read side closed")  // this end closed
	errWriteClosed = errors.New("memnet: write side closed") // this end shut down writing
	errPeerGone    = errors.New("memnet: peer closed")       // the reader went away
	errTimeout     = errors.New("memnet: deadline")
)

// pipe is one direction of a TCP connection: a bounded byte queue whose
// chunks become readable latency after they were written.
type pipe struct {
	capacity int
	latency  time.Duration

	// mu guards the queue and the close flags.
	mu struct {
		sync.Mutex
		chunks  []chunk
		size    int  // bytes queued
		wclosed bool // writer shut down: EOF after the queue drains
		rclosed bool // reader closed: writes fail
		wake    signal
	}
}

type chunk struct {
	data []byte
	at   time.Time // readable from
}

func newPipe(capacity int, latency time.Duration) *pipe {
	return &pipe{capacity: capacity, latency: latency}
}

// read copies ready bytes into b, waiting for data, EOF, close or the
// deadline channel.
func (p *pipe) read(b []byte, dl <-chan struct{}) (int, error) {
	for {
		p.mu.Lock()
		if p.mu.rclosed {
			p.mu.Unlock()
			return 0, errReadClosed
		}
		if isClosed(dl) {
			p.mu.Unlock()
			return 0, errTimeout
		}
		if len(b) == 0 {
			p.mu.Unlock()
			return 0, nil
		}
		now := time.Now()
		if len(p.mu.chunks) > 0 && !p.mu.chunks[0].at.After(now) {
			n := p.takeLocked(b, now)
			p.mu.Unlock()
			return n, nil
		}
		if len(p.mu.chunks) == 0 && p.mu.wclosed {
			p.mu.Unlock()
			return 0, io.EOF
		}
		var ready *time.Timer
		if len(p.mu.chunks) > 0 {
			ready = time.NewTimer(p.mu.chunks[0].at.Sub(now))
		}
		wake := p.mu.wake.wait()
		p.mu.Unlock()
		p.waitRead(wake, ready, dl)
	}
}

// waitRead waits for a change, the first chunk's latency or the deadline.
func (p *pipe) waitRead(wake <-chan struct{}, ready *time.Timer, dl <-chan struct{}) {
	if ready == nil {
		select {
		case <-wake:
		case <-dl:
		}
		return
	}
	defer ready.Stop()
	select {
	case <-wake:
	case <-ready.C:
	case <-dl:
	}
}

// takeLocked moves ready bytes into b.
func (p *pipe) takeLocked(b []byte, now time.Time) int {
	n := 0
	for n < len(b) && len(p.mu.chunks) > 0 && !p.mu.chunks[0].at.After(now) {
		c := &p.mu.chunks[0]
		k := copy(b[n:], c.data)
		n += k
		c.data = c.data[k:]
		if len(c.data) == 0 {
			p.mu.chunks[0] = chunk{}
			p.mu.chunks = p.mu.chunks[1:]
		}
	}
	p.mu.size -= n
	if n > 0 {
		p.mu.wake.broadcast()
	}
	return n
}

// write queues all of b, blocking while the pipe is full; it returns how
// much was queued before an error.
func (p *pipe) write(b []byte, dl <-chan struct{}) (int, error) {
	n := 0
	for {
		p.mu.Lock()
		switch {
		case p.mu.wclosed:
			p.mu.Unlock()
			return n, errWriteClosed
		case p.mu.rclosed:
			p.mu.Unlock()
			return n, errPeerGone
		case isClosed(dl):
			p.mu.Unlock()
			return n, errTimeout
		}
		if n == len(b) {
			p.mu.Unlock()
			return n, nil
		}
		if space := p.capacity - p.mu.size; space > 0 {
			k := min(space, len(b)-n)
			at := time.Now().Add(p.latency)
			if last := len(p.mu.chunks) - 1; last >= 0 && p.mu.chunks[last].at.After(at) {
				at = p.mu.chunks[last].at // keep order
			}
			p.mu.chunks = append(p.mu.chunks, chunk{data: append([]byte(nil), b[n:n+k]...), at: at})
			p.mu.size += k
			n += k
			p.mu.wake.broadcast()
			p.mu.Unlock()
			continue
		}
		wake := p.mu.wake.wait()
		p.mu.Unlock()
		select {
		case <-wake:
		case <-dl:
		}
	}
}

// closeWrite makes the reader see EOF once the queue drains.
func (p *pipe) closeWrite() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mu.wclosed = true
	p.mu.wake.broadcast()
}

// closeRead drops queued data and makes writes fail.
func (p *pipe) closeRead() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mu.rclosed = true
	p.mu.chunks = nil
	p.mu.size = 0
	p.mu.wake.broadcast()
}

func (p *pipe) isReadClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mu.rclosed
}
