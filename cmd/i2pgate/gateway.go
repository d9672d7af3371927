package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"i2pgate/cmd/i2pgate/internal/config"
	"i2pgate/gateway"
	"i2pgate/gateway/automap"
	"i2pgate/gateway/dns"
	"i2pgate/gateway/httpproxy"
	"i2pgate/gateway/socks"
	"i2pgate/gateway/transparent"
	"i2pgate/router"
	"i2pgate/router/naming"
	"i2pgate/router/netx/http1"
)

// The automap table satisfies the resolver's Mapper.
var _ dns.Mapper = (*automap.Table)(nil)

// maxIsolated bounds the per-client destinations of socks.isolation =
// "client"; the least recently used one is closed beyond it.
const maxIsolated = 16

// gatewayParts are what the LAN front-ends share.
type gatewayParts struct {
	book    *naming.Book
	table   *automap.Table
	allow   *gateway.AllowList
	dialer  *i2pDialer
	isolate *isolation // nil: one shared destination

	// subs is the address book's subscriber (nil without subscriptions),
	// replaced when a reload changes them.
	subs struct {
		sync.Mutex
		sub *naming.Subscriber
	}

	// The running parts (nil when off), for the console and /metrics.
	dns   *dns.Server
	socks *socks.Server
	http  *httpproxy.Server
}

// startGateway starts the address book, its subscriptions, the automap
// table and the front-ends the config enables (DNS, SOCKS, transparent).
func startGateway(ctx context.Context, cfg *config.Config, r *router.Router, log *slog.Logger, f *frontEnds) (*gatewayParts, error) {
	book, err := naming.Open(naming.Config{Store: r.Store(), Logger: log})
	if err != nil {
		return nil, err
	}
	allow, err := gateway.NewAllowList(cfg.LAN.Allow)
	if err != nil {
		return nil, fmt.Errorf("lan.allow: %w", err)
	}
	persist := newAutomapPersist(r.Store())
	f.closers = append(f.closers, persist)
	table, err := automap.New(automap.Config{Network: cfg.Automap.Network, Network6: cfg.Automap.Network6, Persist: persist, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("automap: %w", err)
	}
	g := &gatewayParts{book: book, table: table, allow: allow, dialer: routerDialer(r, book)}
	if cfg.Socks.Isolation == "client" {
		g.isolate = &isolation{r: r, book: book, dests: map[netip.Addr]*isolated{}}
		f.closers = append(f.closers, g.isolate)
	}

	if err := g.setSubscriptions(cfg.AddressBook, log); err != nil {
		return nil, err
	}
	f.closers = append(f.closers, closerFunc(func() error { return g.setSubscriptions(config.AddressBook{}, log) }))
	if cfg.DNS.Address != "" {
		s, err := dns.New(dns.Config{Address: cfg.DNS.Address, Names: bookNames{book}, Mapper: table, Allow: allow.Allows, Logger: log})
		if err != nil {
			return nil, err
		}
		if err := s.Start(ctx); err != nil {
			return nil, err
		}
		f.closers = append(f.closers, s)
		g.dns = s
	}
	if cfg.Socks.Address != "" {
		sc := socks.Config{Address: cfg.Socks.Address, Allow: allow, Dialer: g.dialer, Reverse: table.Reverse, Logger: log}
		if g.isolate != nil {
			sc.DialerFor = g.isolate.dialerFor
		}
		s, err := socks.New(sc)
		if err != nil {
			return nil, err
		}
		if err := s.Start(ctx); err != nil {
			return nil, err
		}
		f.closers = append(f.closers, s)
		g.socks = s
	}
	if cfg.HTTPProxy.Address != "" {
		hc := httpproxy.Config{Address: cfg.HTTPProxy.Address, Allow: allow, Dialer: g.dialer,
			AddressBook: bookAdder{book}, Outproxy: cfg.HTTPProxy.Outproxy, Logger: log}
		if g.isolate != nil {
			hc.DialerFor = g.isolate.dialerFor
		}
		s, err := httpproxy.New(hc)
		if err != nil {
			return nil, err
		}
		if err := s.Start(ctx); err != nil {
			return nil, err
		}
		f.closers = append(f.closers, s)
		g.http = s
	}
	if cfg.Transparent.Address != "" {
		var nets []netip.Prefix
		for _, n := range []string{cfg.Automap.Network, cfg.Automap.Network6} {
			if n != "" {
				p, err := netip.ParsePrefix(n)
				if err != nil {
					return nil, err
				}
				nets = append(nets, p)
			}
		}
		tc := transparent.Config{Address: cfg.Transparent.Address, Allow: allow, Networks: nets, Reverse: table.Reverse, Dialer: g.dialer, Logger: log}
		if g.isolate != nil {
			tc.DialerFor = g.isolate.dialerFor
		}
		s, err := transparent.New(tc)
		if err != nil {
			return nil, err
		}
		if err := s.Start(ctx); err != nil {
			return nil, err
		}
		f.closers = append(f.closers, s)
	}
	return g, nil
}

// setSubscriptions stops the running subscriber and, when ab lists
// subscriptions, starts one for them: at the start and on a reload.
func (g *gatewayParts) setSubscriptions(ab config.AddressBook, log *slog.Logger) error {
	g.subs.Lock()
	defer g.subs.Unlock()
	if g.subs.sub != nil {
		g.subs.sub.Close()
		g.subs.sub = nil
	}
	if len(ab.Subscriptions) == 0 {
		return nil
	}
	sub, err := naming.NewSubscriber(naming.SubscriberConfig{
		Book: g.book, URLs: ab.Subscriptions, Bootstrap: naming.DefaultBootstrapURL(),
		Client:       &http1.Client{Dial: g.dialer.DialContext, MaxRedirects: 3},
		InitialDelay: max(time.Duration(ab.InitialDelay)*time.Second, time.Second),
		Logger:       log,
	})
	if err != nil {
		return err
	}
	if err := sub.Start(); err != nil {
		return err
	}
	g.subs.sub = sub
	return nil
}

// subscriber is the running subscriber, nil when there is none.
func (g *gatewayParts) subscriber() *naming.Subscriber {
	g.subs.Lock()
	defer g.subs.Unlock()
	return g.subs.sub
}

// closerFunc adapts a function to io.Closer.
type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// bookAdder saves names from the HTTP proxy's address helper.
type bookAdder struct{ b *naming.Book }

func (a bookAdder) AddLocal(name, base64dest string) error {
	dest, err := naming.DecodeDest(base64dest)
	if err != nil {
		return err
	}
	return a.b.AddLocal(name, dest)
}

// bookNames is the resolver's view of the address book.
type bookNames struct{ b *naming.Book }

func (n bookNames) Known(name string) bool { return n.b.Has(name) }

// isolation gives each LAN client address a transient destination of its
// own (socks.isolation = "client", like Tor's IsolateClientAddr).
type isolation struct {
	r     *router.Router
	book  *naming.Book
	mu    sync.Mutex // guards dests and tick
	dests map[netip.Addr]*isolated
	tick  uint64
}

type isolated struct {
	dest *router.Destination
	d    *i2pDialer
	used uint64
}

func (s *isolation) dialerFor(client netip.Addr) gateway.Dialer {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick++
	if x, ok := s.dests[client]; ok {
		x.used = s.tick
		return x.d
	}
	if s.r.MemoryPressure() >= router.PressureCritical {
		return nil // no new destination near limits.memory (reply 0x01)
	}
	if len(s.dests) >= maxIsolated {
		var oldest netip.Addr
		var min uint64
		for a, x := range s.dests {
			if !oldest.IsValid() || x.used < min {
				oldest, min = a, x.used
			}
		}
		go s.dests[oldest].dest.Close()
		delete(s.dests, oldest)
	}
	dest, err := s.r.NewDestination(router.DestinationConfig{Name: "client " + client.String()})
	if err != nil {
		return nil // refused (reply 0x01)
	}
	x := &isolated{dest: dest, d: &i2pDialer{book: s.book, dial: dest.Dial, critical: memoryCritical(s.r)}, used: s.tick}
	s.dests[client] = x
	return x.d
}

func (s *isolation) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for a, x := range s.dests {
		x.dest.Close()
		delete(s.dests, a)
	}
	return nil
}
