package streaming

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// TestEarlyFollowOn: an initiator may send data before our SYN reply,
// with sendStreamId 0, and it may overtake the SYN. The packet waits for
// the SYN and is then delivered in order.
func TestEarlyFollowOn(t *testing.T) {
	a, b, l, _ := fakePair(t, nil)
	ln, err := b.m.Listen(80)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const peerID = 0x0a0b0c0d
	followOn, err := (&Packet{ReceiveStreamID: peerID, Seq: 1, Payload: []byte("world")}).Append(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	closing, err := (&Packet{ReceiveStreamID: peerID, Seq: 2, Flags: FlagClose | FlagSignatureIncluded}).Append(nil, testSigner(t, a.keys))
	if err != nil {
		t.Fatal(err)
	}
	b.m.HandlePacket(0, 80, closing)
	b.m.HandlePacket(0, 80, followOn)
	b.m.HandlePacket(0, 80, i2pdSyn(t, a.keys, b.dest.Hash(), peerID, true, []byte("hello ")))
	c, err := ln.AcceptConn()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "hello world" {
		t.Fatalf("read %q, %v", got, err)
	}
	l.settle()
}

// TestEarlyReply: the responder's data overtakes its SYN reply; the
// initiator keeps it until the reply arrives.
func TestEarlyReply(t *testing.T) {
	a, b, l, _ := fakePair(t, nil)
	ln, err := b.m.Listen(80)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []byte
	l.setFilter(func(f frame) bool {
		if p, err := decodeFrame(f); err == nil && f.to.Hash() == a.dest.Hash() && p.Has(FlagSynchronize) && held == nil {
			held = bytes.Clone(p.raw)
			return false
		}
		return true
	})
	res := make(chan *Conn, 1)
	go func() {
		c, err := a.m.Dial(context.Background(), b.dest, 80)
		if err != nil {
			t.Error(err)
		}
		res <- c
	}()
	server, err := ln.AcceptConn()
	if err != nil {
		t.Fatal(err)
	}
	server.Write([]byte("early data"))
	server.Close()
	l.settle()
	if held == nil {
		t.Fatal("no SYN reply")
	}
	select {
	case <-res:
		t.Fatal("dial returned without the SYN reply")
	default:
	}
	a.m.HandlePacket(80, 0, held)
	client := <-res
	if client == nil {
		t.FailNow()
	}
	defer client.Close()
	got, err := io.ReadAll(client)
	if err != nil || string(got) != "early data" {
		t.Fatalf("read %q, %v", got, err)
	}
}
