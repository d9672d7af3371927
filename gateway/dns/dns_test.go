package dns

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	mdns "github.com/miekg/dns"
	"go.uber.org/goleak"
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

func query(t *testing.T, s *Server, net string, name string, qtype uint16, mod func(*mdns.Msg)) *mdns.Msg {
	t.Helper()
	req := new(mdns.Msg)
	req.SetQuestion(name, qtype)
	if mod != nil {
		mod(req)
	}
	c := &mdns.Client{Net: net}
	resp, _, err := c.Exchange(req, s.Addr().String())
	if err != nil {
		t.Fatalf("%s %s %s: %v", net, name, mdns.TypeToString[qtype], err)
	}
	if resp.Id != req.Id {
		t.Fatalf("reply id %d, want %d", resp.Id, req.Id)
	}
	return resp
}

func TestAnswers(t *testing.T) {
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			s, m := startServer(t, Config{Mapper: &fakeMapper{v6: true}})
			resp := query(t, s, network, "ZZZ.i2p.", mdns.TypeA, nil)
			if resp.Rcode != mdns.RcodeSuccess || len(resp.Answer) != 1 || !resp.Authoritative {
				t.Fatalf("A zzz.i2p: %v", resp)
			}
			a := resp.Answer[0].(*mdns.A)
			v4, v6, _ := m.Map("zzz.i2p")
			if !a.A.Equal(v4.AsSlice()) || a.Hdr.Ttl != TTL || a.Hdr.Name != "ZZZ.i2p." {
				t.Errorf("A record %v", a)
			}
			resp = query(t, s, network, "zzz.i2p.", mdns.TypeAAAA, nil)
			if len(resp.Answer) != 1 || !resp.Answer[0].(*mdns.AAAA).AAAA.Equal(v6.AsSlice()) {
				t.Errorf("AAAA zzz.i2p: %v", resp)
			}
			resp = query(t, s, network, testB32+".", mdns.TypeA, nil)
			if resp.Rcode != mdns.RcodeSuccess || len(resp.Answer) != 1 {
				t.Errorf("A b32: %v", resp)
			}
			for _, tt := range []struct {
				name    string
				qtype   uint16
				rcode   int
				answers int
			}{
				{"zzz.i2p.", mdns.TypeMX, mdns.RcodeSuccess, 0},
				{"zzz.i2p.", mdns.TypeTXT, mdns.RcodeSuccess, 0},
				{"unknown.i2p.", mdns.TypeA, mdns.RcodeNameError, 0},
				{"sub.zzz.i2p.", mdns.TypeA, mdns.RcodeNameError, 0},
				{"i2p.", mdns.TypeA, mdns.RcodeSuccess, 0},
				{"example.com.", mdns.TypeA, mdns.RcodeRefused, 0},
				{"i2p.example.com.", mdns.TypeA, mdns.RcodeRefused, 0},
				{".", mdns.TypeNS, mdns.RcodeRefused, 0},
				{"2.0.192.10.in-addr.arpa.", mdns.TypePTR, mdns.RcodeSuccess, 1},
				{"2.0.192.10.in-addr.arpa.", mdns.TypeA, mdns.RcodeSuccess, 0},
				{"9.0.192.10.in-addr.arpa.", mdns.TypePTR, mdns.RcodeNameError, 0},
				{"0.192.10.in-addr.arpa.", mdns.TypePTR, mdns.RcodeNameError, 0},
				{"1.168.192.in-addr.arpa.", mdns.TypePTR, mdns.RcodeNameError, 0},
				{"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.6.0.5.2.3.9.4.0.5.d.f.ip6.arpa.", mdns.TypePTR, mdns.RcodeSuccess, 1},
				{"9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.6.0.5.2.3.9.4.0.5.d.f.ip6.arpa.", mdns.TypePTR, mdns.RcodeNameError, 0},
			} {
				resp := query(t, s, network, tt.name, tt.qtype, nil)
				if resp.Rcode != tt.rcode || len(resp.Answer) != tt.answers {
					t.Errorf("%s %s: rcode %s, %d answers; want %s, %d", tt.name, mdns.TypeToString[tt.qtype],
						mdns.RcodeToString[resp.Rcode], len(resp.Answer), mdns.RcodeToString[tt.rcode], tt.answers)
				}
			}
			resp = query(t, s, network, "2.0.192.10.in-addr.arpa.", mdns.TypePTR, nil)
			if ptr := resp.Answer[0].(*mdns.PTR); ptr.Ptr != "zzz.i2p." || ptr.Hdr.Ttl != TTL {
				t.Errorf("PTR %v", ptr)
			}
			resp = query(t, s, network, "zzz.i2p.", mdns.TypeA, func(m *mdns.Msg) { m.Question[0].Qclass = mdns.ClassCHAOS })
			if resp.Rcode != mdns.RcodeRefused {
				t.Errorf("class CH: %v", mdns.RcodeToString[resp.Rcode])
			}
		})
	}
}

func TestNoIPv6(t *testing.T) {
	s, m := startServer(t, Config{})
	resp := query(t, s, "udp", "forum.i2p.", mdns.TypeAAAA, nil)
	if resp.Rcode != mdns.RcodeSuccess || len(resp.Answer) != 0 {
		t.Errorf("AAAA without IPv6: %v", resp)
	}
	if m.Calls() != 1 {
		t.Errorf("Map called %d times", m.Calls())
	}
	// Unknown names and other types never allocate an address.
	query(t, s, "udp", "nope.i2p.", mdns.TypeA, nil)
	query(t, s, "udp", "forum.i2p.", mdns.TypeMX, nil)
	if m.Calls() != 1 {
		t.Errorf("Map called %d times", m.Calls())
	}
}

func TestEDNS(t *testing.T) {
	s, _ := startServer(t, Config{})
	resp := query(t, s, "udp", "zzz.i2p.", mdns.TypeA, func(m *mdns.Msg) { m.SetEdns0(4096, true) })
	opt := resp.IsEdns0()
	if opt == nil || opt.UDPSize() != maxUDPSize || len(resp.Answer) != 1 {
		t.Fatalf("EDNS reply %v", resp)
	}
	resp = query(t, s, "udp", "zzz.i2p.", mdns.TypeA, func(m *mdns.Msg) {
		m.SetEdns0(4096, false)
		m.IsEdns0().SetVersion(1)
	})
	if resp.Rcode != mdns.RcodeBadVers || resp.IsEdns0() == nil || len(resp.Answer) != 0 {
		t.Errorf("EDNS version 1: rcode %d", resp.Rcode)
	}
	if st := s.Stats(); st.BadVers != 1 || st.Answer != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestMalformed(t *testing.T) {
	s, m := startServer(t, Config{})
	resp := query(t, s, "udp", "zzz.i2p.", mdns.TypeA, func(r *mdns.Msg) { r.Opcode = mdns.OpcodeUpdate })
	if resp.Rcode != mdns.RcodeNotImplemented {
		t.Errorf("UPDATE: %s", mdns.RcodeToString[resp.Rcode])
	}
	resp = query(t, s, "udp", "zzz.i2p.", mdns.TypeA, func(r *mdns.Msg) {
		r.Question = append(r.Question, mdns.Question{Name: "forum.i2p.", Qtype: mdns.TypeA, Qclass: mdns.ClassINET})
	})
	if resp.Rcode != mdns.RcodeFormatError {
		t.Errorf("two questions: %s", mdns.RcodeToString[resp.Rcode])
	}
	m.mu.Lock()
	m.fail = true
	m.mu.Unlock()
	resp = query(t, s, "tcp", "zzz.i2p.", mdns.TypeA, nil)
	if resp.Rcode != mdns.RcodeServerFailure {
		t.Errorf("mapper failure: %s", mdns.RcodeToString[resp.Rcode])
	}
	// Garbage and responses get no answer; garbage is counted.
	conn, err := net.Dial("udp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte{1, 2, 3})
	// The garbage is read before this query, on the same socket.
	query(t, s, "udp", "zzz.i2p.", mdns.TypeA, nil)
	st := s.Stats()
	if st.NotImp != 1 || st.FormErr != 2 || st.ServFail != 2 || st.Answer != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestAllow(t *testing.T) {
	deny := func(a netip.Addr) bool { return !a.IsLoopback() }
	s, m := startServer(t, Config{Allow: deny})
	resp := query(t, s, "udp", "zzz.i2p.", mdns.TypeA, nil)
	if resp.Rcode != mdns.RcodeRefused || len(resp.Answer) != 0 {
		t.Errorf("denied client: %v", resp)
	}
	c := &mdns.Client{Net: "tcp"}
	req := new(mdns.Msg)
	req.SetQuestion("zzz.i2p.", mdns.TypeA)
	if _, _, err := c.Exchange(req, s.Addr().String()); err == nil {
		t.Error("denied TCP client got an answer")
	}
	if m.Calls() != 0 {
		t.Error("a denied query reached the mapper")
	}
	if st := s.Stats(); st.Denied != 2 || st.Refused != 0 {
		t.Errorf("stats %+v", st)
	}
	allowAll, _ := startServer(t, Config{Allow: func(a netip.Addr) bool { return a.Is4() && a.IsLoopback() }})
	if resp := query(t, allowAll, "tcp", "zzz.i2p.", mdns.TypeA, nil); len(resp.Answer) != 1 {
		t.Errorf("admitted client: %v", resp)
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
// may panic, every reply must pack, and UDP replies must fit 512 bytes
// unless the query asked for more with EDNS0.
func FuzzAnswer(f *testing.F) {
	for _, q := range []struct {
		name  string
		qtype uint16
	}{
		{"zzz.i2p.", mdns.TypeA}, {"zzz.i2p.", mdns.TypeAAAA}, {testB32 + ".", mdns.TypeA},
		{"2.0.192.10.in-addr.arpa.", mdns.TypePTR}, {"example.com.", mdns.TypeA}, {"nope.i2p.", mdns.TypeMX},
	} {
		m := new(mdns.Msg)
		m.SetQuestion(q.name, q.qtype)
		m.SetEdns0(1400, true)
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'z', 'z', 'z', 3, 'i', '2', 'p', 0, 0, 1, 0, 1})
	s, err := New(Config{Names: fakeNames{"zzz.i2p": true}, Mapper: &fakeMapper{v6: true}})
	if err != nil {
		f.Fatal(err)
	}
	s.cfg.Mapper.Map("zzz.i2p")
	f.Fuzz(func(t *testing.T, b []byte) {
		req := new(mdns.Msg)
		if err := req.Unpack(b); err != nil {
			return
		}
		for _, udp := range []bool{true, false} {
			m, _ := s.answer(req, udp)
			if m == nil {
				if !req.Response {
					t.Fatal("no reply to a query")
				}
				continue
			}
			out, err := m.Pack()
			if err != nil {
				t.Fatalf("reply does not pack: %v\n%v", err, m)
			}
			limit := mdns.MinMsgSize
			if opt := req.IsEdns0(); opt != nil {
				limit = max(limit, min(int(opt.UDPSize()), maxUDPSize))
			}
			if udp && len(out) > limit {
				t.Fatalf("UDP reply of %d bytes, limit %d", len(out), limit)
			}
		}
	})
}
