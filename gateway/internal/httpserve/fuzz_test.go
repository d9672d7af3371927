package httpserve

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"testing"
	"time"
)

// FuzzServeConn feeds arbitrary bytes as a client to a server with a trivial
// handler over net.Pipe: the server must not panic and must end the
// connection once the client is gone.
func FuzzServeConn(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
		"HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n",
		"CONNECT a:1 HTTP/1.1\r\n\r\nraw bytes",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nX: " + string(bytes.Repeat([]byte("a"), 2000)) + "\r\n\r\n",
		"\x00\xff\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &Server{
			ReadHeaderTimeout: time.Second, IdleTimeout: time.Second, WriteTimeout: time.Second,
			MaxHeaderBytes: 1024,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/big":
					w.Write(bytes.Repeat([]byte("b"), 9000))
				case "/panic":
					panic("fuzz")
				default:
					if r.Method == http.MethodConnect {
						if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
							conn.Close()
						}
						return
					}
					io.Copy(w, io.LimitReader(r.Body, 1<<16))
				}
			}),
		}
		srv, cli := net.Pipe()
		c := s.newConn(srv)
		done := make(chan struct{})
		go func() {
			defer close(done)
			c.serve(context.Background())
		}()
		read := make(chan struct{})
		go func() {
			defer close(read)
			io.Copy(io.Discard, cli)
		}()
		cli.SetWriteDeadline(time.Now().Add(2 * time.Second))
		cli.Write(data)
		cli.Close()
		<-read
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("connection not ended")
		}
	})
}

// TestOutBufChunks writes bodies in odd pieces with flushes between and
// reads them back with a chunked reader.
func TestOutBufChunks(t *testing.T) {
	want := make([]byte, 50000)
	for i := range want {
		want[i] = byte(i * 7)
	}
	for _, step := range []int{1, 7, 100, 4087, 4088, 4089, 4096, 9000} {
		var sink bytes.Buffer
		o := newOutBuf(&sink)
		o.buf = append(o.buf, "pre"...) // body held before the header
		if err := o.putHeader([]byte("HEAD\r\n\r\n"), true); err != nil {
			t.Fatal(err)
		}
		for i, p := 0, want[3:]; len(p) > 0; i++ {
			n := min(step, len(p))
			o.Write(p[:n])
			p = p[n:]
			if i%5 == 4 {
				o.Flush()
			}
		}
		if err := o.endChunked(); err != nil {
			t.Fatal(err)
		}
		o.Flush()
		out := sink.Bytes()
		if !bytes.HasPrefix(out, []byte("HEAD\r\n\r\n")) {
			t.Fatalf("step %d: starts %q", step, out[:20])
		}
		got, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(out[8:])))
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if !bytes.Equal(got[:3], []byte("pre")) || !bytes.Equal(got[3:], want[3:]) {
			t.Errorf("step %d: body differs (%d bytes)", step, len(got))
		}
	}
}
