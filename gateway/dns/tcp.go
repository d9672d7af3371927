package dns

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// serveTCP accepts connections until Close, serving at most maxTCPConns
// at once; those from clients Allow does not admit are closed unread.
func (s *Server) serveTCP(ln net.Listener) {
	defer s.wg.Done()
	var conns sync.WaitGroup
	defer conns.Wait()
	slots := make(chan struct{}, maxTCPConns)
	var delay time.Duration
	for {
		select {
		case slots <- struct{}{}:
		case <-s.done:
			return
		}
		c, err := ln.Accept()
		if err != nil {
			<-slots
			if s.closing() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors, or a connection reset before Accept:
			// wait a little, longer each time.
			delay = min(max(2*delay, 5*time.Millisecond), maxAcceptDelay)
			s.log.Debug("accept", "err", err, "retry", delay)
			if !s.sleep(delay) {
				return
			}
			continue
		}
		delay = 0
		if !s.allowed(c.RemoteAddr()) {
			s.denied.Add(1)
			c.Close()
			<-slots
			continue
		}
		if !s.track(c) {
			c.Close()
			<-slots
			return
		}
		conns.Add(1)
		go func() {
			defer conns.Done()
			defer func() { <-slots }()
			defer s.untrack(c)
			s.serveConn(c)
		}()
	}
}

// sleep waits d or until Close; false means Close.
func (s *Server) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

// track adds c to the connections Close unblocks; false after Close.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return false
	}
	s.mu.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.mu.conns, c)
	s.mu.Unlock()
	c.Close()
}

// armRead sets the deadline for the next message unless Close has been
// called (whose past deadline it must not override).
func (s *Server) armRead(c net.Conn, d time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.mu.closed && c.SetReadDeadline(time.Now().Add(d)) == nil
}

// serveConn answers up to maxTCPQueries messages, each framed by a 2-byte
// length (RFC 1035 4.2.2, RFC 7766 8): the first within ioTimeout, the
// next ones within tcpIdleTimeout.
func (s *Server) serveConn(c net.Conn) {
	timeout := ioTimeout
	var frame [2]byte
	for range maxTCPQueries {
		if !s.armRead(c, timeout) {
			return
		}
		if _, err := io.ReadFull(c, frame[:]); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint16(frame[:]))
		if n > maxTCPQuery {
			s.counts[outFormErr].Add(1)
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		if reply := s.handle(msg, false); reply != nil {
			out := make([]byte, 2, 2+len(reply))
			binary.BigEndian.PutUint16(out, uint16(len(reply)))
			out = append(out, reply...)
			if err := c.SetWriteDeadline(time.Now().Add(ioTimeout)); err != nil {
				return
			}
			if _, err := c.Write(out); err != nil {
				s.log.Debug("write tcp", "err", err)
				return
			}
		}
		timeout = tcpIdleTimeout
	}
}
