package build

import (
	"bytes"
	"testing"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

func FuzzParseShortRequest(f *testing.F) {
	r := ShortRequest{Request: Request{ReceiveTunnel: 1, NextTunnel: 2, Flags: FlagIBGW, Options: mapping(f, "m", "1")}}
	seed, _ := r.Append(nil)
	f.Add(seed)
	f.Add(make([]byte, ShortRequestSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := ParseShortRequest(b)
		if err != nil {
			return
		}
		enc, err := req.Append(nil)
		if err != nil {
			t.Fatalf("parsed request does not encode: %v", err)
		}
		again, err := ParseShortRequest(enc)
		if err != nil {
			t.Fatal(err)
		}
		if enc2, _ := again.Append(nil); !bytes.Equal(enc, enc2) {
			t.Fatal("re-encoding not stable")
		}
	})
}

func FuzzParseLongRequest(f *testing.F) {
	r := LongRequest{Request: Request{ReceiveTunnel: 1, NextTunnel: 2, Flags: FlagOBEP, Options: mapping(f, "r", "2")}}
	seed, _ := r.Append(nil)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := ParseLongRequest(b)
		if err != nil {
			return
		}
		enc, err := req.Append(nil)
		if err != nil {
			t.Fatalf("parsed request does not encode: %v", err)
		}
		again, err := ParseLongRequest(enc)
		if err != nil {
			t.Fatal(err)
		}
		if enc2, _ := again.Append(nil); !bytes.Equal(enc, enc2) {
			t.Fatal("re-encoding not stable")
		}
	})
}

func FuzzParseReply(f *testing.F) {
	r := Reply{Status: StatusBandwidth, Options: mapping(f, "b", "9")}
	short, _ := r.AppendShort(nil)
	long, _ := r.AppendLong(nil)
	f.Add(short)
	f.Add(long)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, size := range []int{ShortReplySize, LongReplySize} {
			parse, app := ParseShortReply, (*Reply).AppendShort
			if size == LongReplySize {
				parse, app = ParseLongReply, (*Reply).AppendLong
			}
			rep, err := parse(b)
			if err != nil {
				continue
			}
			enc, err := app(&rep, nil)
			if err != nil {
				t.Fatal(err)
			}
			again, err := parse(enc)
			if err != nil || again.Status != rep.Status || !again.Options.Equal(rep.Options) {
				t.Fatalf("round trip: %v", err)
			}
		}
	})
}

// fuzzBuild returns a hop identity and a valid short or long build
// message for it, as encoded payload bytes.
func fuzzBuild(f *testing.F, short bool) (*Identity, []byte) {
	routers := testRouters(f, 3, short, 11)
	cfg := Config{ReplyGateway: routers[2].peer.Hash, ReplyTunnel: 5, Rand: testRand(12),
		Hops: []Peer{routers[0].peer, routers[1].peer}}
	_, msg, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	b, err := msg.Append(nil)
	if err != nil {
		f.Fatal(err)
	}
	return routers[0].id, b
}

// markOurs gives the first record our hash prefix so that fuzzed input
// reaches the decryption.
func markOurs(b []byte, id *Identity) {
	if len(b) > 16 {
		copy(b[1:17], id.Hash[:16])
	}
}

func FuzzOpenShort(f *testing.F) {
	id, seed := fuzzBuild(f, true)
	f.Add(seed)
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		markOurs(b, id)
		msg, err := i2np.ParseShortTunnelBuild(b)
		if err != nil {
			return
		}
		hop, err := OpenShort(id, msg)
		if err != nil {
			return
		}
		if _, err := hop.Reply(StatusAccept, data.Mapping{}); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzOpenLong(f *testing.F) {
	id, seed := fuzzBuild(f, false)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		markOurs(b, id)
		msg, err := i2np.ParseVariableTunnelBuild(b)
		if err != nil {
			return
		}
		hop, err := OpenLong(id, msg)
		if err != nil {
			return
		}
		if _, err := hop.Reply(StatusBandwidth, data.Mapping{}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzHandleReply feeds random replies (first byte: message type) to
// pending short and long builds.
func FuzzHandleReply(f *testing.F) {
	var pending []*Pending
	for _, short := range []bool{true, false} {
		for _, inbound := range []bool{false, true} {
			p, _, _, reply := buildPairTB(f, short, inbound)
			pending = append(pending, p)
			b, err := reply.Append([]byte{byte(reply.Type())})
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		msg, err := i2np.ParsePayload(i2np.Type(b[0]), b[1:])
		if err != nil {
			return
		}
		for _, p := range pending {
			replies, err := p.HandleReply(msg)
			if err == nil && len(replies) != len(p.Hops) {
				t.Fatalf("%d replies for %d hops", len(replies), len(p.Hops))
			}
		}
	})
}
