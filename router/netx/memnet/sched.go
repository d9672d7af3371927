package memnet

import (
	"container/heap"
	"sync"
	"time"
)

// scheduler runs delayed deliveries in deadline order on one goroutine.
type scheduler struct {
	wake chan struct{} // cap 1: a new earliest event or close
	done chan struct{}
	wg   sync.WaitGroup

	// mu guards events and seq.
	mu struct {
		sync.Mutex
		events eventHeap
		seq    uint64
		closed bool
	}
}

type event struct {
	at  time.Time
	seq uint64 // keeps insertion order among equal times
	fn  func()
}

func newScheduler() *scheduler {
	s := &scheduler{wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.wg.Add(1)
	go s.run()
	return s
}

// at runs fn at time at; it reports false after close.
func (s *scheduler) at(at time.Time, fn func()) bool {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return false
	}
	s.mu.seq++
	heap.Push(&s.mu.events, event{at: at, seq: s.mu.seq, fn: fn})
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

func (s *scheduler) run() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		var next time.Duration = -1
		var due []func()
		now := time.Now()
		for len(s.mu.events) > 0 {
			e := s.mu.events[0]
			if e.at.After(now) {
				next = e.at.Sub(now)
				break
			}
			heap.Pop(&s.mu.events)
			due = append(due, e.fn)
		}
		s.mu.Unlock()
		for _, fn := range due {
			fn()
		}
		if len(due) > 0 {
			continue
		}
		var tc <-chan time.Time
		if next >= 0 {
			timer.Reset(next)
			tc = timer.C
		}
		select {
		case <-s.done:
			return
		case <-s.wake:
		case <-tc:
		}
	}
}

// close stops the goroutine; pending events are dropped.
func (s *scheduler) close() {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return
	}
	s.mu.closed = true
	s.mu.events = nil
	s.mu.Unlock()
	close(s.done)
	s.wg.Wait()
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = event{}
	*h = old[:len(old)-1]
	return e
}
