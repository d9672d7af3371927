package i2cp

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"
)

// stdInflate decodes b with compress/gzip, as a check that our output is
// standard gzip.
func stdInflate(t testing.TB, b []byte) ([]byte, gzip.Header) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip.NewReader: %v", err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip read: %v", err)
	}
	return data, zr.Header
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// identityLike is 387 bytes shaped like a destination: a 32-byte block
// repeated over the padding, then keys and a certificate.
func identityLike() []byte {
	block := randomBytes(7, 32)
	b := make([]byte, 0, 391)
	for len(b) < 352 {
		b = append(b, block...)
	}
	b = append(b, randomBytes(8, 32)...)
	return append(b, 5, 0, 4, 0, 7, 0, 4)
}

func TestRoundTrip(t *testing.T) {
	text := bytes.Repeat([]byte("GET / HTTP/1.1\r\nHost: example.i2p\r\n\r\n"), 40)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one", []byte{0x42}},
		{"text", text},
		{"identity", identityLike()},
		{"random", randomBytes(1, 1812)},
		{"zeros", make([]byte, 5000)},
		{"max random", randomBytes(2, MaxDataSize)},
		{"max zeros", make([]byte, MaxDataSize)},
	} {
		for _, compress := range []bool{false, true} {
			enc, err := EncodePayload(ProtoStreaming, 1234, 80, tc.data, compress)
			if err != nil {
				t.Fatalf("%s/%v: encode: %v", tc.name, compress, err)
			}
			if len(enc) > len(tc.data)+StoredOverhead {
				t.Errorf("%s/%v: %d bytes, more than stored", tc.name, compress, len(enc))
			}
			got, err := DecodePayload(enc)
			if err != nil {
				t.Fatalf("%s/%v: decode: %v", tc.name, compress, err)
			}
			if got.Proto != ProtoStreaming || got.SrcPort != 1234 || got.DstPort != 80 || !bytes.Equal(got.Data, tc.data) {
				t.Fatalf("%s/%v: got %d/%d/%d and %d bytes", tc.name, compress, got.Proto, got.SrcPort, got.DstPort, len(got.Data))
			}
			std, hdr := stdInflate(t, enc)
			if !bytes.Equal(std, tc.data) || hdr.OS != ProtoStreaming {
				t.Fatalf("%s/%v: compress/gzip reads %d bytes, OS %d", tc.name, compress, len(std), hdr.OS)
			}
		}
	}
}

func TestCompressionHelps(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		max  int
	}{
		{"identity", identityLike(), 160},
		{"zeros", make([]byte, 4096), 60},
		{"text", bytes.Repeat([]byte("abcdefgh"), 200), 60},
	} {
		enc, err := EncodePayload(ProtoStreaming, 0, 0, tc.data, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) > tc.max {
			t.Errorf("%s: %d bytes compress to %d, want <= %d", tc.name, len(tc.data), len(enc), tc.max)
		}
	}
	// Incompressible data stays stored.
	data := randomBytes(3, 1000)
	enc, _ := EncodePayload(ProtoRaw, 0, 0, data, true)
	if len(enc) != len(data)+StoredOverhead || enc[HeaderSize] != storedFinal {
		t.Errorf("random data: %d bytes, first block byte %#x", len(enc), enc[HeaderSize])
	}
}

// TestStoredLayout pins the stored layout to what i2pd's GzipNoCompression
// and StreamingDestination::CreateDataMessage write: header
// 1f 8b 08 00, ports in the mtime field, XFL 02, protocol in the OS byte, one
// final stored block, CRC-32 and length little endian.
func TestStoredLayout(t *testing.T) {
	data := []byte("hello")
	enc, err := EncodePayload(ProtoStreaming, 0x1234, 80, data, false)
	if err != nil {
		t.Fatal(err)
	}
	crc := binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	want := "1f8b0800" + "1234" + "0050" + "02" + "06" + "01" + "0500" + "faff" +
		hex.EncodeToString(data) + hex.EncodeToString(crc) + "05000000"
	if got := hex.EncodeToString(enc); got != want {
		t.Fatalf("stored payload\n got %s\nwant %s", got, want)
	}
}

// TestDecodeZlib reads what Java I2P and i2pd's compressing path produce:
// a zlib gzip member, here written by compress/gzip at several levels, with
// the ports and protocol patched into the header as they do.
func TestDecodeZlib(t *testing.T) {
	data := append(identityLike(), randomBytes(4, 300)...)
	for _, level := range []int{gzip.NoCompression, gzip.BestSpeed, gzip.DefaultCompression, gzip.BestCompression} {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, level)
		zw.Write(data)
		zw.Close()
		b := buf.Bytes()
		binary.BigEndian.PutUint16(b[4:], 7)
		binary.BigEndian.PutUint16(b[6:], 8)
		b[9] = ProtoDatagram
		var d Decoder
		for range 2 { // the second round reuses the inflater
			got, err := d.Decode(b)
			if err != nil {
				t.Fatalf("level %d: %v", level, err)
			}
			if got.Proto != ProtoDatagram || got.SrcPort != 7 || got.DstPort != 8 || !bytes.Equal(got.Data, data) {
				t.Fatalf("level %d: wrong payload", level)
			}
		}
	}
	// Optional header fields (FNAME) are accepted too.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Name = "x"
	zw.Write(data)
	zw.Close()
	if got, err := DecodePayload(buf.Bytes()); err != nil || !bytes.Equal(got.Data, data) {
		t.Fatalf("FNAME member: %v", err)
	}
}

func TestGzipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(make([]byte, 10<<20))
	zw.Close()
	if buf.Len() > 20<<10 {
		t.Fatalf("bomb is %d bytes", buf.Len())
	}
	_, err := DecodePayload(buf.Bytes())
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("10 MB bomb: %v, want ErrTooLarge", err)
	}
	// One byte over the limit is refused, the limit itself accepted.
	for _, n := range []int{MaxDataSize, MaxDataSize + 1} {
		buf.Reset()
		zw.Reset(&buf)
		zw.Write(make([]byte, n))
		zw.Close()
		_, err := DecodePayload(buf.Bytes())
		if (err == nil) != (n <= MaxDataSize) {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	good, _ := EncodePayload(ProtoStreaming, 1, 2, []byte("some data"), false)
	comp, _ := EncodePayload(ProtoStreaming, 1, 2, bytes.Repeat([]byte("ab"), 100), true)
	mod := func(b []byte, f func([]byte) []byte) []byte { return f(bytes.Clone(b)) }
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"short", good[:17], ErrTruncated},
		{"magic", mod(good, func(b []byte) []byte { b[0] = 0; return b }), ErrInvalid},
		{"method", mod(good, func(b []byte) []byte { b[2] = 7; return b }), ErrInvalid},
		{"stored cut", good[:len(good)-1], ErrTruncated},
		{"stored trailing", append(bytes.Clone(good), 0), ErrInvalid},
		{"stored nlen", mod(good, func(b []byte) []byte { b[13] ^= 1; return b }), ErrInvalid},
		{"stored crc", mod(good, func(b []byte) []byte { b[len(b)-8] ^= 1; return b }), ErrInvalid},
		{"stored data", mod(good, func(b []byte) []byte { b[16] ^= 1; return b }), ErrInvalid},
		{"stored isize", mod(good, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), ErrInvalid},
		{"deflate cut", comp[:len(comp)-9], ErrTruncated},
		{"deflate crc", mod(comp, func(b []byte) []byte { b[len(b)-8] ^= 1; return b }), ErrInvalid},
		{"deflate trailing", append(bytes.Clone(comp), 0, 0), ErrInvalid},
		{"deflate btype 3", mod(comp, func(b []byte) []byte { b[10] |= 6; return b }), ErrInvalid},
	} {
		_, err := DecodePayload(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := EncodePayload(ProtoRaw, 0, 0, make([]byte, MaxDataSize+1), false); !errors.Is(err, ErrTooLarge) {
		t.Errorf("encode oversized: %v", err)
	}
}

func BenchmarkEncodeStored(b *testing.B) {
	data := randomBytes(5, 1812)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		EncodePayload(ProtoStreaming, 0, 0, data, false)
	}
}

func BenchmarkEncodeCompressed(b *testing.B) {
	data := append(identityLike(), make([]byte, 300)...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		EncodePayload(ProtoStreaming, 0, 0, data, true)
	}
}

func BenchmarkDecodeStored(b *testing.B) {
	enc, _ := EncodePayload(ProtoStreaming, 0, 0, randomBytes(6, 1812), false)
	b.SetBytes(1812)
	b.ReportAllocs()
	for b.Loop() {
		DecodePayload(enc)
	}
}

func BenchmarkDecodeCompressed(b *testing.B) {
	data := append(identityLike(), make([]byte, 300)...)
	enc, _ := EncodePayload(ProtoStreaming, 0, 0, data, true)
	var d Decoder
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d.Decode(enc)
	}
}
