package ntcp2

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/transport"
)

// peerAddr is a dialable NTCP2 address (ntcp2.rst "Published Addresses").
type peerAddr struct {
	addr   netip.AddrPort
	static [32]byte
	iv     [16]byte
}

// dialAddress picks the first usable published NTCP2 address of ri:
// host, port, s, i (16 bytes) and v including 2; IPv4 first, IPv6 only when
// enabled; reserved addresses only when the filter allows them.
func (t *Transport) dialAddress(ri *data.RouterInfo) (peerAddr, error) {
	var v6 *peerAddr
	var filtered error
	for _, a := range ri.Addresses() {
		if a.Transport != data.TransportNTCP2 && a.Transport != "NTCP" {
			continue
		}
		pa, ok := parsePeerAddr(a)
		if !ok {
			continue
		}
		if err := t.cfg.Filter.Check(pa.addr.Addr()); err != nil {
			filtered = err
			continue
		}
		if pa.addr.Addr().Unmap().Is4() {
			return pa, nil
		}
		if t.cfg.IPv6 && v6 == nil {
			v6 = &pa
		}
	}
	if v6 != nil {
		return *v6, nil
	}
	if filtered != nil {
		return peerAddr{}, filtered
	}
	return peerAddr{}, transport.ErrUnsupported
}

func parsePeerAddr(a *data.RouterAddress) (peerAddr, bool) {
	ap, ok := a.AddrPort()
	if !ok || ap.Port() == 0 || !supportsV2(a.Version()) {
		return peerAddr{}, false
	}
	s, ok := a.StaticKey()
	if !ok {
		return peerAddr{}, false
	}
	iv, ok := a.IntroKey()
	if !ok || len(iv) != 16 {
		return peerAddr{}, false
	}
	pa := peerAddr{addr: ap, static: s}
	copy(pa.iv[:], iv)
	return pa, true
}

// Supports implements transport.Transport.
func (t *Transport) Supports(ri *data.RouterInfo) bool {
	_, err := t.dialAddress(ri)
	return err == nil
}

// Dial implements transport.Transport: it connects to ri's NTCP2 address
// and runs the handshake as Alice.
func (t *Transport) Dial(ctx context.Context, ri *data.RouterInfo) (transport.Session, error) {
	s, err := t.dial(ctx, ri)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (t *Transport) dial(ctx context.Context, ri *data.RouterInfo) (*Session, error) {
	if t.handler == nil {
		return nil, errors.New("ntcp2: dial before start")
	}
	if ri.Hash() == t.cfg.RouterHash {
		return nil, errors.New("ntcp2: dial: refusing to connect to ourselves")
	}
	pa, err := t.dialAddress(ri)
	if err != nil {
		return nil, fmt.Errorf("ntcp2: dial: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, t.cfg.HandshakeTimeout)
	defer cancel()
	conn, err := t.cfg.Network.Dial(ctx, "tcp", pa.addr.String())
	if err != nil {
		return nil, fmt.Errorf("ntcp2: dial: %w", err)
	}
	if err := t.reserve(conn, false); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("ntcp2: dial: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	keys, local, err := t.handshakeAlice(conn, ri, pa)
	if !stop() || err != nil {
		t.release(conn, false)
		_ = conn.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("ntcp2: handshake with %s: %w", ri.Hash().String()[:8], err)
	}
	_ = conn.SetDeadline(time.Time{})
	t.clockUnsure.Store(false)
	s := newSession(t, conn, keys, ri, false)
	t.sample(conn, local.peerTime, local.at)
	if !t.promote(conn, s, false) {
		_ = conn.Close()
		return nil, transport.ErrClosed
	}
	return s, nil
}

// timeSample is a peer timestamp and our time when it arrived.
type timeSample struct{ peerTime, at time.Time }

func (t *Transport) handshakeAlice(conn net.Conn, ri *data.RouterInfo, pa peerAddr) (Keys, timeSample, error) {
	local := t.localRouterInfo()
	if local == nil {
		return Keys{}, timeSample{}, errors.New("ntcp2: no local routerinfo")
	}
	ini, err := NewInitiator(InitiatorConfig{
		NetID: t.cfg.NetID, Static: t.static, RouterInfo: local.Bytes(),
		PeerHash: ri.Hash(), PeerStatic: pa.static, PeerIV: pa.iv,
		MaxPadding: t.cfg.MaxPadding, NoPadding: t.clockUnsure.Load(),
		Clock: t.clock, Rand: t.randReader(), Replay: t.replay,
	})
	if err != nil {
		return Keys{}, timeSample{}, err
	}
	m1, err := ini.CreateSessionRequest()
	if err != nil {
		return Keys{}, timeSample{}, err
	}
	if _, err := conn.Write(m1); err != nil {
		return Keys{}, timeSample{}, err
	}
	var m2 [SessionCreatedSize]byte
	if _, err := io.ReadFull(conn, m2[:]); err != nil {
		return Keys{}, timeSample{}, err
	}
	at := t.clock.Now()
	pad, err := ini.ConsumeSessionCreated(m2[:])
	if err != nil {
		if errors.Is(err, ErrClockSkew) {
			// Bob's time is what our clock must learn: i2pd sends
			// SessionCreated even when our time is off, then closes.
			t.sample(conn, ini.PeerTime(), at)
		}
		if errors.Is(err, ErrClockSkew) || errors.Is(err, ErrAEAD) {
			t.clockUnsure.Store(true)
		}
		return Keys{}, timeSample{}, err
	}
	padding := make([]byte, pad)
	if _, err := io.ReadFull(conn, padding); err != nil {
		return Keys{}, timeSample{}, err
	}
	if err := ini.ConsumePadding(padding); err != nil {
		return Keys{}, timeSample{}, err
	}
	m3, err := ini.CreateSessionConfirmed()
	if err != nil {
		return Keys{}, timeSample{}, err
	}
	if _, err := conn.Write(m3); err != nil {
		return Keys{}, timeSample{}, err
	}
	keys, err := ini.Keys()
	return keys, timeSample{ini.PeerTime(), at}, err
}
