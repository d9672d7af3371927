package garlic

import (
	"testing"
	"time"

	"i2pgate/router/i2np"
)

func benchBlocks() []Block {
	return []Block{
		DateTime{Seconds: 0x65000000},
		Clove{Message: i2np.Message{Type: i2np.TypeData, ID: 1, Expiration: time.Unix(0x65000000, 0), Payload: make([]byte, 1024)}},
		Padding{Size: 7},
	}
}

func BenchmarkSealForRouter1K(b *testing.B) {
	router := routerKey(b, 0x01)
	blocks := benchBlocks()
	buf := make([]byte, 0, 2048)
	b.SetBytes(1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AppendSealForRouter(buf[:0], nil, &router.Public, blocks); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenForRouter1K(b *testing.B) {
	router := routerKey(b, 0x01)
	body, err := SealForRouter(nil, &router.Public, benchBlocks())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenForRouter(&router, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSealReply1K(b *testing.B) {
	k := replyVectorKey()
	blocks := benchBlocks()[1:]
	buf := make([]byte, 0, 2048)
	b.SetBytes(1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AppendSealReply(buf[:0], &k.Key, k.Tag, blocks); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenReply1K(b *testing.B) {
	k := replyVectorKey()
	body, err := SealReply(&k.Key, k.Tag, benchBlocks()[1:])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenReply(&k.Key, k.Tag, body); err != nil {
			b.Fatal(err)
		}
	}
}
