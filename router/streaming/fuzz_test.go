package streaming

import (
	"bytes"
	"encoding/binary"
	"testing"

	"i2pgate/router/data"
)

// FuzzParse: any input parses or fails without panicking, and what parses
// serializes back to the same bytes.
func FuzzParse(f *testing.F) {
	keys := testKeys(f, 1)
	signer := testSigner(f, keys)
	for _, p := range samplePackets(f, keys, data.Hash{1}) {
		if b, err := p.Append(nil, signer); err == nil {
			f.Add(b)
		}
	}
	f.Add(i2pdSyn(f, keys, data.Hash{2}, 5, false, []byte("data")))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			return
		}
		again, err := p.Append(nil, nil)
		if err != nil {
			t.Fatalf("parsed packet does not serialize: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip differs:\n%x\n%x", b, again)
		}
		if p.Flags&FlagSignatureIncluded != 0 {
			_ = p.Verify(keys.Destination().SigningPublicKey())
		}
		if p.From != nil {
			_, _ = p.VerifyFrom(p.From, testEpoch)
		}
		_, _ = p.TargetHash()
	})
}

// FuzzHandlePacket feeds arbitrary packets to a Manager with an open
// connection; with mode&1 the stream IDs are those of the connection, so
// the input reaches the connection's state machine. Nothing may panic and
// the connection must still work or have failed cleanly.
func FuzzHandlePacket(f *testing.F) {
	keys := testKeys(f, 1)
	signer := testSigner(f, keys)
	for _, p := range samplePackets(f, keys, data.Hash{1}) {
		if b, err := p.Append(nil, signer); err == nil {
			f.Add(byte(1), b)
			f.Add(byte(0), b)
		}
	}
	f.Fuzz(func(t *testing.T, mode byte, b []byte) {
		a, srv, l, clk := fakePair(t, nil)
		client, server := connect(t, a, srv, 80)
		if mode&1 != 0 && len(b) >= 8 {
			b = bytes.Clone(b)
			binary.BigEndian.PutUint32(b, server.localID)
			server.mu.Lock()
			binary.BigEndian.PutUint32(b[4:], server.mu.peerID)
			server.mu.Unlock()
		}
		srv.m.HandlePacket(uint16(mode), 80, b)
		l.settle()
		clk.Advance(CloseTimeout)
		l.settle()
		client.Write([]byte("x"))
		l.settle()
		client.Close()
		server.Close()
	})
}
