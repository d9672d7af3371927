package garlic

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/i2np"
)

// FuzzParseBlocks checks that any payload parses without panicking and that
// whatever parses re-encodes to blocks that parse the same.
func FuzzParseBlocks(f *testing.F) {
	for _, tc := range blockVectors {
		f.Add(unhex(f, tc.wire))
	}
	f.Add([]byte{0x0a, 0, 1, 0, 0xfe, 0, 0})
	f.Add([]byte{0x0b, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		blocks, err := ParseBlocks(b)
		if err != nil {
			return
		}
		for _, k := range []Kind{NewSession, NewSessionReply, ExistingSession} {
			_ = CheckOrder(k, blocks)
		}
		enc, err := AppendBlocks(nil, blocks)
		if err != nil {
			// Parsing is lenient about unused flag bits and values the
			// encoder refuses (key IDs, reverse+request).
			return
		}
		again, err := ParseBlocks(enc)
		if err != nil {
			t.Fatalf("re-encoded blocks do not parse: %v", err)
		}
		if !reflect.DeepEqual(again, blocks) {
			t.Fatalf("round trip differs")
		}
	})
}

// FuzzDecrypt feeds arbitrary Garlic data to the Decrypter with a known
// reply tag; nothing may panic, and anything accepted must obey the rules.
func FuzzDecrypt(f *testing.F) {
	router := routerKey(f, 0x01)
	k := replyVectorKey()
	if ns, err := SealForRouter(&seqReader{next: 0x21}, &router.Public, vectorBlocks()); err == nil {
		f.Add(ns)
	}
	if r, err := SealReply(&k.Key, k.Tag, replyBlocks()); err == nil {
		f.Add(r)
	}
	f.Add(make([]byte, MinRouterMessageSize))
	f.Add(k.Tag[:])
	f.Fuzz(func(t *testing.T, body []byte) {
		clk := clocktest.New(time.Unix(0x65000000, 0))
		replies := NewReplyTable(ReplyTableConfig{Clock: clk})
		replies.Add(k)
		d := NewDecrypter(DecrypterConfig{Key: router, Replies: replies, Clock: clk})
		orig := bytes.Clone(body)
		m, err := d.Decrypt(body)
		if !bytes.Equal(orig, body) {
			t.Fatal("Decrypt modified its input")
		}
		if err == nil {
			if e := CheckOrder(m.Kind, m.Blocks); e != nil {
				t.Fatalf("accepted blocks break the rules: %v", e)
			}
		}
		_, _ = OpenForRouter(&router, body)
		_, _ = OpenReply(&k.Key, k.Tag, body)
	})
}

// FuzzClove checks ParseClove against the encoder.
func FuzzClove(f *testing.F) {
	f.Add([]byte{0x00, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(append(append([]byte{0x60}, make([]byte, 32)...), 0, 0, 0, 1, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseClove(b)
		if err != nil {
			return
		}
		enc, err := AppendBlock(nil, c)
		if err != nil {
			if len(c.Message.Payload) > i2np.MaxShortPayloadSize {
				return
			}
			t.Fatalf("parsed clove does not encode: %v", err)
		}
		// Reserved flag bits 3-0 are ignored on parse and written as 0.
		want := bytes.Clone(b)
		want[0] &^= 0x0f
		if !bytes.Equal(enc[BlockHeaderSize:], want) {
			t.Fatalf("clove re-encodes differently:\n%x\n%x", enc[BlockHeaderSize:], want)
		}
	})
}
