package datagram

import "testing"

func BenchmarkBuildRepliable(b *testing.B) {
	k := testKeys(b, 80)
	signer, from := testSigner(b, k), k.Destination()
	payload := make([]byte, 1024)
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := BuildRepliable(signer, from, payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRepliable(b *testing.B) {
	k := testKeys(b, 81)
	dg, err := BuildRepliable(testSigner(b, k), k.Destination(), make([]byte, 1024))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(dg)))
	for b.Loop() {
		if _, _, err := ParseRepliable(dg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandlePayloadRaw is the receive path of a raw datagram: port
// lookup, queue, ReadDatagram.
func BenchmarkHandlePayloadRaw(b *testing.B) {
	k := testKeys(b, 82)
	m, err := New(Config{Local: k.Destination(), Sender: newNetwork()})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	c, err := m.Listen(1, false)
	if err != nil {
		b.Fatal(err)
	}
	payload := make([]byte, 1024)
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		m.HandlePayload(ProtoRaw, 0, 1, payload)
		if _, _, err := c.ReadDatagram(); err != nil {
			b.Fatal(err)
		}
	}
}
