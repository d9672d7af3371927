package i2np

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"i2pgate/router/data"
)

func TestDatabaseStoreVectors(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want DatabaseStore
	}{
		{
			"router info, no reply",
			rep(0x11, 32) + "00 00000000 0005 1f8b080000",
			DatabaseStore{Key: hash(0x11), StoreType: StoreRouterInfo, Data: mustHex(t, "1f8b080000")},
		},
		{
			"router info, reply through tunnel",
			rep(0x11, 32) + "00 01020304 0a0b0c0d" + rep(0x22, 32) + "0003 aabbcc",
			DatabaseStore{Key: hash(0x11), StoreType: StoreRouterInfo, ReplyToken: 0x01020304,
				ReplyTunnelID: 0x0a0b0c0d, ReplyGateway: hash(0x22), Data: mustHex(t, "aabbcc")},
		},
		{
			"router info, direct reply (tunnel 0)",
			rep(0x11, 32) + "00 ffffffff 00000000" + rep(0x22, 32) + "0001 aa",
			DatabaseStore{Key: hash(0x11), StoreType: StoreRouterInfo, ReplyToken: 0xffffffff,
				ReplyGateway: hash(0x22), Data: mustHex(t, "aa")},
		},
		{
			"lease set",
			rep(0x33, 32) + "01 00000000 0102030405",
			DatabaseStore{Key: hash(0x33), StoreType: StoreLeaseSet, Data: mustHex(t, "0102030405")},
		},
		{
			"lease set 2 with reply",
			rep(0x33, 32) + "03 00000007 00000009" + rep(0x44, 32) + "0607",
			DatabaseStore{Key: hash(0x33), StoreType: StoreLeaseSet2, ReplyToken: 7, ReplyTunnelID: 9,
				ReplyGateway: hash(0x44), Data: mustHex(t, "0607")},
		},
		{
			"encrypted lease set",
			rep(0x33, 32) + "05 00000000 ee",
			DatabaseStore{Key: hash(0x33), StoreType: StoreEncryptedLeaseSet, Data: mustHex(t, "ee")},
		},
		{
			"meta lease set",
			rep(0x33, 32) + "07 00000000 ff",
			DatabaseStore{Key: hash(0x33), StoreType: StoreMetaLeaseSet, Data: mustHex(t, "ff")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mustHex(t, tc.hex)
			got, err := ParseDatabaseStore(in)
			wantErr(t, err, nil)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("parsed %+v\nwant %+v", got, tc.want)
			}
			out := mustAppend(t, tc.want)
			if !bytes.Equal(out, in) || tc.want.Len() != len(in) {
				t.Fatalf("Append %x\nwant %x (Len %d)", out, in, tc.want.Len())
			}
		})
	}
}

func TestDatabaseStoreErrors(t *testing.T) {
	key := rep(0x11, 32)
	tests := []struct {
		name string
		hex  string
		want error
	}{
		{"empty", "", ErrTruncated},
		{"short header", key + "00 000000", ErrTruncated},
		{"type 2", key + "02 00000000 00", ErrInvalid},
		{"type 9", key + "09 00000000 00", ErrInvalid},
		{"reserved high bits", key + "11 00000000 00", ErrInvalid},
		{"reply fields cut", key + "01 00000001 00000000" + rep(0x22, 31), ErrTruncated},
		{"no router info length", key + "00 00000000 00", ErrTruncated},
		{"router info length beyond input", key + "00 00000000 0004 aabbcc", ErrTruncated},
		{"bytes after router info", key + "00 00000000 0001 aa bb", ErrTrailingData},
		{"empty router info", key + "00 00000000 0000", ErrInvalid},
		{"empty lease set", key + "03 00000000", ErrInvalid},
		{"empty lease set after reply", key + "01 00000001 00000000" + rep(0x22, 32), ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDatabaseStore(mustHex(t, tc.hex))
			wantErr(t, err, tc.want)
		})
	}
}

func TestDatabaseStoreAppendErrors(t *testing.T) {
	tests := []struct {
		name string
		ds   DatabaseStore
		want error
	}{
		{"tunnel without token", DatabaseStore{StoreType: StoreLeaseSet2, ReplyTunnelID: 1, Data: []byte{1}}, ErrInvalid},
		{"gateway without token", DatabaseStore{StoreType: StoreLeaseSet2, ReplyGateway: hash(1), Data: []byte{1}}, ErrInvalid},
		{"no data", DatabaseStore{StoreType: StoreRouterInfo}, ErrInvalid},
		{"bad type", DatabaseStore{StoreType: 4, Data: []byte{1}}, ErrInvalid},
		{"router info too long", DatabaseStore{StoreType: StoreRouterInfo, Data: make([]byte, 1<<16)}, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.ds.Append(nil)
			wantErr(t, err, tc.want)
		})
	}
}

func TestStoreTypes(t *testing.T) {
	for _, ty := range []StoreType{StoreLeaseSet, StoreLeaseSet2, StoreEncryptedLeaseSet, StoreMetaLeaseSet} {
		if !ty.IsLeaseSet() || !ty.Valid() {
			t.Errorf("%v", ty)
		}
	}
	if StoreRouterInfo.IsLeaseSet() || StoreType(2).Valid() || StoreType(2).String() != "store type 2" {
		t.Error("store type checks")
	}
}

// storedGzip builds a gzip stream with one stored (uncompressed) deflate
// block, the form i2pd's GzipNoCompression sends for small RouterInfos.
func storedGzip(content []byte) []byte {
	b := []byte{0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff}
	b = append(b, 0x01) // BFINAL=1, BTYPE=00
	b = binary.LittleEndian.AppendUint16(b, uint16(len(content)))
	b = binary.LittleEndian.AppendUint16(b, ^uint16(len(content)))
	b = append(b, content...)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(content))
	return binary.LittleEndian.AppendUint32(b, uint32(len(content)))
}

func TestCompressRouterInfo(t *testing.T) {
	ri := bytes.Repeat([]byte("router info bytes "), 40)
	gz, err := CompressRouterInfo(ri)
	wantErr(t, err, nil)
	// Java's header, as the spec asks: mtime 0, XFL 2, OS 0xff.
	if want := mustHex(t, "1f8b0800 00000000 02ff"); !bytes.Equal(gz[:10], want) {
		t.Fatalf("gzip header %x, want %x", gz[:10], want)
	}
	if len(gz) >= len(ri) {
		t.Fatalf("not compressed: %d >= %d", len(gz), len(ri))
	}
	got, err := DecompressRouterInfo(gz, len(ri))
	wantErr(t, err, nil)
	if !bytes.Equal(got, ri) {
		t.Fatal("round trip differs")
	}
	// A reused Compressor appends and gives the same stream.
	var c Compressor
	for range 2 {
		again, err := c.Compress([]byte{0xaa}, ri)
		wantErr(t, err, nil)
		if again[0] != 0xaa || !bytes.Equal(again[1:], gz) {
			t.Fatal("reused compressor output differs")
		}
	}
}

func TestDecompressRouterInfo(t *testing.T) {
	content := []byte("a small router info")
	stored := storedGzip(content)
	badCRC := bytes.Clone(stored)
	badCRC[len(badCRC)-5] ^= 1
	var bomb bytes.Buffer
	w := gzip.NewWriter(&bomb)
	w.Write(make([]byte, 1<<20))
	w.Close()

	tests := []struct {
		name string
		in   []byte
		max  int
		want error
	}{
		{"stored block", stored, MaxRouterInfoSize, nil},
		{"exactly max", stored, len(content), nil},
		{"one over max", stored, len(content) - 1, ErrTooLarge},
		{"trailing bytes ignored", append(bytes.Clone(stored), 1, 2, 3), 100, nil},
		{"bad crc", badCRC, 100, ErrInvalid},
		{"truncated", stored[:len(stored)-3], 100, ErrInvalid},
		{"not gzip", content, 100, ErrInvalid},
		{"empty", nil, 100, ErrInvalid},
		{"bomb", bomb.Bytes(), MaxRouterInfoSize, ErrTooLarge},
		{"negative max", stored, -1, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecompressRouterInfo(tc.in, tc.max)
			wantErr(t, err, tc.want)
			if tc.want == nil && !bytes.Equal(got, content) {
				t.Fatalf("got %q", got)
			}
		})
	}
	// A reused Decompressor keeps working after an error.
	var d Decompressor
	if _, err := d.Decompress(nil, badCRC, 100); err == nil {
		t.Fatal("bad crc accepted")
	}
	got, err := d.Decompress([]byte{9}, stored, 100)
	wantErr(t, err, nil)
	if got[0] != 9 || !bytes.Equal(got[1:], content) {
		t.Fatalf("reused: %q", got)
	}
}

// TestDatabaseStoreI2pdRouterInfo stores i2pd's own router.info: compress,
// encode with a standard header, parse, decompress, and parse the RI.
func TestDatabaseStoreI2pdRouterInfo(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "data", "testdata", "i2pd", "router.info"))
	if err != nil {
		t.Skipf("i2pd golden RouterInfo absent: %v", err)
	}
	ri, err := data.ParseRouterInfo(raw)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := CompressRouterInfo(raw)
	wantErr(t, err, nil)
	ds := DatabaseStore{Key: ri.Hash(), StoreType: StoreRouterInfo, ReplyToken: 0x1234,
		ReplyGateway: ri.Hash(), Data: gz}
	msg, err := AppendStandardPayload(nil, ds, 42, testTime)
	wantErr(t, err, nil)

	m, rest, err := ParseStandard(msg)
	wantErr(t, err, nil)
	if len(rest) != 0 || m.Type != TypeDatabaseStore {
		t.Fatalf("rest %d, type %v", len(rest), m.Type)
	}
	p, err := m.Decode()
	wantErr(t, err, nil)
	got := p.(DatabaseStore)
	if !reflect.DeepEqual(got, ds) {
		t.Fatalf("parsed store differs")
	}
	if again := mustAppend(t, got); !bytes.Equal(again, m.Payload) {
		t.Fatal("re-encoded store differs")
	}
	plain, err := got.RouterInfo(MaxRouterInfoSize)
	wantErr(t, err, nil)
	if !bytes.Equal(plain, raw) {
		t.Fatal("decompressed RouterInfo differs")
	}
	back, err := data.ParseRouterInfo(plain)
	if err != nil {
		t.Fatal(err)
	}
	if back.Hash() != got.Key {
		t.Fatal("RouterInfo hash differs from the store key")
	}
	if err := back.Verify(); err != nil {
		t.Fatalf("RouterInfo signature: %v", err)
	}
	if _, err := (DatabaseStore{StoreType: StoreLeaseSet2, Data: []byte{1}}).RouterInfo(100); err == nil {
		t.Fatal("RouterInfo of a lease set store")
	}
}
