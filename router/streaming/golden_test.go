package streaming

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"i2pgate/router/data"
)

// i2pdSyn builds, byte by byte, the first SYN that i2pd's
// Stream::SendBuffer writes (libi2pd/Streaming.cpp): sendStreamID 0, our
// receiveStreamID, seqn 0, ackThrough 0, 8 NACKs holding the target's
// ident hash (none before 2.50: withHash false), resend delay
// INITIAL_RTO/1000 = 9, flags SYNCHRONIZE|FROM_INCLUDED|
// SIGNATURE_INCLUDED|MAX_PACKET_SIZE_INCLUDED|NO_ACK, options: identity,
// MTU (STREAMING_MTU_RATCHETS), zeroed signature; payload; then the
// signature over it all.
func i2pdSyn(t testing.TB, keys *data.PrivateKeys, target data.Hash, recvID uint32, withHash bool, payload []byte) []byte {
	t.Helper()
	ident := keys.Destination().Bytes()
	signer := testSigner(t, keys)
	sigLen := signer.Type().SignatureLen()
	var b []byte
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, recvID)
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, 0)
	if withHash {
		b = append(b, 8)
		b = append(b, target[:]...)
	} else {
		b = append(b, 0)
	}
	b = append(b, 9)
	b = binary.BigEndian.AppendUint16(b, 0x0001|0x0020|0x0008|0x0080|0x0400)
	b = binary.BigEndian.AppendUint16(b, uint16(len(ident)+2+sigLen))
	b = append(b, ident...)
	b = binary.BigEndian.AppendUint16(b, 1812)
	sigOff := len(b)
	b = append(b, make([]byte, sigLen)...)
	b = append(b, payload...)
	sig, err := signer.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	copy(b[sigOff:], sig)
	return b
}

// TestI2pdSynGolden pins the hand-built i2pd SYN to testdata and checks
// that our parser reads it.
func TestI2pdSynGolden(t *testing.T) {
	initiator, responder := testKeys(t, 1), testKeys(t, 2)
	syn := i2pdSyn(t, initiator, responder.Destination().Hash(), 0x2a2a2a2a, true, nil)
	golden, err := os.ReadFile("testdata/i2pd_syn.hex")
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(syn); got != strings.TrimSpace(string(golden)) {
		t.Fatalf("i2pd SYN differs from testdata/i2pd_syn.hex:\n%s", got)
	}
	p, err := Parse(syn)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := p.TargetHash()
	switch {
	case p.SendStreamID != 0 || p.ReceiveStreamID != 0x2a2a2a2a || p.Seq != 0 || p.ResendDelay != 9:
		t.Errorf("header %+v", p)
	case !ok || h != responder.Destination().Hash():
		t.Errorf("target hash %v %v", h, ok)
	case !p.Has(FlagSynchronize | FlagFromIncluded | FlagSignatureIncluded | FlagMaxPacketSizeIncluded | FlagNoAck):
		t.Errorf("flags %#x", p.Flags)
	case p.MaxPacketSize != 1812 || !p.From.Equal(&initiator.Destination().KeysAndCert) || len(p.Payload) != 0:
		t.Errorf("options %+v", p)
	}
	if _, err := p.VerifyFrom(p.From, time.Now()); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

// TestAcceptI2pdSyn feeds i2pd-built SYNs (old and new style, with SYN
// data) to a Manager and checks the SYN reply against what i2pd's
// Stream::HandleNextPacket and ProcessOptions need.
func TestAcceptI2pdSyn(t *testing.T) {
	for _, withHash := range []bool{false, true} {
		a, b, l, _ := fakePair(t, nil)
		ln, err := b.m.Listen(80)
		if err != nil {
			t.Fatal(err)
		}
		var reply []byte
		l.setFilter(func(f frame) bool {
			if p, err := decodeFrame(f); err == nil && reply == nil {
				reply = bytes.Clone(p.raw)
			}
			return false
		})
		req := []byte("GET / HTTP/1.1\r\nHost: x.i2p\r\n\r\n")
		syn := i2pdSyn(t, a.keys, b.dest.Hash(), 0x01020304, withHash, req)
		b.m.HandlePacket(0, 80, syn)
		c, err := ln.AcceptConn()
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 100)
		if n, err := c.Read(buf); err != nil || !bytes.Equal(buf[:n], req) {
			t.Fatalf("SYN data %q, %v", buf[:n], err)
		}
		l.settle()
		p, err := Parse(reply)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case p.SendStreamID != 0x01020304 || p.ReceiveStreamID == 0 || p.Seq != 0 || p.AckThrough != 0 || len(p.NACKs) != 0:
			t.Errorf("reply header %+v", p)
		case p.Flags != FlagSynchronize|FlagFromIncluded|FlagSignatureIncluded|FlagMaxPacketSizeIncluded:
			t.Errorf("reply flags %#x", p.Flags)
		case p.MaxPacketSize != DefaultMTU || !p.From.Equal(&b.dest.KeysAndCert):
			t.Errorf("reply options %+v", p)
		}
		if err := p.Verify(b.dest.SigningPublicKey()); err != nil {
			t.Errorf("reply signature: %v", err)
		}
		c.Close()
		ln.Close()
	}
}

// TestOurSynIsI2pds checks that the SYN Dial sends is byte for byte the
// one i2pd builds for the same keys and stream ID.
func TestOurSynIsI2pds(t *testing.T) {
	a, b, l, _ := fakePair(t, nil)
	var syn []byte
	l.setFilter(func(f frame) bool {
		if p, err := decodeFrame(f); err == nil && syn == nil {
			syn = bytes.Clone(p.raw)
		}
		return false
	})
	res := dialAsync(t, a, b, l, 80)
	l.settle()
	a.m.Close()
	<-res
	id := binary.BigEndian.Uint32(syn[4:])
	want := i2pdSyn(t, a.keys, b.dest.Hash(), id, true, nil)
	if !bytes.Equal(syn, want) {
		t.Fatalf("our SYN\n%x\ni2pd's\n%x", syn, want)
	}
}

// TestSynForAnotherDestination drops a SYN whose NACK field names
// someone else: it was captured and replayed.
func TestSynForAnotherDestination(t *testing.T) {
	a, b, l, _ := fakePair(t, nil)
	ln, _ := b.m.Listen(0)
	defer ln.Close()
	syn := i2pdSyn(t, a.keys, testKeys(t, 9).Destination().Hash(), 7, true, nil)
	b.m.HandlePacket(0, 80, syn)
	l.settle()
	if st := b.m.Stats(); st.PacketsDropped != 1 || st.Conns != 0 || l.sent.Load() != 0 {
		t.Fatalf("replayed SYN: stats %+v, %d packets sent", st, l.sent.Load())
	}
	// A bad signature is dropped as well.
	syn = i2pdSyn(t, a.keys, b.dest.Hash(), 7, true, []byte("x"))
	syn[len(syn)-1] ^= 1
	b.m.HandlePacket(0, 80, syn)
	if st := b.m.Stats(); st.PacketsDropped != 2 || st.Conns != 0 {
		t.Fatalf("forged SYN: stats %+v", st)
	}
}
