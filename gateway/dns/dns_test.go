package dns

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/net/dns/dnsmessage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeNames knows a set of names and every name under .b32.i2p of 52
// characters.
type fakeNames map[string]bool

func (f fakeNames) Known(name string) bool {
	if b, ok := strings.CutSuffix(name, ".b32.i2p"); ok {
		return len(b) == 52
	}
	return f[name]
}

// fakeMapper hands out addresses in order, as the automap would.
type fakeMapper struct {
	mu    sync.Mutex
	v6    bool
	fail  bool
	next  byte
	names map[string]byte
	calls int
}

func (f *fakeMapper) Map(name string) (v4, v6 netip.Addr, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail {
		return netip.Addr{}, netip.Addr{}, errors.New("full")
	}
	if f.names == nil {
		f.names = map[string]byte{}
	}
	n, ok := f.names[name]
	if !ok {
		f.next++
		n = f.next + 1
		f.names[name] = n
	}
	v4 = netip.AddrFrom4([4]byte{10, 192, 0, n})
	if f.v6 {
		v6 = netip.AddrFrom16([16]byte{0xfd, 0x50, 0x49, 0x32, 0x50, 0x61, 15: n})
	}
	return v4, v6, nil
}

func (f *fakeMapper) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeMapper) Reverse(ip netip.Addr) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ip = ip.Unmap()
	for name, n := range f.names {
		if ip == netip.AddrFrom4([4]byte{10, 192, 0, n}) || (f.v6 && ip == netip.AddrFrom16([16]byte{0xfd, 0x50, 0x49, 0x32, 0x50, 0x61, 15: n})) {
			return name, true
		}
	}
	return "", false
}

const testB32 = "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p"

func startServer(t *testing.T, cfg Config) (*Server, *fakeMapper) {
	t.Helper()
	m, _ := cfg.Mapper.(*fakeMapper)
	if cfg.Mapper == nil {
		m = &fakeMapper{}
		cfg.Mapper = m
	}
	if cfg.Names == nil {
		cfg.Names = fakeNames{"zzz.i2p": true, "forum.i2p": true}
	}
	if cfg.Address == "" {
		cfg.Address = "127.0.0.1:0"
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, m
}

func TestAnswers(t *testing.T) {
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			s, m := startServer(t, Config{Mapper: &fakeMapper{v6: true}})
			resp := ask(t, s, network, "ZZZ.i2p.", dnsmessage.TypeA, nil)
			if resp.RCode != dnsmessage.RCodeSuccess || len(resp.Answers) != 1 || !resp.Authoritative {
				t.Fatalf("A zzz.i2p: %+v", resp)
			}
			if resp.RecursionAvailable || resp.Truncated {
				t.Errorf("A zzz.i2p: header %+v", resp.Header)
			}
			a := resp.Answers[0]
			v4, v6, _ := m.Map("zzz.i2p")
			if a.Body.(*dnsmessage.AResource).A != v4.As4() || a.Header.TTL != TTL || a.Header.Name.String() != "ZZZ.i2p." ||
				a.Header.Class != dnsmessage.ClassINET {
				t.Errorf("A record %+v", a)
			}
			resp = ask(t, s, network, "zzz.i2p.", dnsmessage.TypeAAAA, nil)
			if len(resp.Answers) != 1 || resp.Answers[0].Body.(*dnsmessage.AAAAResource).AAAA != v6.As16() {
				t.Errorf("AAAA zzz.i2p: %+v", resp)
			}
			resp = ask(t, s, network, testB32+".", dnsmessage.TypeA, nil)
			if resp.RCode != dnsmessage.RCodeSuccess || len(resp.Answers) != 1 {
				t.Errorf("A b32: %+v", resp)
			}
			for _, tt := range []struct {
				name    string
				qtype   dnsmessage.Type
				rcode   dnsmessage.RCode
				answers int
			}{
				{"zzz.i2p.", dnsmessage.TypeMX, dnsmessage.RCodeSuccess, 0},
				{"zzz.i2p.", dnsmessage.TypeTXT, dnsmessage.RCodeSuccess, 0},
				{"unknown.i2p.", dnsmessage.TypeA, dnsmessage.RCodeNameError, 0},
				{"sub.zzz.i2p.", dnsmessage.TypeA, dnsmessage.RCodeNameError, 0},
				{"i2p.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, 0},
				{"example.com.", dnsmessage.TypeA, dnsmessage.RCodeRefused, 0},
				{"i2p.example.com.", dnsmessage.TypeA, dnsmessage.RCodeRefused, 0},
				{".", dnsmessage.TypeNS, dnsmessage.RCodeRefused, 0},
				{"2.0.192.10.in-addr.arpa.", dnsmessage.TypePTR, dnsmessage.RCodeSuccess, 1},
				{"2.0.192.10.in-addr.arpa.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, 0},
				{"9.0.192.10.in-addr.arpa.", dnsmessage.TypePTR, dnsmessage.RCodeNameError, 0},
				{"0.192.10.in-addr.arpa.", dnsmessage.TypePTR, dnsmessage.RCodeNameError, 0},
				{"1.168.192.in-addr.arpa.", dnsmessage.TypePTR, dnsmessage.RCodeNameError, 0},
				{"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.6.0.5.2.3.9.4.0.5.d.f.ip6.arpa.", dnsmessage.TypePTR, dnsmessage.RCodeSuccess, 1},
				{"9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.6.0.5.2.3.9.4.0.5.d.f.ip6.arpa.", dnsmessage.TypePTR, dnsmessage.RCodeNameError, 0},
			} {
				resp := ask(t, s, network, tt.name, tt.qtype, nil)
				if resp.RCode != tt.rcode || len(resp.Answers) != tt.answers {
					t.Errorf("%s %s: rcode %s, %d answers; want %s, %d", tt.name, tt.qtype,
						resp.RCode, len(resp.Answers), tt.rcode, tt.answers)
				}
				if wantAA := tt.rcode != dnsmessage.RCodeRefused; resp.Authoritative != wantAA {
					t.Errorf("%s %s: AA %v", tt.name, tt.qtype, resp.Authoritative)
				}
			}
			resp = ask(t, s, network, "2.0.192.10.in-addr.arpa.", dnsmessage.TypePTR, nil)
			if ptr := resp.Answers[0]; ptr.Body.(*dnsmessage.PTRResource).PTR.String() != "zzz.i2p." || ptr.Header.TTL != TTL {
				t.Errorf("PTR %+v", ptr)
			}
			resp = ask(t, s, network, "zzz.i2p.", dnsmessage.TypeA, func(m *dnsmessage.Message) { m.Questions[0].Class = dnsmessage.ClassCHAOS })
			if resp.RCode != dnsmessage.RCodeRefused {
				t.Errorf("class CH: %v", resp.RCode)
			}
		})
	}
}

func TestNoIPv6(t *testing.T) {
	s, m := startServer(t, Config{})
	resp := ask(t, s, "udp", "forum.i2p.", dnsmessage.TypeAAAA, nil)
	if resp.RCode != dnsmessage.RCodeSuccess || len(resp.Answers) != 0 {
		t.Errorf("AAAA without IPv6: %+v", resp)
	}
	if m.Calls() != 1 {
		t.Errorf("Map called %d times", m.Calls())
	}
	// Unknown names and other types never allocate an address.
	ask(t, s, "udp", "nope.i2p.", dnsmessage.TypeA, nil)
	ask(t, s, "udp", "forum.i2p.", dnsmessage.TypeMX, nil)
	if m.Calls() != 1 {
		t.Errorf("Map called %d times", m.Calls())
	}
}

func TestEDNS(t *testing.T) {
	s, _ := startServer(t, Config{})
	resp := ask(t, s, "udp", "zzz.i2p.", dnsmessage.TypeA, withEDNS(4096, true, 0))
	o := opt(resp)
	if o == nil || o.Class != maxUDPSize || len(resp.Answers) != 1 || len(resp.Additionals) != 1 {
		t.Fatalf("EDNS reply %+v", resp)
	}
	if o.Name.String() != "." || o.TTL != 0 {
		t.Errorf("OPT record %+v", o)
	}
	resp = ask(t, s, "udp", "zzz.i2p.", dnsmessage.TypeA, withEDNS(4096, false, 1))
	if rcode(resp) != rcodeBadVers || opt(resp) == nil || len(resp.Answers) != 0 || resp.Authoritative {
		t.Errorf("EDNS version 1: rcode %d", rcode(resp))
	}
	// Without EDNS, the reply has none.
	if resp = ask(t, s, "tcp", "zzz.i2p.", dnsmessage.TypeA, nil); opt(resp) != nil {
		t.Errorf("OPT in a reply to a query without: %+v", resp)
	}
	if st := s.Stats(); st.BadVers != 1 || st.Answer != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestMalformed(t *testing.T) {
	s, m := startServer(t, Config{})
	resp := ask(t, s, "udp", "zzz.i2p.", dnsmessage.TypeA, func(r *dnsmessage.Message) { r.OpCode = 5 }) // UPDATE
	if resp.RCode != dnsmessage.RCodeNotImplemented {
		t.Errorf("UPDATE: %s", resp.RCode)
	}
	resp = ask(t, s, "udp", "zzz.i2p.", dnsmessage.TypeA, func(r *dnsmessage.Message) {
		r.Questions = append(r.Questions, dnsmessage.Question{Name: dnsmessage.MustNewName("forum.i2p."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET})
	})
	if resp.RCode != dnsmessage.RCodeFormatError {
		t.Errorf("two questions: %s", resp.RCode)
	}
	m.mu.Lock()
	m.fail = true
	m.mu.Unlock()
	resp = ask(t, s, "tcp", "zzz.i2p.", dnsmessage.TypeA, nil)
	if resp.RCode != dnsmessage.RCodeServerFailure {
		t.Errorf("mapper failure: %s", resp.RCode)
	}
	// Garbage and responses get no answer; garbage is counted.
	conn, err := net.Dial("udp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte{1, 2, 3})
	// The garbage is read before this query, on the same socket.
	ask(t, s, "udp", "zzz.i2p.", dnsmessage.TypeA, nil)
	st := s.Stats()
	if st.NotImp != 1 || st.FormErr != 2 || st.ServFail != 2 || st.Answer != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestBroken sends messages whose header parses but whose body does not:
// FORMERR with the ID, and the question when it was read; responses get
// nothing.
func TestBroken(t *testing.T) {
	s, _ := startServer(t, Config{})
	good, err := newQuery("zzz.i2p.", dnsmessage.TypeA).Pack()
	if err != nil {
		t.Fatal(err)
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tt := range []struct {
			name string
			msg  []byte
			hasQ bool
		}{
			{"cut question", good[:len(good)-1], false},
			{"missing answer", func() []byte { b := append([]byte(nil), good...); b[7] = 1; return b }(), true},
			{"dot in label", func() []byte { b := append([]byte(nil), good...); b[headerLen+2] = '.'; return b }(), false},
			{"two OPT records", func() []byte {
				q := newQuery("zzz.i2p.", dnsmessage.TypeA)
				withEDNS(1232, false, 0)(q)
				withEDNS(1232, false, 0)(q)
				b, _ := q.Pack()
				return b
			}(), true},
		} {
			b, err := exchangeRaw(network, s.Addr().String(), tt.msg)
			if err != nil {
				t.Fatalf("%s %s: %v", network, tt.name, err)
			}
			var resp dnsmessage.Message
			if err := resp.Unpack(b); err != nil {
				t.Fatalf("%s %s: %v", network, tt.name, err)
			}
			id := uint16(tt.msg[0])<<8 | uint16(tt.msg[1])
			if resp.ID != id || !resp.Response || resp.RCode != dnsmessage.RCodeFormatError || resp.Authoritative ||
				len(resp.Answers) != 0 || (len(resp.Questions) == 1) != tt.hasQ {
				t.Errorf("%s %s: %+v", network, tt.name, resp)
			}
		}
	}
	// A response, and a TCP message longer than any query, get nothing.
	response := append([]byte(nil), good...)
	response[2] |= 0x80
	for _, network := range []string{"udp", "tcp"} {
		if _, err := exchangeWithin(network, s.Addr().String(), response, 200*time.Millisecond); err == nil {
			t.Errorf("%s: a response was answered", network)
		}
	}
	if _, err := exchangeRaw("tcp", s.Addr().String(), make([]byte, maxTCPQuery+1)); err == nil {
		t.Error("an oversized TCP message was answered")
	}
	if st := s.Stats(); st.FormErr != 9 || st.Answer != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestTCPConnection(t *testing.T) {
	s, _ := startServer(t, Config{})
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	// Several queries on one connection, written at once (pipelined),
	// each answered in order.
	var batch []byte
	names := []string{"zzz.i2p.", "forum.i2p.", "nope.i2p."}
	for _, name := range names {
		b, err := newQuery(name, dnsmessage.TypeA).Pack()
		if err != nil {
			t.Fatal(err)
		}
		batch = binary.BigEndian.AppendUint16(batch, uint16(len(b)))
		batch = append(batch, b...)
	}
	if _, err := c.Write(batch); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		b, err := readFrame(c)
		if err != nil {
			t.Fatal(err)
		}
		var resp dnsmessage.Message
		if err := resp.Unpack(b); err != nil || resp.Questions[0].Name.String() != name {
			t.Fatalf("reply %+v, %v; want one for %s", resp, err, name)
		}
	}
	// Close ends an idle connection without waiting for its timeout.
	start := time.Now()
	s.Close()
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection open after Close")
	}
	if d := time.Since(start); d > ioTimeout {
		t.Errorf("Close took %v", d)
	}
}

func TestAllow(t *testing.T) {
	deny := func(a netip.Addr) bool { return !a.IsLoopback() }
	s, m := startServer(t, Config{Allow: deny})
	resp := ask(t, s, "udp", "zzz.i2p.", dnsmessage.TypeA, nil)
	if resp.RCode != dnsmessage.RCodeRefused || len(resp.Answers) != 0 {
		t.Errorf("denied client: %+v", resp)
	}
	if _, err := exchange("tcp", s.Addr().String(), newQuery("zzz.i2p.", dnsmessage.TypeA)); err == nil {
		t.Error("denied TCP client got an answer")
	}
	if m.Calls() != 0 {
		t.Error("a denied query reached the mapper")
	}
	if st := s.Stats(); st.Denied != 2 || st.Refused != 0 {
		t.Errorf("stats %+v", st)
	}
	allowAll, _ := startServer(t, Config{Allow: func(a netip.Addr) bool { return a.Is4() && a.IsLoopback() }})
	if resp := ask(t, allowAll, "tcp", "zzz.i2p.", dnsmessage.TypeA, nil); len(resp.Answers) != 1 {
		t.Errorf("admitted client: %+v", resp)
	}
}

// TestGoResolver asks through Go's own stub resolver, a client written
// apart from this server, over UDP and TCP.
func TestGoResolver(t *testing.T) {
	s, m := startServer(t, Config{Mapper: &fakeMapper{v6: true}})
	for _, network := range []string{"udp", "tcp"} {
		r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, s.Addr().String())
		}}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ips, err := r.LookupNetIP(ctx, "ip", "zzz.i2p")
		v4, v6, _ := m.Map("zzz.i2p")
		if err != nil || len(ips) != 2 || !slices.Contains(ips, v4) || !slices.Contains(ips, v6) {
			t.Errorf("%s: LookupNetIP = %v, %v", network, ips, err)
		}
		names, err := r.LookupAddr(ctx, v4.String())
		if err != nil || len(names) != 1 || names[0] != "zzz.i2p." {
			t.Errorf("%s: LookupAddr = %v, %v", network, names, err)
		}
		if _, err := r.LookupNetIP(ctx, "ip4", "nope.i2p"); !isNotFound(err) {
			t.Errorf("%s: unknown name: %v", network, err)
		}
		cancel()
	}
}

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// TestTruncate packs a reply too long for 512 bytes: the answer goes and
// TC is set, the question and OPT record stay; with room it all goes out.
func TestTruncate(t *testing.T) {
	long := strings.Repeat(strings.Repeat("a", 62)+".", 3) + strings.Repeat("a", 57) + ".i2p." // 253 bytes on the wire
	q := query{hdr: header{id: 7}, questions: 1, edns: true, udpSize: 4096,
		q: question{name: long, qtype: typePTR, class: classIN}}
	target, ok := hostName(strings.Repeat(strings.Repeat("b", 62)+".", 3) + strings.Repeat("c", 60))
	if !ok {
		t.Fatal("hostName refused a valid name")
	}
	build := func() reply {
		r := newReply(&q)
		r.edns = true
		r.answer = record{name: q.q.name, rtype: typePTR, ptr: target}
		return r
	}
	r := build()
	b, err := r.pack(minUDPSize)
	var m dnsmessage.Message
	if err != nil || len(b) > minUDPSize || m.Unpack(b) != nil {
		t.Fatalf("pack: %d bytes, %v", len(b), err)
	}
	if !m.Truncated || len(m.Answers) != 0 || len(m.Questions) != 1 || opt(&m) == nil {
		t.Errorf("truncated reply %+v", m)
	}
	r = build()
	b, err = r.pack(q.limit(true))
	if err != nil || m.Unpack(b) != nil || m.Truncated || len(m.Answers) != 1 || len(b) <= minUDPSize {
		t.Errorf("reply with room: %d bytes, %v, %+v", len(b), err, m.Header)
	}
	for _, tt := range []struct {
		q    query
		udp  bool
		want int
	}{
		{query{}, true, 512}, {query{}, false, 65535}, {query{edns: true, udpSize: 100}, true, 512},
		{query{edns: true, udpSize: 1400}, true, maxUDPSize}, {query{edns: true, udpSize: 1000}, true, 1000},
		{query{edns: true, udpSize: 1000}, false, 65535},
	} {
		if got := tt.q.limit(tt.udp); got != tt.want {
			t.Errorf("limit(%+v, udp %v) = %d, want %d", tt.q, tt.udp, got, tt.want)
		}
	}
}

func TestHostName(t *testing.T) {
	for _, name := range []string{"zzz.i2p", "zzz.i2p.", testB32, strings.Repeat("a", 63) + ".i2p"} {
		if n, ok := hostName(name); !ok || n != strings.TrimSuffix(name, ".")+"." {
			t.Errorf("hostName(%q) = %v, %v", name, n, ok)
		}
	}
	for _, name := range []string{"", ".", "a..i2p", ".i2p", strings.Repeat("a", 64) + ".i2p",
		strings.Repeat(strings.Repeat("a", 62)+".", 4) + "i2p"} {
		if n, ok := hostName(name); ok {
			t.Errorf("hostName(%q) = %v", name, n)
		}
	}
}

func TestLifecycle(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without Names and Mapper succeeded")
	}
	if _, err := New(Config{Names: fakeNames{}, Mapper: &fakeMapper{}, Address: "nonsense"}); err == nil {
		t.Error("New with a bad address succeeded")
	}
	s, _ := startServer(t, Config{})
	if err := s.Start(context.Background()); err == nil {
		t.Error("second Start succeeded")
	}
	// The port is taken for both protocols.
	busy, err := New(Config{Names: fakeNames{}, Mapper: &fakeMapper{}, Address: s.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	if err := busy.Start(context.Background()); err == nil {
		t.Error("Start on a busy port succeeded")
		busy.Close()
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Error("Start after Close succeeded")
	}
	unstarted, _ := New(Config{Names: fakeNames{}, Mapper: &fakeMapper{}})
	if err := unstarted.Close(); err != nil || unstarted.Addr() != nil {
		t.Error("Close before Start")
	}
}

func TestParseReverse(t *testing.T) {
	for name, want := range map[string]string{
		"4.3.2.1.in-addr.arpa":    "1.2.3.4",
		"255.0.0.10.in-addr.arpa": "10.0.0.255",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa": "::1",
		"b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa": "4321:0:1:2:3:4:567:89ab",
	} {
		got, ok := parseReverse(name)
		if !ok || got != netip.MustParseAddr(want) {
			t.Errorf("parseReverse(%s) = %v %v, want %s", name, got, ok, want)
		}
	}
	for _, name := range []string{
		"3.2.1.in-addr.arpa", "5.4.3.2.1.in-addr.arpa", "256.0.0.10.in-addr.arpa", "01.0.0.10.in-addr.arpa",
		"a.0.0.10.in-addr.arpa", "..0.10.in-addr.arpa", "-1.0.0.10.in-addr.arpa",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"example.com",
	} {
		if got, ok := parseReverse(name); ok {
			t.Errorf("parseReverse(%s) = %v", name, got)
		}
	}
}

// FuzzAnswer feeds arbitrary wire messages to the query handling: nothing
// may panic; a message gets no reply only when it lacks a header or is a
// response; every reply parses, carries the query's ID and QR, and fits
// the UDP limit (512 bytes unless the query asked for more with EDNS0).
func FuzzAnswer(f *testing.F) {
	for _, q := range []struct {
		name  string
		qtype dnsmessage.Type
	}{
		{"zzz.i2p.", dnsmessage.TypeA}, {"zzz.i2p.", dnsmessage.TypeAAAA}, {testB32 + ".", dnsmessage.TypeA},
		{"2.0.192.10.in-addr.arpa.", dnsmessage.TypePTR}, {"example.com.", dnsmessage.TypeA}, {"nope.i2p.", dnsmessage.TypeMX},
		{"3.0.192.10.in-addr.arpa.", dnsmessage.TypePTR},
	} {
		m := newQuery(q.name, q.qtype)
		withEDNS(1400, true, 0)(m)
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'z', 'z', 'z', 3, 'i', '2', 'p', 0, 0, 1, 0, 1})
	mapper := &fakeMapper{v6: true}
	s, err := New(Config{Names: fakeNames{"zzz.i2p": true}, Mapper: mapper})
	if err != nil {
		f.Fatal(err)
	}
	mapper.Map("zzz.i2p")
	// A name as long as a PTR target may be, to push replies past 512.
	mapper.names[strings.Repeat(strings.Repeat("x", 62)+".", 3)+strings.Repeat("y", 57)+".i2p"] = 3
	f.Fuzz(func(t *testing.T, b []byte) {
		q, qerr := parseQuery(b)
		for _, udp := range []bool{true, false} {
			out := s.handle(b, udp)
			if out == nil {
				if len(b) >= headerLen && b[2]&0x80 == 0 {
					t.Fatal("no reply to a query")
				}
				continue
			}
			var m dnsmessage.Message
			if err := m.Unpack(out); err != nil {
				t.Fatalf("reply does not parse: %v\n%x", err, out)
			}
			if !m.Response || m.ID != uint16(b[0])<<8|uint16(b[1]) {
				t.Fatalf("reply header %+v", m.Header)
			}
			limit := minUDPSize
			if qerr == nil && q.edns {
				limit = max(limit, min(q.udpSize, maxUDPSize))
			}
			if udp && len(out) > limit {
				t.Fatalf("UDP reply of %d bytes, limit %d", len(out), limit)
			}
			if qerr == nil && q.edns && opt(&m) == nil {
				t.Fatal("no OPT record in the reply to an EDNS query")
			}
		}
		if out := s.refuse(b); out != nil {
			var m dnsmessage.Message
			if err := m.Unpack(out); err != nil || m.RCode != dnsmessage.RCodeRefused || len(out) > minUDPSize {
				t.Fatalf("refusal %x: %v", out, err)
			}
		}
	})
}
