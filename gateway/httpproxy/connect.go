package httpproxy

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"

	"i2pgate/gateway"
)

// relayBufferSize is the copy buffer of each direction of a CONNECT tunnel.
const relayBufferSize = 8 << 10

// handleConnect opens a CONNECT tunnel: to an I2P destination directly, or to a
// clearnet host:port by passing the CONNECT on to the outproxy (whose answer the
// client then reads). Clearnet without an outproxy is refused without a dial.
func (s *Server) handleConnect(w http.ResponseWriter, r *http.Request, rt route, client netip.Addr) {
	clearnet := rt.kind == routeConnectClearnet
	addr := rt.hostport
	if clearnet {
		if s.outproxy == nil {
			s.fail(w, rt.hostport, gateway.ErrNotAllowed)
			return
		}
		addr = s.outproxy.Host
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		s.fail(w, rt.hostport, fmt.Errorf("httpproxy: connection cannot be hijacked"))
		return
	}
	stream, err := s.dial(r.Context(), s.dialerFor(client), addr)
	if err != nil {
		s.log.Debug("CONNECT failed", "target", s.redact(rt.hostport), "kind", gateway.Classify(err))
		s.fail(w, rt.hostport, err)
		return
	}
	defer stream.Close()
	if clearnet {
		if _, err := fmt.Fprintf(stream, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", rt.hostport, rt.hostport); err != nil {
			s.fail(w, rt.hostport, err)
			return
		}
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if !clearnet {
		brw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
		if err := brw.Flush(); err != nil {
			return
		}
	}
	// Bytes the client sent after the request are in brw's buffer; the copy
	// sends them first (writing them here could block on a stream that is
	// itself writing).
	early, _ := brw.Reader.Peek(brw.Reader.Buffered())
	s.stats.connects.Add(1)
	up, down := relay(conn, io.MultiReader(bytes.NewReader(early), conn), stream, stream)
	s.stats.bytesUp.Add(up)
	s.stats.bytesDown.Add(down)
}

// relay copies both ways until both directions end. The end of one direction
// half-closes the other side (or closes it when it cannot half-close); an
// error in either closes both. It returns the bytes copied each way.
// fromClient is what the client sends (client, perhaps after bytes already
// read), fromStream what the site sends (stream, perhaps after bytes already
// read).
func relay(client net.Conn, fromClient io.Reader, stream net.Conn, fromStream io.Reader) (up, down int64) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var err error
		up, err = io.CopyBuffer(stream, onlyReader{fromClient}, make([]byte, relayBufferSize))
		finish(stream, client, err)
	}()
	down, err := io.CopyBuffer(client, onlyReader{fromStream}, make([]byte, relayBufferSize))
	finish(client, stream, err)
	<-done
	return up, down
}

func finish(dst, src net.Conn, err error) {
	if err != nil {
		dst.Close()
		src.Close()
		return
	}
	if cw, ok := dst.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		return
	}
	dst.Close()
}

// onlyReader hides WriterTo so that io.CopyBuffer uses the bounded buffer.
type onlyReader struct{ io.Reader }
