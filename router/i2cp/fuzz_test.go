package i2cp

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// FuzzDecodePayload feeds arbitrary bytes to the decoder: nothing may
// panic, and whatever decodes re-encodes, stored and compressed, to the
// same payload.
func FuzzDecodePayload(f *testing.F) {
	for _, compress := range []bool{false, true} {
		for _, d := range [][]byte{nil, []byte("x"), identityLike(), make([]byte, 2000)} {
			enc, _ := EncodePayload(ProtoStreaming, 1, 2, d, compress)
			f.Add(enc)
		}
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(make([]byte, 100000))
	zw.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePayload(b)
		if err != nil {
			return
		}
		if len(p.Data) > MaxDataSize {
			t.Fatalf("%d bytes decoded", len(p.Data))
		}
		for _, compress := range []bool{false, true} {
			enc, err := EncodePayload(p.Proto, p.SrcPort, p.DstPort, p.Data, compress)
			if err != nil {
				t.Fatal(err)
			}
			q, err := DecodePayload(enc)
			if err != nil {
				t.Fatalf("re-encoded payload: %v", err)
			}
			if q.Proto != p.Proto || q.SrcPort != p.SrcPort || q.DstPort != p.DstPort || !bytes.Equal(q.Data, p.Data) {
				t.Fatal("round trip differs")
			}
		}
	})
}

// FuzzDeflate checks the compressor on arbitrary data against
// compress/gzip.
func FuzzDeflate(f *testing.F) {
	f.Add([]byte("abcabcabcabcabcabc"), uint16(5))
	f.Add(identityLike(), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, repeat uint16) {
		// Repeating the input makes long back references likely.
		in := bytes.Repeat(data, int(repeat%64)+1)
		if len(in) > MaxDataSize {
			in = in[:MaxDataSize]
		}
		enc, err := EncodePayload(ProtoRaw, 9, 10, in, true)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := stdInflate(t, enc)
		if !bytes.Equal(got, in) {
			t.Fatal("compress/gzip reads different data")
		}
	})
}
