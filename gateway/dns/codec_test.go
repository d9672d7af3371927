package dns

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// msgBytes builds a message from a header (ID 0x1234 and the counts
// given) and raw section bytes.
func msgBytes(flags uint16, qd, an, ns, ar uint16, body ...[]byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, 0x1234)
	for _, v := range []uint16{flags, qd, an, ns, ar} {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	for _, p := range body {
		b = append(b, p...)
	}
	return b
}

// wireName is name (dots between labels) as uncompressed labels.
func wireName(name string) []byte {
	var b []byte
	for l := range strings.SplitSeq(strings.TrimSuffix(name, "."), ".") {
		if l != "" {
			b = append(append(b, byte(len(l))), l...)
		}
	}
	return append(b, 0)
}

var (
	qFixedA  = []byte{0, typeA, 0, classIN}
	optEmpty = []byte{0, 0, typeOPT, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0} // root, OPT, 1232, DO
)

// rr is a record's fixed fields with rdata.
func rr(rtype uint16, rdata []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, rtype)
	b = append(b, 0, classIN, 0, 0, 0, 60)
	b = binary.BigEndian.AppendUint16(b, uint16(len(rdata)))
	return append(b, rdata...)
}

func TestParseQuery(t *testing.T) {
	zzz := wireName("zzz.i2p")
	label63 := strings.Repeat("a", 63)
	// 3 labels of 63 and one of 61: 3*64 + 62 + 1 = 255 bytes.
	name255 := strings.Join([]string{label63, label63, label63, strings.Repeat("b", 61)}, ".") + "."
	name256 := strings.Join([]string{label63, label63, label63, strings.Repeat("b", 62)}, ".")
	// A chain of n pointers: in the RDATA of an answer, each pointer
	// points at the one before it, the first at zzz.i2p in the
	// question; the additional record's name is the last pointer.
	chain := func(n int) []byte {
		b := msgBytes(0, 1, 1, 0, 1, zzz, qFixedA, []byte{0}, rr(16, nil))
		rdata := len(b)
		prev := headerLen
		for range n - 1 {
			at := len(b)
			b = append(b, 0xC0|byte(prev>>8), byte(prev))
			prev = at
		}
		binary.BigEndian.PutUint16(b[rdata-2:], uint16(len(b)-rdata))
		b = append(b, 0xC0|byte(prev>>8), byte(prev))
		return append(b, rr(typeA, []byte{1, 2, 3, 4})...)
	}
	for _, tt := range []struct {
		name      string
		msg       []byte
		err       error // nil: parses
		questions int
		qname     string
		edns      bool
		udpSize   int
		version   uint8
	}{
		{"header only", msgBytes(0, 0, 0, 0, 0), nil, 0, "", false, 0, 0},
		{"short header", msgBytes(0, 0, 0, 0, 0)[:11], errNoHeader, 0, "", false, 0, 0},
		{"question", msgBytes(0, 1, 0, 0, 0, zzz, qFixedA), nil, 1, "zzz.i2p.", false, 0, 0},
		{"case kept", msgBytes(0, 1, 0, 0, 0, wireName("ZzZ.I2p"), qFixedA), nil, 1, "ZzZ.I2p.", false, 0, 0},
		{"root", msgBytes(0, 1, 0, 0, 0, []byte{0}, qFixedA), nil, 1, ".", false, 0, 0},
		{"trailing bytes ignored", msgBytes(0, 1, 0, 0, 0, zzz, qFixedA, []byte{1, 2, 3}), nil, 1, "zzz.i2p.", false, 0, 0},
		{"count past the end", msgBytes(0, 2, 0, 0, 0, zzz, qFixedA), errShort, 1, "zzz.i2p.", false, 0, 0},
		{"cut type", msgBytes(0, 1, 0, 0, 0, zzz, qFixedA[:3]), errShort, 0, "", false, 0, 0},
		{"cut label", msgBytes(0, 1, 0, 0, 0, zzz[:3]), errShort, 0, "", false, 0, 0},
		{"dot in label", msgBytes(0, 1, 0, 0, 0, []byte{3, 'a', '.', 'b', 0}, qFixedA), errName, 0, "", false, 0, 0},
		{"reserved 0x40", msgBytes(0, 1, 0, 0, 0, []byte{0x41, 'a', 0}, qFixedA), errName, 0, "", false, 0, 0},
		{"reserved 0x80", msgBytes(0, 1, 0, 0, 0, []byte{0x81, 'a', 0}, qFixedA), errName, 0, "", false, 0, 0},
		{"255 bytes", msgBytes(0, 1, 0, 0, 0, wireName(name255), qFixedA), nil, 1, name255, false, 0, 0},
		{"256 bytes", msgBytes(0, 1, 0, 0, 0, wireName(name256), qFixedA), errName, 0, "", false, 0, 0},
		{"compressed second question", msgBytes(0, 2, 0, 0, 0, zzz, qFixedA, []byte{3, 'w', 'w', 'w', 0xC0, 12}, qFixedA), nil, 2, "zzz.i2p.", false, 0, 0},
		{"pointer to a suffix", msgBytes(0, 2, 0, 0, 0, zzz, qFixedA, []byte{0xC0, 16}, qFixedA), nil, 2, "zzz.i2p.", false, 0, 0},
		{"pointer to itself", msgBytes(0, 1, 0, 0, 0, []byte{0xC0, 12}, qFixedA), errPointer, 0, "", false, 0, 0},
		{"pointer forward", msgBytes(0, 1, 0, 0, 0, []byte{0xC0, 14}, zzz, qFixedA), errPointer, 0, "", false, 0, 0},
		{"pointer loop", msgBytes(0, 2, 0, 0, 0, zzz, qFixedA, []byte{1, 'a', 0xC0, 25}, qFixedA), errPointer, 1, "zzz.i2p.", false, 0, 0},
		{"pointer cut", msgBytes(0, 2, 0, 0, 0, zzz, qFixedA, []byte{0xC0}), errShort, 1, "zzz.i2p.", false, 0, 0},
		{"64 pointers", chain(64), nil, 1, "zzz.i2p.", false, 0, 0},
		{"65 pointers", chain(65), errPointer, 1, "zzz.i2p.", false, 0, 0},
		{"answer skipped", msgBytes(0, 1, 1, 0, 0, zzz, qFixedA, []byte{0xC0, 12}, rr(typeA, []byte{1, 2, 3, 4})), nil, 1, "zzz.i2p.", false, 0, 0},
		// Skipped names are not followed, so their pointers are not checked.
		{"answer pointing forward", msgBytes(0, 1, 1, 0, 0, zzz, qFixedA, []byte{0xC0, 0xff}, rr(typeA, []byte{1, 2, 3, 4})), nil, 1, "zzz.i2p.", false, 0, 0},
		{"authority skipped", msgBytes(0, 1, 0, 1, 0, zzz, qFixedA, []byte{0}, rr(2, wireName("ns.example"))), nil, 1, "zzz.i2p.", false, 0, 0},
		{"rdata past the end", msgBytes(0, 1, 1, 0, 0, zzz, qFixedA, []byte{0xC0, 12}, rr(typeA, []byte{1, 2, 3, 4})[:12]), errShort, 1, "zzz.i2p.", false, 0, 0},
		{"answer missing", msgBytes(0, 1, 1, 0, 0, zzz, qFixedA), errShort, 1, "zzz.i2p.", false, 0, 0},
		{"reserved in answer", msgBytes(0, 1, 1, 0, 0, zzz, qFixedA, []byte{0x40}, rr(typeA, []byte{1, 2, 3, 4})), errName, 1, "zzz.i2p.", false, 0, 0},
		{"OPT", msgBytes(0, 1, 0, 0, 1, zzz, qFixedA, optEmpty), nil, 1, "zzz.i2p.", true, 1232, 0},
		{"OPT version 1 with an option", msgBytes(0, 1, 0, 0, 1, zzz, qFixedA,
			[]byte{0, 0, typeOPT, 0x10, 0, 0, 1, 0, 0, 0, 6, 0, 10, 0, 2, 0xab, 0xcd}), nil, 1, "zzz.i2p.", true, 4096, 1},
		{"OPT and a record", msgBytes(0, 1, 0, 0, 2, zzz, qFixedA, []byte{0xC0, 12}, rr(typeA, []byte{1, 2, 3, 4}), optEmpty), nil, 1, "zzz.i2p.", true, 1232, 0},
		{"two OPT", msgBytes(0, 1, 0, 0, 2, zzz, qFixedA, optEmpty, optEmpty), errTwoOPT, 1, "zzz.i2p.", true, 1232, 0},
		{"OPT cut", msgBytes(0, 1, 0, 0, 1, zzz, qFixedA, optEmpty[:10]), errShort, 1, "zzz.i2p.", false, 0, 0},
		{"OPT rdata past the end", msgBytes(0, 1, 0, 0, 1, zzz, qFixedA, optEmpty[:9], []byte{0, 4, 0}), errShort, 1, "zzz.i2p.", true, 1232, 0},
		{"additional name checked", msgBytes(0, 1, 0, 0, 1, zzz, qFixedA, []byte{0xC0, 0xff}, rr(typeA, []byte{1, 2, 3, 4})), errPointer, 1, "zzz.i2p.", false, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, err := parseQuery(tt.msg)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if q.questions != tt.questions || q.q.name != tt.qname || q.edns != tt.edns || q.udpSize != tt.udpSize || q.version != tt.version {
				t.Errorf("%+v", q)
			}
			if tt.err == errNoHeader {
				return
			}
			if q.hdr.id != 0x1234 {
				t.Errorf("ID %x", q.hdr.id)
			}
			if tt.questions > 0 && (q.q.qtype != typeA || q.q.class != classIN) {
				t.Errorf("question %+v", q.q)
			}
		})
	}
}

// TestCompression checks where the names of a reply point: the answer's
// owner at the question (0xC00C), a PTR target at a suffix of the
// question when it has one, nowhere when not.
func TestCompression(t *testing.T) {
	q := query{hdr: header{id: 1}, questions: 1, q: question{name: "7.0.192.10.in-addr.arpa.", qtype: typePTR, class: classIN}}
	for _, tt := range []struct {
		target string
		want   string // the PTR RDATA
	}{
		{"zzz.i2p.", "037a7a7a0369327000"},
		{"0.192.10.in-addr.arpa.", "c00e"},              // "0.192..." is 2 bytes into the question
		{"x.in-addr.arpa.", "0178c017"},                 // "in-addr.arpa." at 12+11
		{"x.IN-ADDR.arpa.", "017807494e2d41444452c01f"}, // case counts; "arpa." at 12+19
		{"arpa.", "c01f"},
	} {
		r := newReply(&q)
		r.answer = record{name: q.q.name, rtype: typePTR, ptr: tt.target}
		b, err := r.pack(maxTCPSize)
		if err != nil {
			t.Fatal(err)
		}
		qEnd := headerLen + len(wireName(q.q.name)) + 4
		if owner := b[qEnd : qEnd+2]; !bytes.Equal(owner, []byte{0xC0, 12}) {
			t.Errorf("owner %x", owner)
		}
		if got := hex.EncodeToString(b[qEnd+12:]); got != tt.want {
			t.Errorf("PTR %s: %s, want %s", tt.target, got, tt.want)
		}
		if want := oldPack(oldHeader(r.hdr), r, q, maxTCPSize); !bytes.Equal(b, want) {
			t.Errorf("PTR %s:\n%x\nwith dnsmessage:\n%x", tt.target, b, want)
		}
		var m dnsmessage.Message
		if err := m.Unpack(b); err != nil || m.Answers[0].Body.(*dnsmessage.PTRResource).PTR.String() != tt.target {
			t.Errorf("PTR %s: %v %+v", tt.target, err, m)
		}
	}
	// Names that cannot be written are errors, not bad messages.
	for _, bad := range []string{"a..i2p.", "zzz.i2p", strings.Repeat("a", 64) + ".i2p.", strings.Repeat("a.", 128)} {
		r := newReply(&q)
		r.answer = record{name: q.q.name, rtype: typePTR, ptr: bad}
		if b, err := r.pack(maxTCPSize); err == nil {
			t.Errorf("PTR %q packed: %x", bad, b)
		}
	}
}

// oldHeader turns a reply header into dnsmessage's form.
func oldHeader(h header) dnsmessage.Header {
	f := h.flags
	return dnsmessage.Header{ID: h.id, Response: f&flagQR != 0, OpCode: dnsmessage.OpCode(h.opcode()),
		Authoritative: f&flagAA != 0, Truncated: f&flagTC != 0, RecursionDesired: f&flagRD != 0, CheckingDisabled: f&flagCD != 0}
}

// diffMapper maps names in a fixed table to 10.192.0.n and others to an
// address hashed from the name, and fails for fail.i2p: unlike
// fakeMapper, its reverse answers do not depend on the order of queries.
type diffMapper map[string]byte

func (d diffMapper) Map(name string) (v4, v6 netip.Addr, err error) {
	if name == "fail.i2p" {
		return v4, v6, errors.New("full")
	}
	n, ok := d[name]
	if !ok {
		h := fnv.New32a()
		h.Write([]byte(name))
		return netip.AddrFrom4([4]byte{10, 193, byte(h.Sum32() >> 8), byte(h.Sum32())}), netip.AddrFrom16([16]byte{0xfd, 1, 15: 1}), nil
	}
	return netip.AddrFrom4([4]byte{10, 192, 0, n}), netip.AddrFrom16([16]byte{0xfd, 0x50, 0x49, 0x32, 0x50, 0x61, 15: n}), nil
}

func (d diffMapper) Reverse(ip netip.Addr) (string, bool) {
	for name, n := range d {
		if ip == netip.AddrFrom4([4]byte{10, 192, 0, n}) || ip == netip.AddrFrom16([16]byte{0xfd, 0x50, 0x49, 0x32, 0x50, 0x61, 15: n}) {
			return name, true
		}
	}
	return "", false
}

// diffServer is a Server (not started) whose mapper knows names that make
// long replies and PTR targets sharing suffixes with reverse names.
func diffServer(t testing.TB) *Server {
	mapper := diffMapper{
		"zzz.i2p":   2,
		"forum.i2p": 3,
		strings.Repeat(strings.Repeat("x", 62)+".", 3) + strings.Repeat("y", 57) + ".i2p": 20,
		"0.192.10.in-addr.arpa": 21,
		"Zzz.in-addr.arpa":      22,
		"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.6.0.5.2.3.9.4.0.5.d.f.ip6.arpa": 23,
	}
	s, err := New(Config{Names: fakeNames{"zzz.i2p": true, "forum.i2p": true, "fail.i2p": true}, Mapper: mapper})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameReplies checks that msg gets the same parse, the same replies over
// UDP and TCP and the same refusal from this package's codec as from
// dnsmessage, unless the message is one they are known to read apart.
func sameReplies(t *testing.T, s *Server, msg []byte) {
	t.Helper()
	q, err := parseQuery(msg)
	oq, _, oerr := oldParseQuery(msg)
	if errors.Is(err, errPointer) || (oerr != nil && strings.Contains(oerr.Error(), "too many pointers")) {
		// Known to differ: dnsmessage follows pointers forward, and at
		// most 10 of them.
		return
	}
	oq.hdr.flags |= q.hdr.flags & 0x40 // Z, which dnsmessage drops
	if (err == nil) != (oerr == nil) || q != oq {
		t.Fatalf("%x:\nparsed %+v, %v\ndnsmessage %+v, %v", msg, q, err, oq, oerr)
	}
	for _, udp := range []bool{true, false} {
		got, want := s.handle(msg, udp), oldHandle(s, msg, udp)
		if !bytes.Equal(got, want) {
			t.Fatalf("%x (udp %v):\nreply %x\ndnsmessage %x", msg, udp, got, want)
		}
	}
	if got, want := s.refuse(msg), oldRefuse(msg); !bytes.Equal(got, want) {
		t.Fatalf("%x: refusal %x\ndnsmessage %x", msg, got, want)
	}
}

// TestDifferential sends the queries of the other tests and random valid
// ones built by dnsmessage through both codecs.
func TestDifferential(t *testing.T) {
	s := diffServer(t)
	corpus := fixedCorpus(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		corpus = append(corpus, randomQuery(t, rng))
	}
	kinds := map[string]int{}
	for _, msg := range corpus {
		sameReplies(t, s, msg)
		// Replies from this server fit 512 bytes; smaller limits
		// exercise the truncation.
		if q, err := parseQuery(msg); err == nil {
			for _, limit := range []int{20, 40, 60, 100, 200} {
				r, _ := s.answer(&q)
				want := oldPack(oldHeader(r.hdr), r, q, limit)
				got, err := r.pack(limit)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("%x limit %d: reply %x, %v\ndnsmessage %x", msg, limit, got, err, want)
				}
				if r.hdr.flags&flagTC != 0 {
					kinds["truncated"]++
				}
			}
		}
		b := s.handle(msg, true)
		if b == nil {
			continue
		}
		var m dnsmessage.Message
		if err := m.Unpack(b); err != nil {
			t.Fatalf("%x: reply %x: %v", msg, b, err)
		}
		kinds[m.RCode.String()]++
		if len(m.Answers) > 0 {
			kinds["answer"]++
		}
		if o := opt(&m); o != nil && o.ExtendedRCode(m.RCode) == rcodeBadVers {
			kinds["badvers"]++
		}
	}
	// The corpus reaches every kind of reply.
	for _, kind := range []string{"answer", "truncated", "badvers", "RCodeSuccess", "RCodeFormatError", "RCodeNameError", "RCodeServerFailure",
		"RCodeNotImplemented", "RCodeRefused"} {
		if kinds[kind] == 0 {
			t.Errorf("no reply of kind %s in %v", kind, kinds)
		}
	}
	t.Logf("%d messages: %v", len(corpus), kinds)
}

// fixedCorpus is the queries the other tests send, and the broken ones.
func fixedCorpus(t testing.TB) [][]byte {
	var out [][]byte
	add := func(m *dnsmessage.Message) {
		b, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	for _, name := range []string{"zzz.i2p.", "ZZZ.i2p.", "forum.i2p.", "fail.i2p.", testB32 + ".", "unknown.i2p.", "sub.zzz.i2p.", "i2p.",
		"example.com.", "i2p.example.com.", ".", "2.0.192.10.in-addr.arpa.", "3.0.192.10.in-addr.arpa.", "9.0.192.10.in-addr.arpa.",
		"20.0.192.10.in-addr.arpa.", "21.0.192.10.in-addr.arpa.", "22.0.192.10.in-addr.arpa.", "23.0.192.10.in-addr.arpa.",
		"0.192.10.in-addr.arpa.", "1.168.192.in-addr.arpa.",
		"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.6.0.5.2.3.9.4.0.5.d.f.ip6.arpa.",
		"9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.6.0.5.2.3.9.4.0.5.d.f.ip6.arpa.",
		"1.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.6.0.5.2.3.9.4.0.5.d.f.ip6.arpa.",
	} {
		for _, qtype := range []dnsmessage.Type{dnsmessage.TypeA, dnsmessage.TypeAAAA, dnsmessage.TypePTR, dnsmessage.TypeMX, dnsmessage.TypeTXT, dnsmessage.TypeNS} {
			add(newQuery(name, qtype))
			m := newQuery(name, qtype)
			withEDNS(4096, true, 0)(m)
			add(m)
			m = newQuery(name, qtype)
			withEDNS(600, false, 0)(m)
			add(m)
		}
	}
	m := newQuery("zzz.i2p.", dnsmessage.TypeA)
	m.Questions[0].Class = dnsmessage.ClassCHAOS
	add(m)
	m = newQuery("zzz.i2p.", dnsmessage.TypeA)
	m.OpCode = 5
	add(m)
	m = newQuery("zzz.i2p.", dnsmessage.TypeA)
	m.Questions = append(m.Questions, dnsmessage.Question{Name: dnsmessage.MustNewName("forum.i2p."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET})
	add(m)
	m = newQuery("zzz.i2p.", dnsmessage.TypeA)
	withEDNS(4096, false, 1)(m)
	add(m)
	m = newQuery("zzz.i2p.", dnsmessage.TypeA)
	withEDNS(1232, false, 0)(m)
	withEDNS(1232, false, 0)(m)
	add(m)
	good := out[0]
	response := append([]byte(nil), good...)
	response[2] |= 0x80
	out = append(out, good[:len(good)-1], response, []byte{1, 2, 3}, good[:headerLen])
	b := append([]byte(nil), good...)
	b[7] = 1
	out = append(out, b)
	b = append([]byte(nil), good...)
	b[headerLen+2] = '.'
	return append(out, b)
}

// randomQuery builds a valid message with dnsmessage: names the server
// knows or not, in any case, any type and class, sometimes several
// questions, records in every section, an OPT record of any size and
// version, compressed or not.
func randomQuery(t testing.TB, rng *rand.Rand) []byte {
	h := dnsmessage.Header{ID: uint16(rng.Uint32()), RecursionDesired: rng.IntN(2) == 0,
		CheckingDisabled: rng.IntN(4) == 0, AuthenticData: rng.IntN(4) == 0}
	if rng.IntN(10) == 0 {
		h.OpCode = dnsmessage.OpCode(rng.IntN(16))
	}
	b := dnsmessage.NewBuilder(nil, h)
	if rng.IntN(2) == 0 {
		b.EnableCompression()
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.StartQuestions())
	nq := 1
	if rng.IntN(10) == 0 {
		nq = rng.IntN(3)
	}
	for range nq {
		qtype := []dnsmessage.Type{dnsmessage.TypeA, dnsmessage.TypeAAAA, dnsmessage.TypePTR, dnsmessage.TypeMX, dnsmessage.TypeALL}[rng.IntN(5)]
		if rng.IntN(10) == 0 {
			qtype = dnsmessage.Type(rng.Uint32())
		}
		class := dnsmessage.ClassINET
		if rng.IntN(10) == 0 {
			class = dnsmessage.Class(rng.Uint32())
		}
		must(b.Question(dnsmessage.Question{Name: randomName(rng), Type: qtype, Class: class}))
	}
	rh := func() dnsmessage.ResourceHeader {
		return dnsmessage.ResourceHeader{Name: randomName(rng), Class: dnsmessage.ClassINET, TTL: rng.Uint32()}
	}
	if rng.IntN(5) == 0 {
		must(b.StartAnswers())
		for range rng.IntN(3) {
			must(b.AResource(rh(), dnsmessage.AResource{A: [4]byte{10, 0, 0, byte(rng.Uint32())}}))
		}
	}
	if rng.IntN(5) == 0 {
		must(b.StartAuthorities())
		for range rng.IntN(3) {
			must(b.NSResource(rh(), dnsmessage.NSResource{NS: randomName(rng)}))
		}
	}
	if rng.IntN(2) == 0 {
		must(b.StartAdditionals())
		if rng.IntN(5) == 0 {
			must(b.AAAAResource(rh(), dnsmessage.AAAAResource{}))
		}
		var opt dnsmessage.ResourceHeader
		size := []int{0, 512, 600, 1232, 1400, 4096, 65535}[rng.IntN(7)]
		must(opt.SetEDNS0(size, 0, rng.IntN(2) == 0))
		if rng.IntN(8) == 0 {
			opt.TTL |= uint32(rng.IntN(256)) << 16
		}
		var body dnsmessage.OPTResource
		if rng.IntN(4) == 0 {
			body.Options = []dnsmessage.Option{{Code: 10, Data: []byte("cookie00")}}
		}
		must(b.OPTResource(opt, body))
	}
	msg, err := b.Finish()
	must(err)
	return msg
}

// randomName is a name the server knows or maps, or a random one.
func randomName(rng *rand.Rand) dnsmessage.Name {
	names := []string{"zzz.i2p.", "forum.i2p.", "fail.i2p.", "nope.i2p.", "i2p.", ".", "example.com.", testB32 + ".",
		"2.0.192.10.in-addr.arpa.", "3.0.192.10.in-addr.arpa.", "20.0.192.10.in-addr.arpa.", "21.0.192.10.in-addr.arpa.",
		"22.0.192.10.in-addr.arpa.", "23.0.192.10.in-addr.arpa.", "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.6.0.5.2.3.9.4.0.5.d.f.ip6.arpa."}
	var name string
	switch rng.IntN(4) {
	case 0, 1:
		name = names[rng.IntN(len(names))]
	case 2:
		// A .b32.i2p name: 52 characters are known.
		var sb strings.Builder
		for range 50 + rng.IntN(5) {
			sb.WriteByte("abcdefghijklmnopqrstuvwxyz234567"[rng.IntN(32)])
		}
		name = sb.String() + ".b32.i2p."
	default:
		// Labels of any bytes but dots, up to the longest name.
		var sb strings.Builder
		for n := rng.IntN(6); n > 0 || sb.Len() == 0; n-- {
			l := 1 + rng.IntN(63)
			if sb.Len()+l+2 > 254 {
				break
			}
			for range l {
				c := byte(rng.Uint32())
				if c == '.' {
					c = 'A'
				}
				sb.WriteByte(c)
			}
			sb.WriteByte('.')
		}
		if sb.Len() == 0 {
			sb.WriteString("a.")
		}
		if rng.IntN(2) == 0 && sb.Len()+4 <= 254 {
			sb.WriteString("i2p.")
		}
		name = sb.String()
	}
	if rng.IntN(4) == 0 {
		// Upper case in ASCII only (strings.ToUpper would rewrite the
		// bytes that are not UTF-8).
		b := []byte(name)
		for i, c := range b {
			if c >= 'a' && c <= 'z' {
				b[i] = c - 'a' + 'A'
			}
		}
		name = string(b)
	}
	return dnsmessage.MustNewName(name)
}

// FuzzParseQuery reads arbitrary messages with this package's parser and
// with dnsmessage: nothing panics, both read the same (but for pointers,
// which only this parser requires to point back and dnsmessage follows at
// most 10 of), and the replies built from the same query are the same
// bytes; a name read packs back to labels that read the same.
func FuzzParseQuery(f *testing.F) {
	for _, msg := range fixedCorpus(f) {
		f.Add(msg)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add(randomQuery(f, rng))
	}
	zzz := wireName("zzz.i2p")
	f.Add(msgBytes(0, 2, 1, 0, 1, zzz, qFixedA, []byte{3, 'w', 'w', 'w', 0xC0, 12}, qFixedA, []byte{0xC0, 12}, rr(typeA, []byte{1, 2, 3, 4}), optEmpty))
	f.Add(msgBytes(0, 1, 0, 0, 0, []byte{0xC0, 14}, zzz, qFixedA))
	s := diffServer(f)
	f.Fuzz(func(t *testing.T, msg []byte) {
		sameReplies(t, s, msg)
		q, err := parseQuery(msg)
		if err != nil || q.questions == 0 {
			return
		}
		var c compressor
		b, err := c.append(make([]byte, headerLen), q.q.name)
		if err != nil {
			t.Fatalf("name %q does not pack: %v", q.q.name, err)
		}
		name, next, err := readName(b, headerLen, true)
		if err != nil || name != q.q.name || next != len(b) || len(b)-headerLen > maxWireName {
			t.Fatalf("name %q packs to %x, reads %q, %v", q.q.name, b, name, err)
		}
	})
}

// TestRandomNames checks the differential corpus itself: the generator
// makes more than a handful of names.
func TestRandomNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	seen := map[string]bool{}
	for range 200 {
		seen[randomName(rng).String()] = true
	}
	if len(seen) < 100 {
		t.Errorf("%d distinct names", len(seen))
	}
}
