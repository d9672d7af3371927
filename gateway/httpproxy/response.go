package httpproxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Response copy buffers.
const (
	copyBufferSize   = 32 << 10
	maxPooledBuffers = 8
)

// respond copies a site's answer to the client: status, headers without the
// hop-by-hop ones and Alt-Svc (which would send the browser to another address
// around the proxy), and the body through a pooled buffer, flushed as it comes
// when the answer is a stream (no Content-Length, or text/event-stream). An
// answer that breaks off mid-body breaks off the client's connection too, so
// that the client does not take it for complete.
func (s *Server) respond(w http.ResponseWriter, resp *http.Response, x *exchange) {
	removeHopHeaders(resp.Header)
	resp.Header.Del("Alt-Svc")
	h := w.Header()
	for k, vv := range resp.Header {
		h[k] = vv
	}
	streaming := resp.ContentLength < 0 || isEventStream(h.Get("Content-Type"))
	flusher, _ := w.(http.Flusher)
	if flusher == nil {
		streaming = false
	}
	w.WriteHeader(resp.StatusCode)
	if streaming {
		flusher.Flush()
	}
	buf := s.bufs.Get()
	defer s.bufs.Put(buf)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return // the client went away; forward closes the stream
			}
			if streaming {
				flusher.Flush()
			}
		}
		if rerr == io.EOF {
			if flusher != nil {
				flusher.Flush() // the writer may still wait for the client's upload
			}
			return
		}
		if rerr != nil {
			s.log.Debug("answer broke off", "err", x.readErr(rerr))
			abort(w)
			return
		}
	}
}

// abort closes the client's connection without ending the response.
func abort(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
		}
	}
}

func isEventStream(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "text/event-stream")
}

// upgrade completes a protocol switch (a WebSocket through I2P): the site's
// 101 goes to the client, then bytes go both ways between the client's
// connection and the stream until either ends.
func (s *Server) upgrade(w http.ResponseWriter, rt route, req *http.Request, resp *http.Response, x *exchange) {
	want, got := upgradeType(req.Header), upgradeType(resp.Header)
	if want == "" || !strings.EqualFold(want, got) {
		s.proxyError(w, rt, fmt.Errorf("httpproxy: the site switched to protocol %q, not the one asked for", got))
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		s.proxyError(w, rt, fmt.Errorf("httpproxy: connection cannot be hijacked"))
		return
	}
	s.stats.forwarded.Add(1)
	<-x.wrote // the writer no longer reads from the client
	conn, brw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	h := resp.Header.Clone()
	removeHopHeaders(h)
	h.Set("Connection", "Upgrade")
	h.Set("Upgrade", got)
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\n")
	h.Write(brw)
	brw.WriteString("\r\n")
	if err := brw.Flush(); err != nil {
		return
	}
	early, _ := brw.Reader.Peek(brw.Reader.Buffered())
	relay(conn, io.MultiReader(bytes.NewReader(early), conn), x.stream, x.br)
}

// bufferPool is a bounded pool of copy buffers.
type bufferPool chan []byte

func newBufferPool() bufferPool { return make(bufferPool, maxPooledBuffers) }

func (p bufferPool) Get() []byte {
	select {
	case b := <-p:
		return b
	default:
		return make([]byte, copyBufferSize)
	}
}

func (p bufferPool) Put(b []byte) {
	if cap(b) != copyBufferSize {
		return
	}
	select {
	case p <- b[:copyBufferSize]:
	default:
	}
}
