package i2np

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchRouterInfo returns i2pd's router.info, or a synthetic stand-in.
func benchRouterInfo(b *testing.B) []byte {
	raw, err := os.ReadFile(filepath.Join("..", "data", "testdata", "i2pd", "router.info"))
	if err != nil {
		raw = make([]byte, 900)
		for i := range raw {
			raw[i] = byte(i * 7 / 5)
		}
	}
	return raw
}

func benchStore(b *testing.B) (DatabaseStore, []byte) {
	raw := benchRouterInfo(b)
	gz, err := CompressRouterInfo(raw)
	if err != nil {
		b.Fatal(err)
	}
	return DatabaseStore{Key: hash(1), StoreType: StoreRouterInfo, ReplyToken: 5, ReplyGateway: hash(2), Data: gz}, raw
}

func BenchmarkDatabaseStoreParse(b *testing.B) {
	ds, _ := benchStore(b)
	msg, err := AppendStandardPayload(nil, ds, 1, testTime)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		m, _, err := ParseStandard(msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseDatabaseStore(m.Payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDatabaseStoreAppend(b *testing.B) {
	ds, _ := benchStore(b)
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = AppendStandardPayload(buf[:0], ds, 1, testTime)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkDecompressRouterInfo(b *testing.B) {
	ds, raw := benchStore(b)
	var d Decompressor
	buf := make([]byte, 0, MaxRouterInfoSize+1)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = d.Decompress(buf[:0], ds.Data, MaxRouterInfoSize)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompressRouterInfo(b *testing.B) {
	_, raw := benchStore(b)
	var c Compressor
	buf := make([]byte, 0, 2048)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = c.Compress(buf[:0], raw)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTunnelDataParse reads a TunnelData as it arrives in an NTCP2
// or SSU2 block (short header).
func BenchmarkTunnelDataParse(b *testing.B) {
	msg, err := AppendShortPayload(nil, TunnelData{TunnelID: 7, Data: make([]byte, TunnelDataBodySize)}, 1, testTime)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := ParseShort(msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseTunnelData(m.Payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTunnelDataAppend(b *testing.B) {
	td := TunnelData{TunnelID: 7, Data: make([]byte, TunnelDataBodySize)}
	buf := make([]byte, 0, ShortHeaderSize+TunnelDataSize)
	b.SetBytes(int64(cap(buf)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = AppendShortPayload(buf[:0], td, 1, testTime)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTunnelDataStandard is the standard-header path (checksum).
func BenchmarkTunnelDataStandard(b *testing.B) {
	td := TunnelData{TunnelID: 7, Data: make([]byte, TunnelDataBodySize)}
	buf := make([]byte, 0, HeaderSize+TunnelDataSize)
	b.SetBytes(int64(cap(buf)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = AppendStandardPayload(buf[:0], td, 1, testTime)
		if err != nil {
			b.Fatal(err)
		}
		m, _, err := ParseStandard(buf)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseTunnelData(m.Payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDupFilter(b *testing.B) {
	f := NewDupFilter(0)
	now := testTime
	exp := now.Add(ExpirationTimeout)
	b.ReportAllocs()
	id := uint32(0)
	for b.Loop() {
		id++
		// Advance the clock so that buckets rotate as in a live router at
		// about DupFilterCapacity messages per slice.
		t := now.Add(time.Duration(id) * (DupSlice / DupFilterCapacity))
		f.Duplicate(id, exp.Add(t.Sub(now)), t)
	}
}

func BenchmarkDupFilterKey(b *testing.B) {
	f := NewDupFilter(0)
	now := testTime
	exp := now.Add(ExpirationTimeout)
	var key [16]byte
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		key[0], key[1], key[2] = byte(i), byte(i>>8), byte(i>>16)
		t := now.Add(time.Duration(i) * (DupSlice / DupFilterCapacity))
		f.DuplicateKey(key[:], exp.Add(t.Sub(now)), t)
	}
}
