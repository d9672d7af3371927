package httpserve

import (
	"io"
	"strconv"
)

// chunkSlot is the room kept before a chunk's data for its size line: up to
// four hex digits and CRLF, enough for any chunk the buffer can hold.
const chunkSlot = 6

// outBuf is a connection's write buffer: a response's header and body are
// gathered in it and written to the connection in as few writes as
// possible. In chunked mode the body is framed as one chunk per buffer
// flush. The first write error sticks.
type outBuf struct {
	w   io.Writer
	buf []byte // pending bytes are buf[off:]; cap is writeBufferSize
	off int
	// chunk is where the open chunk's size slot starts in buf; -1: none.
	chunk   int
	chunked bool
	err     error
}

func newOutBuf(w io.Writer) outBuf {
	return outBuf{w: w, buf: make([]byte, 0, writeBufferSize), chunk: -1}
}

// reset drops everything pending and leaves chunked mode.
func (o *outBuf) reset() {
	o.buf, o.off, o.chunk, o.chunked = o.buf[:0], 0, -1, false
}

// pending is the number of bytes not yet written to the connection.
func (o *outBuf) pending() int { return len(o.buf) - o.off }

// direct writes p to the connection, bypassing the buffer.
func (o *outBuf) direct(p []byte) error {
	if o.err != nil {
		return o.err
	}
	if _, err := o.w.Write(p); err != nil {
		o.err = err
	}
	return o.err
}

// putHeader puts the header h before the body bytes pending, which are
// all there is in the buffer, and enters chunked mode when asked (the
// pending body becomes the first chunk). The pending body must leave
// chunkSlot+2 bytes of the buffer free.
func (o *outBuf) putHeader(h []byte, chunked bool) error {
	body := o.pending()
	slot := 0
	if chunked && body > 0 {
		slot = chunkSlot
	}
	trail := 0
	if slot > 0 {
		trail = 2
	}
	head := 0 // bytes of h that go in the buffer
	if len(h)+slot+body+trail <= cap(o.buf) {
		head = len(h)
	} else if err := o.direct(h); err != nil {
		return err
	}
	o.buf = o.buf[:o.off+head+slot+body]
	copy(o.buf[o.off+head+slot:], o.buf[o.off:o.off+body])
	copy(o.buf[o.off:], h[:head])
	o.chunked = chunked
	if slot > 0 {
		o.chunk = o.off + head
	}
	return nil
}

// Write appends body bytes, framed in chunked mode.
func (o *outBuf) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	if !o.chunked {
		return o.writePlain(p)
	}
	n := 0
	for len(p) > 0 {
		if o.chunk < 0 {
			if cap(o.buf)-len(o.buf) < chunkSlot+2+1 {
				if err := o.Flush(); err != nil {
					return n, err
				}
			}
			o.chunk = len(o.buf)
			o.buf = o.buf[:len(o.buf)+chunkSlot]
		}
		room := cap(o.buf) - len(o.buf) - 2
		k := copy(o.buf[len(o.buf):len(o.buf)+room], p)
		o.buf = o.buf[:len(o.buf)+k]
		p = p[k:]
		n += k
		if len(p) > 0 {
			if err := o.Flush(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (o *outBuf) writePlain(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if o.pending() == 0 && len(p) >= cap(o.buf) {
			if err := o.direct(p); err != nil {
				return n, err
			}
			return n + len(p), nil
		}
		k := copy(o.buf[len(o.buf):cap(o.buf)], p)
		o.buf = o.buf[:len(o.buf)+k]
		p = p[k:]
		n += k
		if len(p) > 0 {
			if err := o.Flush(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// closeChunk fills in the open chunk's size line, moving the bytes before
// it up to close the unused part of the slot, and ends the chunk's data.
func (o *outBuf) closeChunk() {
	if o.chunk < 0 {
		return
	}
	n := len(o.buf) - o.chunk - chunkSlot
	if n == 0 {
		o.buf = o.buf[:o.chunk]
		o.chunk = -1
		return
	}
	var line [chunkSlot]byte
	l := strconv.AppendUint(line[:0], uint64(n), 16)
	l = append(l, '\r', '\n')
	d := chunkSlot - len(l)
	copy(o.buf[o.off+d:], o.buf[o.off:o.chunk])
	o.off += d
	copy(o.buf[o.chunk+d:], l)
	o.buf = append(o.buf, '\r', '\n')
	o.chunk = -1
}

// endChunked closes the open chunk and adds the last, empty one.
func (o *outBuf) endChunked() error {
	o.closeChunk()
	o.chunked = false
	if cap(o.buf)-len(o.buf) < 5 {
		if err := o.Flush(); err != nil {
			return err
		}
	}
	o.buf = append(o.buf, "0\r\n\r\n"...)
	return nil
}

// Flush closes the open chunk and writes everything pending.
func (o *outBuf) Flush() error {
	o.closeChunk()
	if o.err != nil {
		return o.err
	}
	if o.pending() > 0 {
		if _, err := o.w.Write(o.buf[o.off:]); err != nil {
			o.err = err
		}
	}
	o.buf, o.off = o.buf[:0], 0
	return o.err
}
