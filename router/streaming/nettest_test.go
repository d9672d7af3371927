package streaming

import (
	"context"
	"net"
	"testing"

	"golang.org/x/net/nettest"

	"i2pgate/router/clock"
)

// TestNetConn runs the net.Conn conformance suite of x/net/nettest:
// deadlines, concurrent Read/Write/Close, past deadlines, and so on.
func TestNetConn(t *testing.T) {
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		l := newLink(clock.System(), 3)
		a, b := l.add(t, 1, nil), l.add(t, 2, nil)
		ln, err := b.m.Listen(1)
		if err != nil {
			return nil, nil, nil, err
		}
		accepted := make(chan net.Conn, 1)
		go func() {
			c, _ := ln.Accept()
			accepted <- c
		}()
		client, err := a.m.Dial(context.Background(), b.dest, 1)
		if err != nil {
			return nil, nil, nil, err
		}
		server := <-accepted
		stop = func() {
			client.Close()
			server.Close()
			ln.Close()
			a.m.Close()
			b.m.Close()
			l.close()
		}
		return client, server, stop, nil
	})
}
