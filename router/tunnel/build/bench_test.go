package build

import (
	"testing"

	"i2pgate/router/i2np"
)

func benchRequest(b *testing.B, short bool) (*Identity, i2np.Payload) {
	routers := testRouters(b, 4, short, 21)
	cfg := Config{ReplyGateway: routers[3].peer.Hash, ReplyTunnel: 5, Rand: testRand(22)}
	for _, r := range routers[:3] {
		cfg.Hops = append(cfg.Hops, r.peer)
	}
	_, msg, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return routers[0].id, msg
}

// BenchmarkOpenShort is the hop side: find, decrypt and derive keys for
// one short record (records/s per core = 1e9 / ns/op).
func BenchmarkOpenShort(b *testing.B) {
	id, msg := benchRequest(b, true)
	m := msg.(i2np.ShortTunnelBuild)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenShort(id, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkOpenShortReply adds writing the reply and re-encrypting the
// other records.
func BenchmarkOpenShortReply(b *testing.B) {
	id, msg := benchRequest(b, true)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hopAccept(id, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenLong(b *testing.B) {
	id, msg := benchRequest(b, false)
	m := msg.(i2np.VariableTunnelBuild)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenLong(id, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkNewShort3Hops is the creator building a 3-hop short request.
func BenchmarkNewShort3Hops(b *testing.B) {
	routers := testRouters(b, 4, true, 23)
	cfg := Config{ReplyGateway: routers[3].peer.Hash, ReplyTunnel: 5, Rand: testRand(24)}
	for _, r := range routers[:3] {
		cfg.Hops = append(cfg.Hops, r.peer)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := New(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHandleReplyShort3Hops(b *testing.B) {
	p, _, _, reply := buildPairTB(b, true, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.HandleReply(reply); err != nil {
			b.Fatal(err)
		}
	}
}
