package router

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/netdb"
	"i2pgate/router/netdb/reseed"
	"i2pgate/router/transport"
	"i2pgate/router/transport/ntcp2"
)

// startNetwork starts, in order, the netdb and the transports, and publishes our
// RouterInfo. On error what was started is left for Close to stop.
func (r *Router) startNetwork() error {
	filter := transport.AddrFilter{AllowReserved: !r.cfg.ReservedRange}
	if err := r.newGarlic(); err != nil {
		return err
	}
	for range sendWorkers {
		r.wg.Add(1)
		go r.sendLoop()
	}
	rs, err := r.newReseeder()
	if err != nil {
		return err
	}
	r.ntun = &netdbTunnels{r: r}
	db, err := netdb.New(netdb.Config{
		Self:          r.keys.Identity().Hash(),
		Sender:        routerSender{r},
		Tunnels:       r.ntun,
		Store:         r.volatile,
		Reseeder:      rs,
		Floodfill:     r.cfg.Floodfill,
		WrapReply:     r.wrapReply,
		NetID:         r.cfg.NetID,
		ReservedRange: r.cfg.ReservedRange,
		AllowAddr:     func(a netip.Addr) bool { return filter.Check(a) == nil },
		MinRouters:    r.cfg.ReseedThreshold,
		ClockSeed:     r.clk,
		Clock:         r.clk,
		Rand:          r.rand,
		Logger:        r.cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	r.netdb = db

	var transports []transport.Transport
	if r.cfg.NTCP2Enabled {
		t, err := r.newNTCP2(filter)
		if err != nil {
			return err
		}
		transports = append(transports, t)
	}
	if len(transports) == 0 {
		return errors.New("router: no transport enabled (ntcp2.enabled = false)")
	}
	mgr, err := transport.NewManager(transport.ManagerConfig{
		Transports: transports,
		Handler:    (*dispatcher)(r),
		Clock:      r.clk,
		Logger:     r.cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	r.transports = mgr
	if err := db.Start(); err != nil {
		return fmt.Errorf("router: %w", err)
	}
	if err := mgr.Start(); err != nil {
		return fmt.Errorf("router: %w", err)
	}
	if err := r.startTunnels(); err != nil {
		return err
	}
	r.startClockWatch()
	r.startSNTP()
	return db.Publish(r.RouterInfo())
}

// newNTCP2 builds the NTCP2 transport from ntcp2.keys. It listens on every
// interface at our NTCP2 port when we publish a host, else it only dials.
func (r *Router) newNTCP2(filter transport.AddrFilter) (*ntcp2.Transport, error) {
	listen := ""
	if r.cfg.Host != "" {
		port, err := r.ntcp2Port()
		if err != nil {
			return nil, err
		}
		listen = net.JoinHostPort("", strconv.Itoa(port))
	}
	t, err := ntcp2.New(ntcp2.Config{
		Network:         r.cfg.Network,
		Clock:           r.clk,
		Rand:            r.rand,
		Logger:          r.cfg.Logger,
		NetID:           uint8(r.cfg.NetID),
		StaticKey:       r.ntcp2.priv,
		IV:              r.ntcp2.iv,
		RouterHash:      r.keys.Identity().Hash(),
		LocalRouterInfo: r.freshRouterInfo,
		ListenAddr:      listen,
		Skew:            r.clk,
		Filter:          filter,
	})
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return t, nil
}

// newReseeder builds the reseeder from reseed.urls and reseed.file; nil when
// neither is set.
func (r *Router) newReseeder() (netdb.Reseeder, error) {
	if len(r.cfg.ReseedURLs) == 0 && r.cfg.ReseedFile == "" {
		return nil, nil
	}
	dir := r.cfg.ReseedCertsDir
	if dir == "" {
		dir = reseed.DefaultCertsDir
	}
	certs, err := reseed.LoadCertsDir(dir)
	if err != nil && len(r.cfg.ReseedURLs) > 0 {
		// URL reseeds need the signers; a local file works without them.
		r.log.Warn("reseed signer certificates", "dir", dir, "err", err, "loaded", len(certs))
	}
	file := r.cfg.ReseedFile
	if file != "" && !filepath.IsAbs(file) {
		if abs, err := filepath.Abs(file); err == nil {
			file = abs
		}
	}
	rs, err := reseed.New(reseed.Config{
		URLs:    r.cfg.ReseedURLs,
		File:    file,
		NetID:   r.cfg.NetID,
		Certs:   certs,
		Command: r.cfg.ReseedCommand,
		Network: r.cfg.Network,
		Clock:   r.clk,
		Rand:    r.rand,
		Logger:  r.cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return rs, nil
}

// routerSender is the netdb's way out: by the RouterInfo it holds, or over a
// session the peer already has with us.
type routerSender struct{ r *Router }

func (s routerSender) SendMessage(ctx context.Context, to data.Hash, msg i2np.Message) error {
	if ri, ok := s.r.netdb.RouterInfo(to); ok {
		return s.r.transports.Send(ctx, ri, msg)
	}
	return s.r.transports.SendTo(to, msg)
}

var _ netdb.Sender = routerSender{}
