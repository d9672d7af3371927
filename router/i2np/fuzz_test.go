package i2np

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// seedPayloads adds the payload of every sample of type t.
func seedPayloads(f *testing.F, t Type) {
	for _, s := range samples(f) {
		if s.p.Type() == t {
			f.Add(mustAppend(f, s.p))
		}
	}
}

// roundTrip checks that a payload that parses re-encodes to the same bytes.
func roundTrip(t *testing.T, ty Type, in []byte) {
	p, err := ParsePayload(ty, in)
	if err != nil {
		return
	}
	out, err := p.Append(nil)
	if err != nil {
		t.Fatalf("%v: parsed but Append failed: %v", ty, err)
	}
	if !bytes.Equal(out, in) {
		t.Fatalf("%v: re-encoded\n %x\nfrom\n %x", ty, out, in)
	}
}

func FuzzParseStandard(f *testing.F) {
	for _, s := range samples(f) {
		m, err := AppendStandardPayload(nil, s.p, 1, testTime)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, rest, err := ParseStandard(b)
		if err != nil {
			return
		}
		out, err := m.AppendStandard(nil)
		if err != nil {
			t.Fatalf("parsed but AppendStandard failed: %v", err)
		}
		if !bytes.Equal(out, b[:len(b)-len(rest)]) {
			t.Fatalf("re-encoded %x from %x", out, b)
		}
		m.Expired(testTime)
		if m.Type.Known() {
			roundTrip(t, m.Type, m.Payload)
		}
	})
}

func FuzzParseShort(f *testing.F) {
	for _, s := range samples(f) {
		m, err := AppendShortPayload(nil, s.p, 1, testTime)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseShort(b)
		if err != nil {
			return
		}
		out, err := m.AppendShort(nil)
		if err != nil {
			t.Fatalf("parsed but AppendShort failed: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("re-encoded %x from %x", out, b)
		}
		if _, err := m.AppendStandard(nil); err != nil {
			t.Fatalf("short message does not convert: %v", err)
		}
	})
}

func FuzzDatabaseStore(f *testing.F) {
	seedPayloads(f, TypeDatabaseStore)
	f.Add(mustHex(f, rep(0x11, 32)+"00 01020304 0a0b0c0d"+rep(0x22, 32)+"0003 aabbcc"))
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip(t, TypeDatabaseStore, b) })
}

func FuzzDatabaseLookup(f *testing.F) {
	seedPayloads(f, TypeDatabaseLookup)
	kf := rep(0x11, 32) + rep(0x22, 32)
	f.Add(mustHex(f, kf+"07 00000005 0001"+rep(0x33, 32)+rep(0x55, 32)+"01"+rep(0x66, 32)))
	f.Add(mustHex(f, kf+"15 00000005 0000"+rep(0x55, 32)+"01"+rep(0x77, 8)))
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip(t, TypeDatabaseLookup, b) })
}

func FuzzDatabaseSearchReply(f *testing.F) {
	seedPayloads(f, TypeDatabaseSearchReply)
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip(t, TypeDatabaseSearchReply, b) })
}

// FuzzSimplePayloads covers DeliveryStatus, Garlic, TunnelData,
// TunnelGateway (and its inner message) and Data; the first byte picks
// the type.
func FuzzSimplePayloads(f *testing.F) {
	types := []Type{TypeDeliveryStatus, TypeGarlic, TypeTunnelData, TypeTunnelGateway, TypeData}
	for i, ty := range types {
		for _, s := range samples(f) {
			if s.p.Type() == ty {
				f.Add(append([]byte{byte(i)}, mustAppend(f, s.p)...))
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		ty := types[int(b[0])%len(types)]
		roundTrip(t, ty, b[1:])
		if g, err := ParseTunnelGateway(b[1:]); err == nil {
			if m, err := g.Inner(); err == nil {
				if out, err := m.AppendStandard(nil); err != nil || !bytes.Equal(out, g.Message) {
					t.Fatalf("inner message re-encoded %x (%v) from %x", out, err, g.Message)
				}
			}
		}
	})
}

// FuzzTunnelBuild covers the six tunnel build messages; the first byte
// picks the type.
func FuzzTunnelBuild(f *testing.F) {
	types := []Type{TypeTunnelBuild, TypeTunnelBuildReply, TypeVariableTunnelBuild,
		TypeVariableTunnelBuildReply, TypeShortTunnelBuild, TypeOutboundTunnelBuildReply}
	for i, ty := range types {
		for _, s := range samples(f) {
			if s.p.Type() == ty {
				f.Add(append([]byte{byte(i)}, mustAppend(f, s.p)...))
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		roundTrip(t, types[int(b[0])%len(types)], b[1:])
	})
}

func FuzzDecompressRouterInfo(f *testing.F) {
	f.Add(storedGzip([]byte("a small router info")))
	if raw, err := os.ReadFile(filepath.Join("..", "data", "testdata", "i2pd", "router.info")); err == nil {
		gz, err := CompressRouterInfo(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(gz)
	}
	var c Compressor
	var d Decompressor
	f.Fuzz(func(t *testing.T, b []byte) {
		const max = 4096
		out, err := d.Decompress(nil, b, max)
		if err != nil {
			return
		}
		if len(out) > max {
			t.Fatalf("%d bytes out, max %d", len(out), max)
		}
		gz, err := c.Compress(nil, out)
		if err != nil {
			t.Fatal(err)
		}
		back, err := d.Decompress(nil, gz, max)
		if err != nil || !bytes.Equal(back, out) {
			t.Fatalf("recompressed round trip: %v", err)
		}
	})
}
