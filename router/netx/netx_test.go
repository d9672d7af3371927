package netx_test

import (
	"context"
	"io"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/netx"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOSTCP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := netx.Or(nil)
	ln, err := n.Listen(ctx, "tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		_, err = io.Copy(c, c)
		done <- err
	}()
	c, err := n.Dial(ctx, "tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo %q %v", buf, err)
	}
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestOSUDP(t *testing.T) {
	ctx := context.Background()
	n := netx.OS()
	a, err := n.ListenPacket(ctx, "udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := n.ListenPacket(ctx, "udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.WriteTo([]byte("hello"), b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	b.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	nr, from, err := b.ReadFrom(buf)
	if err != nil || string(buf[:nr]) != "hello" || from.String() != a.LocalAddr().String() {
		t.Fatalf("got %q from %v: %v", buf[:nr], from, err)
	}
}

func TestOr(t *testing.T) {
	o := netx.OS()
	if netx.Or(o) != o {
		t.Fatal("Or(n) != n")
	}
}
