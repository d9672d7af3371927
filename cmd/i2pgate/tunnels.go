package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"i2pgate/cmd/i2pgate/internal/config"
	"i2pgate/router"
	"i2pgate/router/data"
	"i2pgate/router/tunnel/pool"
)

// Bounds of the [tunnels.NAME] proxies.
const (
	tunnelDialTimeout = 60 * time.Second
	maxTunnelConns    = 256 // concurrent connections per tunnel
)

// tunnelSet runs the configured client and server tunnels; a reload
// starts, stops and restarts them by name (apply).
type tunnelSet struct {
	log *slog.Logger
	r   *router.Router
	ctx context.Context // the daemon's, for client dials

	// mu guards live.
	mu   sync.Mutex
	live map[string]*liveTunnel
}

// liveTunnel is one running [tunnels.NAME]: its config, its listener and
// destination (closed in reverse order) and its accept loop.
type liveTunnel struct {
	cfg   config.Tunnel
	items []io.Closer
	wg    sync.WaitGroup
}

func (l *liveTunnel) close() error {
	var errs []error
	for i := len(l.items) - 1; i >= 0; i-- {
		errs = append(errs, l.items[i].Close())
	}
	l.items = nil
	l.wg.Wait()
	return errors.Join(errs...)
}

// Close stops every tunnel, in reverse name order. It is idempotent.
func (s *tunnelSet) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := sortedNames(s.live)
	var errs []error
	for i := len(names) - 1; i >= 0; i-- {
		errs = append(errs, s.live[names[i]].close())
		delete(s.live, names[i])
	}
	return errors.Join(errs...)
}

func sortedNames[T any](m map[string]T) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// startTunnels starts every [tunnels.NAME] section, in name order; the
// first that fails stops the others.
func startTunnels(ctx context.Context, cfg *config.Config, r *router.Router, log *slog.Logger) (*tunnelSet, error) {
	s := &tunnelSet{log: log, r: r, ctx: ctx, live: map[string]*liveTunnel{}}
	for _, name := range sortedNames(cfg.Tunnels) {
		s.mu.Lock()
		err := s.startLocked(name, cfg.Tunnels[name])
		s.mu.Unlock()
		if err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// apply makes the running tunnels those of want: removed ones stop,
// changed ones restart, new ones start; unchanged ones keep their
// listeners and connections. It goes on past a tunnel that fails to
// start and returns every failure.
func (s *tunnelSet) apply(want map[string]config.Tunnel) (started, stopped []string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, name := range sortedNames(s.live) {
		if t, ok := want[name]; ok && t == s.live[name].cfg {
			continue
		}
		if err := s.live[name].close(); err != nil {
			s.log.Info("tunnel stopped", "name", name, "err", err)
		} else {
			s.log.Info("tunnel stopped", "name", name)
		}
		delete(s.live, name)
		stopped = append(stopped, name)
	}
	for _, name := range sortedNames(want) {
		if _, ok := s.live[name]; ok {
			continue
		}
		if err := s.startLocked(name, want[name]); err != nil {
			errs = append(errs, err)
			continue
		}
		started = append(started, name)
	}
	return started, stopped, errors.Join(errs...)
}

// startLocked starts one tunnel; s.mu must be held.
func (s *tunnelSet) startLocked(name string, t config.Tunnel) error {
	l := &liveTunnel{cfg: t}
	var err error
	if t.Type == "client" {
		err = s.startClient(l, name, t)
	} else {
		err = s.startServer(l, name, t)
	}
	if err != nil {
		l.close()
		return fmt.Errorf("tunnels.%s: %w", name, err)
	}
	s.live[name] = l
	return nil
}

func destinationConfig(name string, t config.Tunnel, publish bool) router.DestinationConfig {
	return router.DestinationConfig{
		Name: name, Keys: t.Keys, Publish: publish,
		Inbound:  pool.Side{Length: t.Inbound.Length, Quantity: t.Inbound.Quantity},
		Outbound: pool.Side{Length: t.Outbound.Length, Quantity: t.Outbound.Quantity},
	}
}

// remoteAddress turns a client tunnel's destination (b32 address or base64
// destination) and port into what Dial takes.
func remoteAddress(dest string, port int) (string, error) {
	d := strings.TrimSpace(dest)
	host := strings.ToLower(d)
	switch {
	case strings.HasSuffix(host, ".b32.i2p"):
	case strings.HasSuffix(host, ".i2p"):
		return "", fmt.Errorf("destination %q: names need the address book; use the .b32.i2p address", dest)
	default:
		b, err := data.DecodeBase64(d)
		if err != nil {
			return "", fmt.Errorf("destination %q is neither a .b32.i2p address nor a base64 destination", dest)
		}
		full, _, err := data.ParseDestination(b)
		if err != nil {
			return "", fmt.Errorf("destination %q: %w", dest, err)
		}
		host = data.B32Address(full.Hash())
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), nil
}

// startClient listens on address:port and connects each connection to the
// remote destination through a destination of its own.
func (s *tunnelSet) startClient(l *liveTunnel, name string, t config.Tunnel) error {
	remote, err := remoteAddress(t.Destination, t.DestinationPort)
	if err != nil {
		return err
	}
	addr := t.Address
	if addr == "" {
		addr = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(t.Port)))
	if err != nil {
		return err
	}
	x, err := s.r.NewDestination(destinationConfig(name, t, false))
	if err != nil {
		ln.Close()
		return err
	}
	l.items = append(l.items, x, ln)
	critical := memoryCritical(s.r)
	dial := func(ctx context.Context) (net.Conn, error) {
		if critical() {
			return nil, errMemoryCritical
		}
		ctx, cancel := context.WithTimeout(ctx, tunnelDialTimeout)
		defer cancel()
		return x.Dial(ctx, "tcp", remote)
	}
	s.serve(s.ctx, l, name, ln, dial)
	s.log.Info("client tunnel", "name", name, "listen", ln.Addr().String(), "destination", remote, "local_b32", x.Address())
	return nil
}

// startServer publishes a destination whose streams go to host:port.
func (s *tunnelSet) startServer(l *liveTunnel, name string, t config.Tunnel) error {
	x, err := s.r.NewDestination(destinationConfig(name, t, true))
	if err != nil {
		return err
	}
	ln, err := x.Listen(uint16(t.InPort))
	if err != nil {
		x.Close()
		return err
	}
	l.items = append(l.items, x, ln)
	target := net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
	var d net.Dialer
	dial := func(ctx context.Context) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return d.DialContext(ctx, "tcp", target)
	}
	s.serve(context.Background(), l, name, ln, dial)
	s.log.Info("server tunnel", "name", name, "b32", x.Address(), "target", target)
	return nil
}

// serve accepts on ln and splices each connection with one from dial, at
// most maxTunnelConns at a time.
func (s *tunnelSet) serve(ctx context.Context, l *liveTunnel, name string, ln net.Listener, dial func(context.Context) (net.Conn, error)) {
	slots := make(chan struct{}, maxTunnelConns)
	var active struct {
		sync.Mutex
		m map[net.Conn]bool
	}
	active.m = map[net.Conn]bool{}
	track := func(c net.Conn, on bool) {
		active.Lock()
		defer active.Unlock()
		if on {
			active.m[c] = true
		} else {
			delete(active.m, c)
		}
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		var conns sync.WaitGroup
		defer conns.Wait()
		for {
			c, err := ln.Accept()
			if err != nil {
				// Closed: end the connections still open.
				active.Lock()
				for c := range active.m {
					c.Close()
				}
				active.Unlock()
				return
			}
			select {
			case slots <- struct{}{}:
			default:
				c.Close()
				continue
			}
			conns.Add(1)
			go func() {
				defer conns.Done()
				defer func() { <-slots }()
				defer c.Close()
				track(c, true)
				defer track(c, false)
				o, err := dial(ctx)
				if err != nil {
					s.log.Info("tunnel connection failed", "name", name, "err", err)
					return
				}
				defer o.Close()
				track(o, true)
				defer track(o, false)
				splice(c, o)
			}()
		}
	}()
}

// splice copies both ways until both directions end, half-closing where the
// connections allow it.
func splice(a, b net.Conn) {
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		} else {
			dst.Close()
		}
		done <- struct{}{}
	}
	go cp(a, b)
	go cp(b, a)
	<-done
	<-done
}
