package gateway

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// Dialer opens streams to I2P destinations. addr is "name.i2p:port" or
// "xxxx.b32.i2p:port" (network is "tcp"); the integrator resolves the name, looks
// up the LeaseSet and opens a streaming connection, and wraps its failures with
// the error kinds of this package (ErrUnknownName, ErrNotFound, ErrTimeout,
// ErrNoTunnels, ErrRefused) so that Classify can tell them apart. An outproxy
// Dialer given to a front-end for clearnet targets receives "host:port" of any
// kind.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// AddressBook is the part of the router's address book the HTTP proxy's address
// helper writes to: AddLocal stores name -> destination (base64, I2P alphabet) in
// the local book. Whether an existing entry is replaced is the book's decision.
type AddressBook interface {
	AddLocal(name, base64dest string) error
}

// AllowList is the set of LAN client addresses the front-ends serve (config
// lan.allow: a list of CIDR prefixes or single addresses).
//
// An empty list, like a nil *AllowList, allows loopback clients only
// (127.0.0.0/8 and ::1): a gateway that serves the LAN must say which LAN. Allowing
// every private range by default would also serve a guest or IoT network that
// happens to be routed to the box.
type AllowList struct {
	prefixes []netip.Prefix
}

// NewAllowList parses the prefixes of lan.allow. Each entry is a CIDR prefix
// ("192.168.1.0/24", "fd00::/8") or a single address ("192.168.1.5"); IPv4-mapped
// IPv6 prefixes are taken as the IPv4 prefix they map.
func NewAllowList(entries []string) (*AllowList, error) {
	a := &AllowList{}
	for _, e := range entries {
		p, err := parseAllowEntry(strings.TrimSpace(e))
		if err != nil {
			return nil, fmt.Errorf("gateway: lan.allow %q: %w", e, err)
		}
		a.prefixes = append(a.prefixes, p)
	}
	return a, nil
}

func parseAllowEntry(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		addr, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		addr = addr.Unmap()
		if addr.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("zone not allowed")
		}
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// Allows reports whether a client at addr may use the front-ends. IPv4-mapped
// IPv6 addresses (a dual-stack listener's view of IPv4 clients) are compared as
// IPv4; zones are ignored.
func (a *AllowList) Allows(addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	addr = addr.Unmap().WithZone("")
	if a == nil || len(a.prefixes) == 0 {
		return addr.IsLoopback()
	}
	for _, p := range a.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// String lists the prefixes, or says "loopback only".
func (a *AllowList) String() string {
	if a == nil || len(a.prefixes) == 0 {
		return "loopback only"
	}
	s := make([]string, len(a.prefixes))
	for i, p := range a.prefixes {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// ClientAddr returns the IP address of a connection's remote end (unmapped, no
// zone), or false if it has none.
func ClientAddr(a net.Addr) (netip.Addr, bool) {
	switch t := a.(type) {
	case nil:
		return netip.Addr{}, false
	case *net.TCPAddr:
		ip, ok := netip.AddrFromSlice(t.IP)
		return ip.Unmap(), ok
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap().WithZone(""), true
}

// DefaultMaxConns bounds the connections one front-end holds open at once when
// ListenerConfig.MaxConns is 0. A relayed connection costs its copy buffers
// (8 KB each way, SOCKS 8 + 4 KB) and two or three goroutines, about 25-30 KB
// in all, so 512 of them take some 15 MB, well inside the default 96 MB
// memory ceiling (scripts/testnet/gateway.sh: 200 SOCKS streams at once raise
// the RSS by about 12 MB, router side included, to a VmHWM under 30 MB); it
// matches the 512 streams a destination holds at most, and
// lets a browser's or a download manager's burst (a few hundred connections
// through one LAN) run at once instead of waiting in the accept queue.
const DefaultMaxConns = 512

// ListenerConfig configures a Listener.
type ListenerConfig struct {
	Allow    *AllowList // nil: loopback only
	MaxConns int        // open connections at most; 0: DefaultMaxConns
	// Refused, if set, is called from Accept for each client refused by Allow.
	Refused func(client netip.Addr)
}

// Listener is the accept side shared by the front-ends. It closes connections from
// clients outside the allow list before reading any byte from them, bounds the
// number of open connections (Accept waits for a free slot), and closes every
// connection it handed out when it is closed, hijacked HTTP connections included.
type Listener struct {
	ln      net.Listener
	allow   *AllowList
	refused func(netip.Addr)
	slots   chan struct{} // one token per open connection
	done    chan struct{} // closed by Close

	closeOnce sync.Once
	closeErr  error

	// open guards the set of connections handed out and not yet closed.
	open struct {
		sync.Mutex
		conns  map[*Conn]struct{}
		closed bool
	}
}

// NewListener wraps ln.
func NewListener(ln net.Listener, cfg ListenerConfig) *Listener {
	n := cfg.MaxConns
	if n <= 0 {
		n = DefaultMaxConns
	}
	l := &Listener{
		ln:      ln,
		allow:   cfg.Allow,
		refused: cfg.Refused,
		slots:   make(chan struct{}, n),
		done:    make(chan struct{}),
	}
	l.open.conns = make(map[*Conn]struct{})
	return l
}

// Accept waits for a free slot and for an allowed client, and returns its
// connection as a *Conn.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
		c, err := l.ln.Accept()
		if err != nil {
			<-l.slots
			return nil, err
		}
		client, ok := ClientAddr(c.RemoteAddr())
		if !ok || !l.allow.Allows(client) {
			c.Close()
			<-l.slots
			if l.refused != nil {
				l.refused(client)
			}
			continue
		}
		conn := &Conn{Conn: c, l: l, client: client}
		if !l.add(conn) {
			c.Close()
			<-l.slots
			return nil, net.ErrClosed
		}
		return conn, nil
	}
}

func (l *Listener) add(c *Conn) bool {
	l.open.Lock()
	defer l.open.Unlock()
	if l.open.closed {
		return false
	}
	l.open.conns[c] = struct{}{}
	return true
}

func (l *Listener) remove(c *Conn) {
	l.open.Lock()
	delete(l.open.conns, c)
	l.open.Unlock()
	<-l.slots
}

// Close stops accepting and closes every open connection. It is idempotent.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() {
		close(l.done)
		l.closeErr = l.ln.Close()
		l.open.Lock()
		l.open.closed = true
		conns := make([]*Conn, 0, len(l.open.conns))
		for c := range l.open.conns {
			conns = append(conns, c)
		}
		l.open.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.closeErr
}

// Addr is the listening address.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

// Open is the number of connections handed out and not yet closed.
func (l *Listener) Open() int {
	l.open.Lock()
	defer l.open.Unlock()
	return len(l.open.conns)
}

// Conn is a connection accepted by a Listener.
type Conn struct {
	net.Conn
	l         *Listener
	client    netip.Addr
	closeOnce sync.Once
	closeErr  error
}

// Client is the client's IP address (unmapped).
func (c *Conn) Client() netip.Addr { return c.client }

// NetConn is the underlying connection, for socket options (SO_ORIGINAL_DST).
func (c *Conn) NetConn() net.Conn { return c.Conn }

// Close closes the connection and frees its slot. It is idempotent.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.closeErr = c.Conn.Close()
		c.l.remove(c)
	})
	return c.closeErr
}

// CloseWrite half-closes the connection when the underlying one can (TCP).
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Names of I2P destinations.
const (
	maxNameLen  = 255 // longest name a SOCKS5 request can carry
	maxLabelLen = 63
	b32Len      = 52 // base32 of a 32-byte hash
	b33MinLen   = 56 // base32 of a blinded key (encrypted LeaseSet2)
)

// I2PName reports whether host (no port) names an I2P destination: a
// hostname ending in ".i2p" made of DNS-style labels (a-z, 0-9, '-'). It returns
// the canonical form: lower case, without a trailing dot. IP literals and every
// other name are clearnet.
func I2PName(host string) (string, bool) {
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if len(name) > maxNameLen || !strings.HasSuffix(name, ".i2p") || len(name) <= len(".i2p") {
		return "", false
	}
	for label := range strings.SplitSeq(name, ".") {
		if !validLabel(label) {
			return "", false
		}
	}
	return name, true
}

func validLabel(l string) bool {
	if len(l) == 0 || len(l) > maxLabelLen || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// IsB32 reports whether name (canonical, as I2PName returns it) is a .b32.i2p
// address: the base32 of a destination hash (52 characters) or of a blinded key
// (56 or more), which needs no address book.
func IsB32(name string) bool {
	b, ok := strings.CutSuffix(name, ".b32.i2p")
	if !ok || (len(b) != b32Len && len(b) < b33MinLen) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}
