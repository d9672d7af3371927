package httpproxy

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// A browser that gives up while a site has not answered yet frees the I2P
// stream at once (httpserve cancels the request when the client closes its
// connection), not after the 3-minute header timeout.
func TestClientGoneBeforeAnswerClosesStream(t *testing.T) {
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		d.readRequest(br)
		io.Copy(io.Discard, c) // never answers; ends when the proxy closes
	})
	s := start(t, Config{Dialer: d})
	if s.headerTimeout < time.Minute {
		t.Fatalf("header timeout %v: the test needs the long default", s.headerTimeout)
	}
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET http://site.i2p/slow HTTP/1.1\r\nHost: site.i2p\r\n\r\n")
	select {
	case <-d.requests: // the site has the request and keeps quiet
	case <-time.After(5 * time.Second):
		t.Fatal("the request did not reach the site")
	}
	t0 := time.Now()
	conn.Close()
	for d.closes.Load() < 1 {
		if time.Since(t0) > 2*time.Second {
			t.Fatal("the stream is still open 2 s after the browser left")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
