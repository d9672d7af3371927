package dns

import (
	"net"
	"sync"
)

// serveUDP reads queries until Close and answers each in a goroutine of
// its own, at most maxUDPHandlers at once; it owns pc and closes it when
// the last answer is written.
func (s *Server) serveUDP(pc net.PacketConn) {
	defer s.wg.Done()
	var handlers sync.WaitGroup
	defer func() {
		handlers.Wait()
		pc.Close()
	}()
	slots := make(chan struct{}, maxUDPHandlers)
	buf := make([]byte, maxUDPSize)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if s.closing() {
				return
			}
			s.log.Error("serve udp", "err", err)
			return
		}
		if n < headerLen {
			// Nothing to answer to: count it in the loop, in order.
			if s.allowed(from) {
				s.counts[outFormErr].Add(1)
			} else {
				s.denied.Add(1)
			}
			continue
		}
		msg := append([]byte(nil), buf[:n]...)
		slots <- struct{}{}
		handlers.Add(1)
		go func() {
			defer handlers.Done()
			defer func() { <-slots }()
			s.serveUDPMessage(pc, msg, from)
		}()
	}
}

func (s *Server) serveUDPMessage(pc net.PacketConn, msg []byte, from net.Addr) {
	var reply []byte
	if s.allowed(from) {
		reply = s.handle(msg, true)
	} else {
		reply = s.refuse(msg)
	}
	if reply == nil {
		return
	}
	if _, err := pc.WriteTo(reply, from); err != nil {
		s.log.Debug("write udp", "err", err)
	}
}
