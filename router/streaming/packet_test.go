package streaming

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"i2pgate/router/data"
)

// samplePackets returns packets of every shape we send, signed by keys.
func samplePackets(t testing.TB, keys *data.PrivateKeys, target data.Hash) []*Packet {
	syn := &Packet{
		ReceiveStreamID: 0x01020304, ResendDelay: 9,
		Flags: FlagSynchronize | FlagFromIncluded | FlagSignatureIncluded | FlagMaxPacketSizeIncluded | FlagNoAck,
		From:  keys.Destination(), MaxPacketSize: DefaultMTU, Payload: []byte("GET / HTTP/1.0\r\n\r\n"),
	}
	syn.SetTargetHash(target)
	return []*Packet{
		syn,
		{SendStreamID: 1, ReceiveStreamID: 2, Seq: 0, AckThrough: 9, NACKs: []uint32{3, 5, 7}},
		{SendStreamID: 1, ReceiveStreamID: 2, Seq: 5, AckThrough: 4, Payload: bytes.Repeat([]byte{0xaa}, DefaultMTU)},
		{SendStreamID: 1, ReceiveStreamID: 2, Seq: 6, AckThrough: 4, Flags: FlagClose | FlagSignatureIncluded},
		{SendStreamID: 1, ReceiveStreamID: 2, Seq: 7, Flags: FlagReset | FlagSignatureIncluded},
		{SendStreamID: 1, ReceiveStreamID: 2, Flags: FlagDelayRequested, Delay: ChokeDelay},
		{SendStreamID: 9, Flags: FlagEcho | FlagSignatureIncluded | FlagFromIncluded, From: keys.Destination()},
		{ReceiveStreamID: 9, Flags: FlagEcho, Payload: []byte("pong")},
	}
}

func TestPacketRoundTrip(t *testing.T) {
	keys := testKeys(t, 1)
	signer := testSigner(t, keys)
	for i, p := range samplePackets(t, keys, testKeys(t, 2).Destination().Hash()) {
		wire, err := p.Append(nil, signer)
		if err != nil {
			t.Fatalf("%d: append: %v", i, err)
		}
		q, err := Parse(wire)
		if err != nil {
			t.Fatalf("%d: parse: %v", i, err)
		}
		if q.SendStreamID != p.SendStreamID || q.ReceiveStreamID != p.ReceiveStreamID || q.Seq != p.Seq ||
			q.AckThrough != p.AckThrough || !reflect.DeepEqual(q.NACKs, p.NACKs) || q.Flags != p.Flags ||
			q.ResendDelay != p.ResendDelay || q.Delay != p.Delay || q.MaxPacketSize != p.MaxPacketSize ||
			!bytes.Equal(q.Payload, p.Payload) || !bytes.Equal(q.Signature, p.Signature) {
			t.Fatalf("%d: round trip differs:\n got %+v\nwant %+v", i, q, p)
		}
		if (q.From == nil) != (p.From == nil) || (q.From != nil && !q.From.Equal(&p.From.KeysAndCert)) {
			t.Fatalf("%d: FROM differs", i)
		}
		again, err := q.Append(nil, nil)
		if err != nil || !bytes.Equal(again, wire) {
			t.Fatalf("%d: re-serialized differently: %v", i, err)
		}
		if p.Flags&FlagSignatureIncluded == 0 {
			continue
		}
		if err := q.Verify(keys.Destination().SigningPublicKey()); err != nil {
			t.Fatalf("%d: verify: %v", i, err)
		}
		for _, off := range []int{0, len(wire) / 2, len(wire) - 1} {
			bad := bytes.Clone(wire)
			bad[off] ^= 0x40
			if q2, err := Parse(bad); err == nil && q2.Verify(keys.Destination().SigningPublicKey()) == nil {
				t.Fatalf("%d: tampered byte %d verifies", i, off)
			}
		}
		other := testKeys(t, 3).Destination().SigningPublicKey()
		if err := q.Verify(other); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("%d: verify with another key: %v", i, err)
		}
	}
}

func TestTargetHash(t *testing.T) {
	h := testKeys(t, 4).Destination().Hash()
	p := &Packet{Flags: FlagSynchronize}
	p.SetTargetHash(h)
	got, ok := p.TargetHash()
	if !ok || got != h {
		t.Fatalf("target hash %v %v", got, ok)
	}
	p.Flags = 0
	if _, ok := p.TargetHash(); ok {
		t.Fatal("non-SYN has a target hash")
	}
	p.Flags, p.NACKs = FlagSynchronize, p.NACKs[:7]
	if _, ok := p.TargetHash(); ok {
		t.Fatal("7 NACKs make a target hash")
	}
}

// TestOfflineSignature signs a SYN with a transient key under an offline
// signature and checks every way it can fail.
func TestOfflineSignature(t *testing.T) {
	keys := testKeys(t, 5)
	long := testSigner(t, keys)
	transient, err := data.NewEd25519Signer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	off, err := data.NewOfflineSignature(now.Add(time.Hour), transient.Public(), long)
	if err != nil {
		t.Fatal(err)
	}
	p := &Packet{
		ReceiveStreamID: 1,
		Flags:           FlagSynchronize | FlagFromIncluded | FlagSignatureIncluded | FlagOfflineSignature,
		From:            keys.Destination(),
		Offline:         OfflineFrom(off),
	}
	wire, err := p.Append(nil, transient)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(wire)
	if err != nil {
		t.Fatal(err)
	}
	key, err := q.VerifyFrom(keys.Destination(), now)
	if err != nil || !key.Equal(transient.Public()) {
		t.Fatalf("verify: %v", err)
	}
	if _, err := q.VerifyFrom(keys.Destination(), now.Add(2*time.Hour)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("expired offline signature: %v", err)
	}
	if _, err := q.VerifyFrom(testKeys(t, 6).Destination(), now); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("offline signature of another destination: %v", err)
	}
	// Without FROM the lengths are inferred from the transient key.
	p2 := &Packet{SendStreamID: 1, Flags: FlagClose | FlagSignatureIncluded | FlagOfflineSignature, Offline: OfflineFrom(off)}
	wire, err = p2.Append(nil, transient)
	if err != nil {
		t.Fatal(err)
	}
	q2, err := Parse(wire)
	if err != nil || !bytes.Equal(q2.Offline.Signature, off.Signature()) {
		t.Fatalf("offline without FROM: %v", err)
	}
	if err := q2.Verify(transient.Public()); err != nil {
		t.Fatal(err)
	}
}

func TestParseErrors(t *testing.T) {
	keys := testKeys(t, 1)
	syn, err := samplePackets(t, keys, data.Hash{})[0].Append(nil, testSigner(t, keys))
	if err != nil {
		t.Fatal(err)
	}
	optOff := HeaderSize + 4*SynNACKs
	mod := func(f func([]byte) []byte) []byte { return f(bytes.Clone(syn)) }
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"header", syn[:HeaderSize-1], ErrTruncated},
		{"nacks", syn[:HeaderSize+4*SynNACKs-1], ErrTruncated},
		{"options", syn[:optOff+100], ErrTruncated},
		{"option size", mod(func(b []byte) []byte { b[optOff-2] = 0xff; return b }), ErrTruncated},
		{"extra option bytes", func() []byte {
			b, _ := (&Packet{Flags: FlagDelayRequested, Delay: 5}).Append(nil, nil)
			b[HeaderSize-1] = 4 // option size 4, DELAY uses 2
			return append(b, 0, 0)
		}(), ErrInvalid},
		{"bad from", mod(func(b []byte) []byte { b[optOff+384] = 9; return b }), ErrInvalid},
		{"max size cut", append(bytes.Clone(syn[:HeaderSize-2]), 0, 2, 0, 1), ErrTruncated},
	} {
		if _, err := Parse(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := (&Packet{Flags: FlagFromIncluded}).Append(nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("FROM flag without FROM: %v", err)
	}
	if _, err := (&Packet{NACKs: make([]uint32, 256)}).Append(nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("256 NACKs: %v", err)
	}
}
