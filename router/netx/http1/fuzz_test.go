package http1

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// FuzzResponse feeds arbitrary bytes as the server's answer: Do and reading
// the body must neither panic nor hang.
func FuzzResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\nclose-delimited",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 302 Found\r\nLocation: /next\r\n\r\n",
		"HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
		"garbage",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		c := &Client{
			Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
				client, server := net.Pipe()
				go func() {
					defer server.Close()
					server.SetDeadline(time.Now().Add(5 * time.Second))
					go io.Copy(io.Discard, server) // the request
					server.Write(answer)
				}()
				return client, nil
			},
			MaxRedirects:   2,
			MaxHeaderBytes: 4 << 10,
			HeaderTimeout:  5 * time.Second,
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://fuzz.example/", nil)
		resp, err := c.Do(req)
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)); err == nil && ctx.Err() != nil {
			t.Fatal("read past the context")
		}
		resp.Body.Close()
	})
}
