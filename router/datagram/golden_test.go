package datagram

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2cp"
)

// The golden datagrams of testdata are built by testdata/make_golden.py,
// independently of this package, the way i2pd 2.45.1 and Java I2P build
// them, from the keys file of an i2pd 2.45.1 eepsite.

var (
	goldenPayload = append([]byte("i2pgate golden datagram\n"), byteRange()...)
	goldenTarget  = data.Hash(sha256.Sum256([]byte("i2pgate datagram target")))
)

const goldenSrcPort, goldenDstPort = 1234, 5678

func byteRange() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func readHex(t *testing.T, name string) []byte {
	t.Helper()
	s, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(string(s)), ""))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

func eepsiteKeys(t *testing.T) *data.PrivateKeys {
	t.Helper()
	b, err := os.ReadFile("testdata/i2pd-eepsite.dat")
	if err != nil {
		t.Fatal(err)
	}
	k, err := data.ParsePrivateKeys(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestGoldenDatagram1(t *testing.T) {
	keys := eepsiteKeys(t)
	golden := readHex(t, "datagram1-ed25519.hex")
	from, payload, err := ParseRepliable(golden)
	if err != nil {
		t.Fatal(err)
	}
	if from.Hash() != keys.Destination().Hash() || !bytes.Equal(payload, goldenPayload) {
		t.Fatal("golden datagram parsed to another sender or payload")
	}
	built, err := BuildRepliable(testSigner(t, keys), keys.Destination(), goldenPayload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, golden) {
		t.Fatalf("BuildRepliable differs from i2pd's layout:\n got %x\nwant %x", built, golden)
	}
}

// TestGoldenDatagram1I2CP follows the whole way of an i2pd datagram: the
// I2CP payload i2pd frames, decoded by router/i2cp as the router does,
// handed to HandlePayload, read from the Conn.
func TestGoldenDatagram1I2CP(t *testing.T) {
	keys := eepsiteKeys(t)
	framed := readHex(t, "datagram1-ed25519.i2cp.hex")
	p, err := i2cp.DecodePayload(framed)
	if err != nil {
		t.Fatal(err)
	}
	if p.Proto != ProtoDatagram || p.SrcPort != goldenSrcPort || p.DstPort != goldenDstPort {
		t.Fatalf("payload header: proto %d ports %d -> %d", p.Proto, p.SrcPort, p.DstPort)
	}
	if !bytes.Equal(p.Data, readHex(t, "datagram1-ed25519.hex")) {
		t.Fatal("framed data differs from the datagram")
	}
	ours, err := i2cp.EncodePayload(ProtoDatagram, goldenSrcPort, goldenDstPort, p.Data, false)
	if err != nil || !bytes.Equal(ours, framed) {
		t.Fatalf("i2cp.EncodePayload differs from i2pd's GzipNoCompression: %v", err)
	}

	local := testKeys(t, 1)
	m, err := New(Config{Local: local.Destination(), Signer: testSigner(t, local), Sender: newNetwork()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := listen(t, m, ListenConfig{Port: goldenDstPort})
	m.HandlePayload(p.Proto, p.SrcPort, p.DstPort, p.Data)
	buf := make([]byte, 1024)
	n, addr, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf[:n], goldenPayload) {
		t.Fatal("payload differs")
	}
	want := data.B32Address(keys.Destination().Hash()) + ":1234"
	if addr.String() != want || !addr.(Addr).Authenticated() {
		t.Fatalf("from %v, want %s, authenticated", addr, want)
	}
	if want != "lgelqe5fzdix3zmkwovhmd55jo5v53enecqjbj4k6z2aurd5tzsq.b32.i2p:1234" {
		t.Fatalf("eepsite b32 %s differs from what i2pd's console showed", want)
	}
}

func TestGoldenDatagram1DSA(t *testing.T) {
	golden := readHex(t, "datagram1-dsa.hex")
	from, payload, err := ParseRepliable(golden)
	if err != nil {
		t.Fatal(err)
	}
	if from.SigType() != data.SigDSASHA1 || from.Certificate().Type != data.CertNull {
		t.Fatalf("sender %v, certificate %d", from.SigType(), from.Certificate().Type)
	}
	if !bytes.Equal(payload, goldenPayload) {
		t.Fatal("payload differs")
	}
	golden[len(golden)-1] ^= 1
	if _, _, err := ParseRepliable(golden); !errors.Is(err, data.ErrBadSignature) {
		t.Fatalf("tampered DSA datagram: %v", err)
	}
}

func goldenOptions(t *testing.T) data.Mapping {
	t.Helper()
	var m data.Mapping
	if err := m.Set("a", "b"); err != nil {
		t.Fatal(err)
	}
	if err := m.Set("foooooooooooo", "bar"); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestGoldenDatagram2(t *testing.T) {
	keys := eepsiteKeys(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	golden := readHex(t, "datagram2-ed25519.hex")
	d, err := ParseDatagram2(golden, goldenTarget, now)
	if err != nil {
		t.Fatal(err)
	}
	if d.From.Hash() != keys.Destination().Hash() || !bytes.Equal(d.Payload, goldenPayload) ||
		!d.Options.Equal(goldenOptions(t)) || d.Offline != nil {
		t.Fatalf("parsed %+v", d)
	}
	built, err := BuildDatagram2(testSigner(t, keys), goldenTarget,
		&Datagram2{From: keys.Destination(), Options: goldenOptions(t), Payload: goldenPayload})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, golden) {
		t.Fatalf("BuildDatagram2 differs from Java's layout:\n got %x\nwant %x", built, golden)
	}
	if _, err := ParseDatagram2(golden, keys.Destination().Hash(), now); !errors.Is(err, data.ErrBadSignature) {
		t.Fatalf("verified with the sender's hash as prelude: %v", err)
	}
}

func TestGoldenDatagram2Offline(t *testing.T) {
	keys := eepsiteKeys(t)
	golden := readHex(t, "datagram2-offline.hex")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d, err := ParseDatagram2(golden, goldenTarget, now)
	if err != nil {
		t.Fatal(err)
	}
	seed := sha256.Sum256([]byte("i2pgate transient"))
	transient, err := data.NewEd25519Signer(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	if d.Offline == nil || d.Offline.Expires != 0x7fffffff || !d.Offline.Transient.Equal(transient.Public()) {
		t.Fatalf("offline section %+v", d.Offline)
	}
	// The same offline section from a keys file built by router/data.
	off, err := data.NewOfflineSignature(time.Unix(0x7fffffff, 0), transient.Public(), testSigner(t, keys))
	if err != nil {
		t.Fatal(err)
	}
	built, err := BuildDatagram2(transient, goldenTarget, &Datagram2{
		From: keys.Destination(), Options: goldenOptions(t), Offline: OfflineFrom(off), Payload: goldenPayload})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, golden) {
		t.Fatalf("BuildDatagram2 offline differs:\n got %x\nwant %x", built, golden)
	}
	if _, err := ParseDatagram2(golden, goldenTarget, time.Unix(0x7fffffff+1, 0)); !errors.Is(err, ErrExpired) {
		t.Fatalf("after expiry: %v", err)
	}
}

func TestGoldenDatagram3(t *testing.T) {
	keys := eepsiteKeys(t)
	golden := readHex(t, "datagram3.hex")
	d, err := ParseDatagram3(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d.From != keys.Destination().Hash() || !bytes.Equal(d.Payload, goldenPayload) || !d.Options.Equal(goldenOptions(t)) {
		t.Fatalf("parsed %+v", d)
	}
	built, err := BuildDatagram3(&Datagram3{From: d.From, Options: goldenOptions(t), Payload: goldenPayload})
	if err != nil || !bytes.Equal(built, golden) {
		t.Fatalf("BuildDatagram3 differs: %v", err)
	}
}
