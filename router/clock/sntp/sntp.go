// Package sntp is a Simple Network Time Protocol client (RFC 4330) for boxes
// without a real-time clock: it asks a few servers over UDP for their time
// and returns the median offset of the answers that pass the RFC's checks.
// The router seeds its skewed clock with it at start, before peers' handshake
// timestamps are known.
//
// It takes the network as a dependency (router/netx.Network satisfies
// Dialer) and the local clock to measure against; it never adjusts the
// system clock.
package sntp

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"i2pgate/router/clock"
	"sort"
)

// Defaults and limits.
const (
	// DefaultPort is the NTP port, used when a server has none.
	DefaultPort = "123"
	// DefaultTimeout bounds one server's answer.
	DefaultTimeout = 3 * time.Second
	// MaxDelay is the longest round trip whose answer is used: the
	// offset's error is up to half the round trip.
	MaxDelay = 5 * time.Second
	// PacketSize is the size of an NTP packet without extensions.
	PacketSize = 48
	// MaxServers bounds how many servers one Offset call asks.
	MaxServers = 8
)

// Errors of answers that are refused.
var (
	// ErrBadPacket means the answer is not a usable SNTP server reply.
	ErrBadPacket = errors.New("sntp: bad packet")
	// ErrNoAnswer means no server gave a usable answer.
	ErrNoAnswer = errors.New("sntp: no usable answer")
)

// Dialer opens the UDP "connection" to a server; router/netx.Network
// implements it.
type Dialer interface {
	Dial(ctx context.Context, network, address string) (net.Conn, error)
}

// Config is the client's dependencies.
type Config struct {
	// Network dials the servers. Required.
	Network Dialer
	// Clock is the local clock the offset is measured against (nil:
	// System()). Give the uncorrected clock.
	Clock clock.Clock
	// Rand fills the request's transmit timestamp, which the answer must
	// echo (nil: crypto/rand).
	Rand io.Reader
	// Timeout bounds each server's answer (0: DefaultTimeout).
	Timeout time.Duration
}

// Result is one server's answer.
type Result struct {
	Server string
	// Offset is how far the server's clock is ahead of ours.
	Offset time.Duration
	// Delay is the round trip, less the server's processing time.
	Delay time.Duration
}

// Offset asks each server ("host" or "host:port", at most MaxServers) in
// turn and returns the median offset of the usable answers, with every
// answer; ErrNoAnswer (joined with each server's error) when none is usable.
func Offset(ctx context.Context, cfg Config, servers []string) (time.Duration, []Result, error) {
	var (
		res  []Result
		errs []error
	)
	for _, s := range servers[:min(len(servers), MaxServers)] {
		r, err := Query(ctx, cfg, s)
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		res = append(res, r)
	}
	if len(res) == 0 {
		return 0, nil, errors.Join(append([]error{ErrNoAnswer}, errs...)...)
	}
	offs := make([]time.Duration, len(res))
	for i, r := range res {
		offs[i] = r.Offset
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	n := len(offs)
	med := offs[n/2]
	if n%2 == 0 {
		med = offs[n/2-1] + (offs[n/2]-offs[n/2-1])/2
	}
	return med, res, nil
}

// Query asks one server for its time.
func Query(ctx context.Context, cfg Config, server string) (Result, error) {
	if cfg.Network == nil {
		return Result{}, errors.New("sntp: no network")
	}
	clk := clock.Or(cfg.Clock)
	rnd := cfg.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	addr := server
	if _, _, err := net.SplitHostPort(server); err != nil {
		addr = net.JoinHostPort(strings.Trim(server, "[]"), DefaultPort)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := cfg.Network.Dial(ctx, "udp", addr)
	if err != nil {
		return Result{}, fmt.Errorf("sntp: %s: %w", server, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var req [PacketSize]byte
	req[0] = 4<<3 | 3 // LI 0, version 4, mode 3 (client)
	if _, err := io.ReadFull(rnd, req[40:48]); err != nil {
		return Result{}, fmt.Errorf("sntp: random: %w", err)
	}
	nonce := binary.BigEndian.Uint64(req[40:48])
	t1 := clk.Now()
	if _, err := conn.Write(req[:]); err != nil {
		return Result{}, fmt.Errorf("sntp: %s: %w", server, err)
	}
	buf := make([]byte, 512)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return Result{}, fmt.Errorf("sntp: %s: %w", server, err)
		}
		t4 := clk.Now()
		a, err := Parse(buf[:n], nonce, t4)
		if errors.Is(err, errNotOurs) {
			continue // a stray or late datagram: wait for ours
		}
		if err != nil {
			return Result{}, fmt.Errorf("sntp: %s: %w", server, err)
		}
		r := Result{Server: server}
		// RFC 4330 section 5: T1 sent, T2 received, T3 transmitted by
		// the server, T4 received by us. Durations from our readings
		// use the monotonic clock.
		rtt := t4.Sub(t1)
		r.Delay = rtt - a.Transmit.Sub(a.Receive)
		r.Offset = (a.Receive.Sub(t1) + a.Transmit.Sub(t1.Add(rtt))) / 2
		if r.Delay < 0 || r.Delay > MaxDelay {
			return Result{}, fmt.Errorf("sntp: %s: %w: round trip %v", server, ErrBadPacket, r.Delay)
		}
		return r, nil
	}
}
