package router

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/datagram"
	"i2pgate/router/destination"
	"i2pgate/router/garlic/ratchet"
	"i2pgate/router/i2cp"
	"i2pgate/router/i2np"
	"i2pgate/router/streaming"
	"i2pgate/router/tunnel/pool"
)

// DestinationConfig configures a local destination.
type DestinationConfig struct {
	// Name names it in logs and status ([tunnels.NAME]).
	Name string
	// Keys is its keys file, relative to the data directory (created on
	// first use, reused after); empty makes transient keys.
	Keys string
	// Inbound and Outbound are its client tunnel pool settings; zero
	// lengths and quantities mean the defaults (2 hops, 2 tunnels).
	Inbound, Outbound pool.Side
	// Publish publishes its lease set (servers); clients need not.
	Publish bool
}

// Queue sizes of a destination's outgoing messages.
const (
	destSendQueue   = 256
	destSendWorkers = 2
	destSendTimeout = 30 * time.Second
	// destMaxStreams and destMaxStreamsPerPeer bound a destination's
	// streams (buffers grow only with use).
	destMaxStreams        = 512
	destMaxStreamsPerPeer = 256
	destReceiveBuffer     = 256 << 10
)

// Destination is a local destination of the router with its streams: the
// client side (Dial) and the server side (Listen) of I2P connections.
type Destination struct {
	r       *Router
	name    string
	dest    *destination.Destination
	streams *streaming.Manager
	dgrams  *datagram.Manager
	ratchet *ratchet.Manager
	sendq   chan outgoingPayload
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	once    sync.Once
}

type outgoingPayload struct {
	to      data.Hash
	payload []byte
}

// NewDestination starts a local destination: its tunnels are built and,
// when cfg.Publish is set, its lease set is published once they are.
func (r *Router) NewDestination(cfg DestinationConfig) (*Destination, error) {
	r.state.Lock()
	ok := r.state.started && !r.state.closed && r.pools != nil
	r.state.Unlock()
	if !ok {
		return nil, errors.New("router: destinations need a started router")
	}
	keys, err := r.destinationKeys(cfg.Keys)
	if err != nil {
		return nil, err
	}
	enc, err := destination.EncryptionKey(keys)
	if err != nil {
		return nil, err
	}
	x := &Destination{r: r, name: cfg.Name, sendq: make(chan outgoingPayload, destSendQueue)}
	x.ctx, x.cancel = context.WithCancel(r.ctx)
	sessions, err := r.newSessions(enc)
	if err != nil {
		return nil, err
	}
	x.ratchet = sessions
	pc := pool.PoolConfig{Inbound: sideOr(cfg.Inbound), Outbound: sideOr(cfg.Outbound)}
	d, err := destination.New(destination.Config{
		Name: cfg.Name, Keys: keys, Pool: pc,
		Tunnels: r.pools, NetDB: r.netdb, Sessions: sessions,
		WrapForRouter: r.wrapForRouter,
		Receive:       x.receive,
		Other:         func(msg i2np.Message) { r.dispatch(data.Hash{}, msg, 0) },
		Publish:       cfg.Publish,
		Clock:         r.clk, Rand: r.rand, Logger: r.cfg.Logger,
	})
	if err != nil {
		sessions.Close()
		return nil, err
	}
	x.dest = d
	signer := d.Signer()
	sm, err := streaming.New(streaming.Config{
		Local: keys.Destination(), Signer: signer, Offline: keys.Offline(),
		Sender: streamSender{x}, Clock: r.clk, Rand: r.rand, Logger: r.cfg.Logger,
		// A LAN gateway opens many streams to one site (a browser's
		// parallel requests from every client): the per-peer limit is
		// about abuse by remote peers, not our own clients.
		MaxConns: destMaxStreams, MaxConnsPerPeer: destMaxStreamsPerPeer,
		// i2pd sends up to 128 packets of up to 1812 bytes before it
		// waits for an ACK, and 2.45.1 does not slow down when choked: a
		// buffer smaller than that window drops what follows a lost
		// packet. It fills only while packets are out of order or unread.
		ReceiveBuffer: destReceiveBuffer,
	})
	if err != nil {
		sessions.Close()
		return nil, fmt.Errorf("router: %w", err)
	}
	x.streams = sm
	dm, err := datagram.New(datagram.Config{Local: keys.Destination(), Signer: signer, Offline: keys.Offline(),
		Sender: datagramSender{x}, Clock: r.clk, Logger: r.cfg.Logger})
	if err != nil {
		sm.Close()
		sessions.Close()
		return nil, fmt.Errorf("router: %w", err)
	}
	x.dgrams = dm
	for range destSendWorkers {
		x.wg.Add(1)
		go x.sendLoop()
	}
	if err := d.Start(); err != nil {
		x.Close()
		return nil, err
	}
	r.dests.Lock()
	r.dests.list = append(r.dests.list, x)
	r.dests.Unlock()
	return x, nil
}

func sideOr(s pool.Side) pool.Side {
	if s.Length == 0 && s.Quantity == 0 {
		s.Length = pool.DefaultLength
	}
	return s
}

// destinationKeys loads or creates the keys file, or makes transient keys.
func (r *Router) destinationKeys(file string) (*data.PrivateKeys, error) {
	if file == "" {
		return destination.GenerateKeys(r.rand)
	}
	if filepath.IsAbs(file) || strings.Contains(file, "..") {
		return nil, fmt.Errorf("router: keys file %q must be a name in the data directory", file)
	}
	return destination.LoadKeys(filepath.Join(r.cfg.DataDir, file), r.rand)
}

// Address is the destination's b32 address.
func (x *Destination) Address() string { return x.dest.Address() }

// Hash is the destination hash.
func (x *Destination) Hash() data.Hash { return x.dest.Hash() }

// Ready reports whether the destination has tunnels both ways.
func (x *Destination) Ready() bool { return x.dest.Ready() }

// Published reports whether a floodfill confirmed its current lease set.
func (x *Destination) Published() bool { return x.dest.Stats().LeaseSetPublished }

// Dial opens a stream to addr, "name.b32.i2p:port" or "base64dest:port".
func (x *Destination) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if network != "" && network != "tcp" && network != "i2p" {
		return nil, fmt.Errorf("router: dial: network %q (want tcp)", network)
	}
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("router: dial %q: %w", addr, err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("router: dial %q: bad port", addr)
	}
	h, err := parseDestinationHost(host)
	if err != nil {
		return nil, err
	}
	remote, err := x.dest.Lookup(ctx, h)
	if err != nil {
		return nil, err
	}
	c, err := x.streams.Dial(ctx, remote, uint16(port))
	if err != nil {
		return nil, err
	}
	return c, nil
}

// parseDestinationHost takes a b32 address or a base64 destination.
func parseDestinationHost(host string) (data.Hash, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if strings.HasSuffix(host, ".b32.i2p") {
		h, err := data.ParseB32Address(host)
		if err != nil {
			return data.Hash{}, fmt.Errorf("router: %q: %w", host, err)
		}
		return h, nil
	}
	return data.Hash{}, fmt.Errorf("router: %q is not a .b32.i2p address", host)
}

// Listen accepts streams to port (0: any port) of this destination.
func (x *Destination) Listen(port uint16) (net.Listener, error) {
	return x.streams.Listen(port)
}

// Streams is the number of open streams.
func (x *Destination) Streams() int { return x.streams.Stats().Conns }

// Close ends its streams, tunnels and lease set. It is idempotent.
func (x *Destination) Close() error {
	x.once.Do(func() {
		x.streams.Close()
		x.dgrams.Close()
		x.cancel()
		x.wg.Wait()
		x.dest.Close()
		x.ratchet.Close()
		x.r.dests.Lock()
		for i, d := range x.r.dests.list {
			if d == x {
				x.r.dests.list = append(x.r.dests.list[:i], x.r.dests.list[i+1:]...)
				break
			}
		}
		x.r.dests.Unlock()
	})
	return nil
}

// receive takes an I2CP payload sent to us.
func (x *Destination) receive(payload []byte) {
	p, err := i2cp.DecodePayload(payload)
	if err != nil {
		return
	}
	switch p.Proto {
	case i2cp.ProtoStreaming:
		x.streams.HandlePacket(p.SrcPort, p.DstPort, p.Data)
	case i2cp.ProtoDatagram, i2cp.ProtoRaw, datagram.ProtoDatagram2, datagram.ProtoDatagram3:
		x.dgrams.HandlePayload(p.Proto, p.SrcPort, p.DstPort, p.Data)
	}
}

// streamSender queues the streams' packets for the send workers, so that a
// lease set lookup never blocks a stream.
type streamSender struct{ x *Destination }

func (s streamSender) SendPacket(to *data.Destination, srcPort, dstPort uint16, packet []byte) error {
	payload, err := i2cp.EncodePayload(i2cp.ProtoStreaming, srcPort, dstPort, packet, false)
	if err != nil {
		return err
	}
	select {
	case s.x.sendq <- outgoingPayload{to: to.Hash(), payload: payload}:
		return nil
	default:
		return errors.New("router: destination send queue full")
	}
}

// datagramSender queues datagrams like streamSender queues packets.
type datagramSender struct{ x *Destination }

func (s datagramSender) SendDatagram(to data.Hash, proto uint8, srcPort, dstPort uint16, dg []byte) error {
	// The repliable kinds repeat the sender's padded destination: compress.
	compress := proto == i2cp.ProtoDatagram || proto == datagram.ProtoDatagram2
	payload, err := i2cp.EncodePayload(proto, srcPort, dstPort, dg, compress)
	if err != nil {
		return err
	}
	select {
	case s.x.sendq <- outgoingPayload{to: to, payload: payload}:
		return nil
	default:
		return errors.New("router: destination send queue full")
	}
}

// ListenDatagram receives datagrams sent to port (0: any port) of this
// destination and sends repliable (protocol 17) or raw (18) ones.
func (x *Destination) ListenDatagram(port uint16, repliable bool) (net.PacketConn, error) {
	return x.dgrams.Listen(port, repliable)
}

func (x *Destination) sendLoop() {
	defer x.wg.Done()
	for {
		select {
		case <-x.ctx.Done():
			return
		case o := <-x.sendq:
			ctx, cancel := context.WithTimeout(x.ctx, destSendTimeout)
			if err := x.dest.Send(ctx, o.to, o.payload); err != nil {
				x.r.log.Debug("destination send", "name", x.name, "err", err)
			}
			cancel()
		}
	}
}

// Dial opens a stream to addr ("xxx.b32.i2p:port") from the router's shared
// client destination, which is made (transient, unpublished) on first use.
func (r *Router) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	x, err := r.sharedDestination()
	if err != nil {
		return nil, err
	}
	return x.Dial(ctx, network, addr)
}

func (r *Router) sharedDestination() (*Destination, error) {
	r.dests.Lock()
	x := r.dests.shared
	r.dests.Unlock()
	if x != nil {
		return x, nil
	}
	x, err := r.NewDestination(DestinationConfig{Name: "shared client"})
	if err != nil {
		return nil, err
	}
	r.dests.Lock()
	defer r.dests.Unlock()
	if r.dests.shared != nil { // another caller was first
		go x.Close()
		return r.dests.shared, nil
	}
	r.dests.shared = x
	return x, nil
}

// DestinationStatus is one local destination in Status.
type DestinationStatus struct {
	Name              string `json:"name"`
	B32               string `json:"b32"`
	LeaseSetPublished bool   `json:"leaseset_published"`
	Streams           int    `json:"streams"`
	// Stream packet counters (streaming.Stats).
	PacketsSent     uint64 `json:"packets_sent"`
	PacketsResent   uint64 `json:"packets_resent"`
	PacketsReceived uint64 `json:"packets_received"`
	PacketsDropped  uint64 `json:"packets_dropped"`
	SendErrors      uint64 `json:"send_errors"`
	// Of PacketsDropped: no room in the receive buffer, too far out of
	// order, for no connection.
	DroppedFull   uint64 `json:"dropped_full"`
	DroppedFar    uint64 `json:"dropped_far"`
	DroppedNoConn uint64 `json:"dropped_noconn"`
	// Garlic (ratchet.Stats): messages opened, and those refused with a
	// tag we expected (a real decryption failure) or with no tag we know
	// (late, beyond the look-ahead, or the router's garlic through our
	// tunnels, which the router then opens).
	GarlicOpened     uint64 `json:"garlic_opened"`
	GarlicBadTag     uint64 `json:"garlic_bad_tag"`
	GarlicUnknownTag uint64 `json:"garlic_unknown_tag"`
}

func (r *Router) destinationStatus() []DestinationStatus {
	r.dests.Lock()
	list := append([]*Destination(nil), r.dests.list...)
	r.dests.Unlock()
	out := make([]DestinationStatus, 0, len(list))
	for _, x := range list {
		ss := x.streams.Stats()
		gs := x.ratchet.Stats()
		out = append(out, DestinationStatus{Name: x.name, B32: x.Address(), LeaseSetPublished: x.Published(), Streams: ss.Conns,
			PacketsSent: ss.PacketsSent, PacketsResent: ss.PacketsResent, PacketsReceived: ss.PacketsReceived,
			PacketsDropped: ss.PacketsDropped, SendErrors: ss.SendErrors,
			DroppedFull: ss.DroppedFull, DroppedFar: ss.DroppedFar, DroppedNoConn: ss.DroppedNoConn,
			GarlicOpened:     gs.ReceivedNS + gs.ReceivedNSR + gs.ReceivedES,
			GarlicBadTag:     gs.RejectedES + gs.RejectedNSR,
			GarlicUnknownTag: gs.RejectedUnknown})
	}
	return out
}

// newSessions makes the ratchet sessions of a destination with key pair enc.
func (r *Router) newSessions(enc crypto.X25519KeyPair) (*ratchet.Manager, error) {
	return ratchet.NewManager(ratchet.Config{Static: enc, Clock: r.clk, Rand: r.rand}), nil
}
