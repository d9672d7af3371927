package ntcp2

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"time"

	"i2pgate/router/transport"
)

// acceptLoop accepts connections until the listener closes.
func (t *Transport) acceptLoop(ln net.Listener) {
	defer t.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			select {
			case <-t.closing:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			t.log.Debug("accept", "err", err)
			// Back off on resource errors (EMFILE) without spinning.
			select {
			case <-t.closing:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if !t.admit(c) {
			_ = c.Close()
			continue
		}
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.handleInbound(c)
		}()
	}
}

// admit applies the address filter, the per-IP rate limit and the
// connection limits to a new inbound connection.
func (t *Transport) admit(c net.Conn) bool {
	ip := remoteIP(c)
	if err := t.cfg.Filter.Check(ip); err != nil {
		return false
	}
	if !t.limiter.allow(ip, t.clock.Now()) {
		return false
	}
	return t.reserve(c, true) == nil
}

func remoteIP(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// handleInbound runs the handshake as Bob and starts the session.
func (t *Transport) handleInbound(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(t.cfg.HandshakeTimeout))
	r, err := NewResponder(ResponderConfig{
		NetID: t.cfg.NetID, Static: t.static, RouterHash: t.cfg.RouterHash, IV: t.cfg.IV,
		MaxPadding: t.cfg.MaxPadding, Clock: t.clock, Rand: t.randReader(), Replay: t.replay,
	})
	if err != nil {
		t.release(c, true)
		_ = c.Close()
		return
	}
	s, err := t.handshakeBob(c, r)
	if err != nil {
		t.log.Debug("inbound handshake failed", "err", err)
		t.release(c, true)
		_ = c.Close()
		return
	}
	_ = c.SetDeadline(time.Time{})
	t.clockUnsure.Store(false)
	if !t.promote(c, s, true) {
		_ = c.Close()
	}
}

func (t *Transport) handshakeBob(c net.Conn, r *Responder) (*Session, error) {
	var m1 [SessionRequestSize]byte
	if _, err := io.ReadFull(c, m1[:]); err != nil {
		return nil, err
	}
	at := t.clock.Now()
	pad, err := r.ConsumeSessionRequest(m1[:])
	if err != nil {
		if errors.Is(err, ErrClockSkew) {
			t.sample(c, r.PeerTime(), at)
		}
		t.probeDelay(c)
		return nil, err
	}
	padding := make([]byte, pad)
	if _, err := io.ReadFull(c, padding); err != nil {
		return nil, err
	}
	if err := r.ConsumePadding(padding); err != nil {
		return nil, err
	}
	m2, err := r.CreateSessionCreated()
	if err != nil {
		return nil, err
	}
	if _, err := c.Write(m2); err != nil {
		return nil, err
	}
	m3 := make([]byte, ConfirmedPart1Size+r.M3P2Len())
	if _, err := io.ReadFull(c, m3); err != nil {
		return nil, err
	}
	conf, err := r.ConsumeSessionConfirmed(m3[:ConfirmedPart1Size], m3[ConfirmedPart1Size:])
	if err != nil {
		t.terminateHandshake(c, r, err)
		return nil, err
	}
	keys, _ := r.Keys()
	s := newSession(t, c, keys, conf.RouterInfo, true)
	t.sample(c, r.PeerTime(), at)
	t.handler.HandleRouterInfo(s.peer, conf.RouterInfo.Bytes(), conf.Flood)
	return s, nil
}

// probeDelay answers a bad message 1 as ntcp2.rst "AEAD Error Handling"
// asks: wait a random time while reading (and discarding) up to a random
// number of bytes, then let the caller close, so that a prober cannot tell
// an NTCP2 listener from any other server that drops it.
func (t *Transport) probeDelay(c net.Conn) {
	var b [4]byte
	if _, err := io.ReadFull(t.randReader(), b[:]); err != nil {
		return
	}
	delay := time.Duration(uint16(b[0])<<8|uint16(b[1])) * ProbeDelayMax / 65536
	limit := int64(uint16(b[2])<<8|uint16(b[3])) % ProbeReadMax
	_ = c.SetReadDeadline(time.Now().Add(delay))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, io.LimitReader(c, limit))
	}()
	select {
	case <-done:
	case <-t.closing:
		_ = c.Close()
		<-done
	}
}

// terminateHandshake sends a Termination block for message 3 RouterInfo
// errors once the data-phase keys exist, as i2pd does; AEAD failures get
// no answer.
func (t *Transport) terminateHandshake(c net.Conn, r *Responder, err error) {
	keys, kerr := r.Keys()
	if kerr != nil {
		return
	}
	reason := ReasonOf(err, transport.ReasonMessage3Error)
	p, aerr := AppendTermination(nil, Termination{Reason: reason})
	if aerr != nil {
		return
	}
	out, serr := newSealer(&keys.SendKey, &keys.SendSipKeys).seal(nil, p)
	if serr != nil {
		return
	}
	_ = c.SetWriteDeadline(time.Now().Add(terminationWriteTimeout))
	_, _ = c.Write(out)
}
