package streaming

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
)

// offlineConfig makes a node sign with a transient key under an offline
// signature that expires at expires.
func offlineConfig(t *testing.T, seed byte, expires time.Time) func(*Config) {
	return func(c *Config) {
		keys := testKeys(t, seed)
		transient, err := data.NewEd25519Signer(bytes.Repeat([]byte{seed}, 32))
		if err != nil {
			t.Fatal(err)
		}
		off, err := data.NewOfflineSignature(expires, transient.Public(), testSigner(t, keys))
		if err != nil {
			t.Fatal(err)
		}
		c.Signer, c.Offline = transient, off
	}
}

func TestOfflineKeys(t *testing.T) {
	l := newLink(clock.System(), 5)
	defer l.close()
	a := l.add(t, 1, offlineConfig(t, 1, time.Now().Add(time.Hour)))
	b := l.add(t, 2, offlineConfig(t, 2, time.Now().Add(time.Hour)))
	client, server := connect(t, a, b, 80)
	go func() {
		client.Write([]byte("offline"))
		client.Close() // a CLOSE signed by the transient key
	}()
	got, err := readAll(server)
	if err != nil || string(got) != "offline" {
		t.Fatalf("read %q, %v", got, err)
	}
	server.Close()
	eventually(t, "both closes", func() bool { return a.m.Stats().Conns == 0 && b.m.Stats().Conns == 0 })

	// An expired offline signature is refused.
	c := l.add(t, 3, offlineConfig(t, 3, time.Now().Add(-time.Minute)))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	ln, _ := b.m.Listen(81)
	defer ln.Close()
	dropped := b.m.Stats().PacketsDropped
	if _, err := c.m.Dial(ctx, b.dest, 81); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("dial with expired keys: %v", err)
	}
	if b.m.Stats().PacketsDropped == dropped {
		t.Fatal("the expired SYN was not dropped")
	}
}

func TestConfig(t *testing.T) {
	keys := testKeys(t, 1)
	good := Config{Local: keys.Destination(), Signer: testSigner(t, keys), Sender: &endpoint{}}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Sender = nil
	if _, err := New(bad); err == nil {
		t.Error("no Sender accepted")
	}
	bad = good
	bad.Signer = testSigner(t, testKeys(t, 2))
	if _, err := New(bad); !errors.Is(err, data.ErrKeyMismatch) {
		t.Errorf("foreign signer: %v", err)
	}
	m, _ := New(Config{Local: good.Local, Signer: good.Signer, Sender: good.Sender, MTU: 1, MaxWindow: 1000})
	if m.s.MTU != MinMTU || m.s.MaxWindow != MaxOutOfOrder || m.s.MaxConns != DefaultMaxConns {
		t.Errorf("settings %+v", m.s.Config)
	}
	m.Close()
}
