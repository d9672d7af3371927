package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"testing"

	"i2pgate/gateway"
	"i2pgate/router/data"
	"i2pgate/router/destination"
	"i2pgate/router/naming"
	"i2pgate/router/store"
	"i2pgate/router/streaming"
)

func TestI2PDialer(t *testing.T) {
	book, err := naming.Open(naming.Config{Store: store.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := destination.GenerateKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := book.AddLocal("testsite.i2p", keys.Destination()); err != nil {
		t.Fatal(err)
	}
	b32 := data.B32Address(keys.Destination().Hash())
	var dialed string
	var next error
	d := &i2pDialer{book: book, dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed = addr
		return nil, next
	}}
	ctx := context.Background()
	cases := []struct {
		addr   string
		next   error
		want   error
		dialed string
	}{
		{"example.com:80", nil, gateway.ErrNotAllowed, ""},
		{"nosuch.i2p:80", nil, gateway.ErrUnknownName, ""},
		{"TestSite.I2P:80", fmt.Errorf("x: %w", destination.ErrNotFound), gateway.ErrNotFound, b32 + ":80"},
		{b32 + ":8080", fmt.Errorf("x: %w", destination.ErrNoTunnels), gateway.ErrNoTunnels, b32 + ":8080"},
		{b32 + ":1", fmt.Errorf("x: %w", streaming.ErrTimeout), gateway.ErrTimeout, b32 + ":1"},
		{b32 + ":2", fmt.Errorf("x: %w", streaming.ErrRefused), gateway.ErrRefused, b32 + ":2"},
	}
	for _, c := range cases {
		dialed, next = "", c.next
		_, err := d.DialContext(ctx, "tcp", c.addr)
		if !errors.Is(err, c.want) || dialed != c.dialed {
			t.Errorf("%s: err %v, dialed %q; want %v, %q", c.addr, err, dialed, c.want, c.dialed)
		}
	}

	// Under critical memory pressure nothing is dialed.
	critical := true
	d.critical = func() bool { return critical }
	dialed, next = "", nil
	if _, err := d.DialContext(ctx, "tcp", b32+":80"); !errors.Is(err, errMemoryCritical) || dialed != "" {
		t.Errorf("critical: err %v, dialed %q", err, dialed)
	}
	critical = false
	if _, err := d.DialContext(ctx, "tcp", b32+":80"); err != nil || dialed != b32+":80" {
		t.Errorf("after critical: err %v, dialed %q", err, dialed)
	}
}
