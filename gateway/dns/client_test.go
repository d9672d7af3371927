package dns

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// newQuery is a standard query for name with RD set, as stub resolvers
// send it.
func newQuery(name string, qtype dnsmessage.Type) *dnsmessage.Message {
	return &dnsmessage.Message{
		Header: dnsmessage.Header{ID: uint16(rand.Uint32()), RecursionDesired: true},
		Questions: []dnsmessage.Question{{
			Name: dnsmessage.MustNewName(name), Type: qtype, Class: dnsmessage.ClassINET,
		}},
	}
}

// withEDNS adds an OPT record advertising size, with the DO bit and the
// EDNS version given.
func withEDNS(size int, do bool, version uint8) func(*dnsmessage.Message) {
	return func(m *dnsmessage.Message) {
		var rh dnsmessage.ResourceHeader
		if err := rh.SetEDNS0(size, 0, do); err != nil {
			panic(err)
		}
		rh.TTL |= uint32(version) << 16
		m.Additionals = append(m.Additionals, dnsmessage.Resource{Header: rh, Body: &dnsmessage.OPTResource{}})
	}
}

// exchange sends one query over network ("udp" or "tcp") and reads the
// reply.
func exchange(network, addr string, req *dnsmessage.Message) (*dnsmessage.Message, error) {
	b, err := req.Pack()
	if err != nil {
		return nil, err
	}
	reply, err := exchangeRaw(network, addr, b)
	if err != nil {
		return nil, err
	}
	resp := new(dnsmessage.Message)
	if err := resp.Unpack(reply); err != nil {
		return nil, err
	}
	return resp, nil
}

func exchangeRaw(network, addr string, b []byte) ([]byte, error) {
	return exchangeWithin(network, addr, b, 2*time.Second)
}

// exchangeWithin is exchangeRaw giving up after d, for messages that
// should get no reply.
func exchangeWithin(network, addr string, b []byte, d time.Duration) ([]byte, error) {
	c, err := net.DialTimeout(network, addr, d)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(d)); err != nil {
		return nil, err
	}
	if network == "udp" {
		if _, err := c.Write(b); err != nil {
			return nil, err
		}
		buf := make([]byte, 65535)
		n, err := c.Read(buf)
		return buf[:n], err
	}
	framed := binary.BigEndian.AppendUint16(nil, uint16(len(b)))
	if _, err := c.Write(append(framed, b...)); err != nil {
		return nil, err
	}
	return readFrame(c)
}

func readFrame(r io.Reader) ([]byte, error) {
	var n [2]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	buf := make([]byte, binary.BigEndian.Uint16(n[:]))
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// opt returns the reply's OPT record header, nil without one.
func opt(m *dnsmessage.Message) *dnsmessage.ResourceHeader {
	for i := range m.Additionals {
		if m.Additionals[i].Header.Type == dnsmessage.TypeOPT {
			return &m.Additionals[i].Header
		}
	}
	return nil
}

// rcode is the reply's RCODE, extended by its OPT record.
func rcode(m *dnsmessage.Message) dnsmessage.RCode {
	if o := opt(m); o != nil {
		return o.ExtendedRCode(m.RCode)
	}
	return m.RCode
}

// ask queries s over network and checks that the reply is a reply to
// the query.
func ask(t *testing.T, s *Server, network string, name string, qtype dnsmessage.Type, mod func(*dnsmessage.Message)) *dnsmessage.Message {
	t.Helper()
	req := newQuery(name, qtype)
	if mod != nil {
		mod(req)
	}
	resp, err := exchange(network, s.Addr().String(), req)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, name, qtype, err)
	}
	if resp.ID != req.ID || !resp.Response || resp.OpCode != req.OpCode {
		t.Fatalf("reply header %+v to %+v", resp.Header, req.Header)
	}
	if req.OpCode == 0 && resp.RecursionDesired != req.RecursionDesired {
		t.Errorf("RD not copied: %+v", resp.Header)
	}
	if len(resp.Questions) != 1 || resp.Questions[0] != req.Questions[0] {
		t.Errorf("question %v echoed as %v", req.Questions, resp.Questions)
	}
	return resp
}
