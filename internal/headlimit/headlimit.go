// Package headlimit bounds the header of an HTTP message read with net/http's
// ReadRequest or ReadResponse, which have no bound of their own. The LAN
// server (gateway/internal/httpserve), the HTTP proxy's reading of sites'
// answers and the router's HTTP client share it; what to answer or return
// when the bound is hit is theirs.
package headlimit

import "io"

// Reader reads from R. While limited (Limit), it passes at most the given
// number of bytes and then ends with io.EOF, recording that the bound was
// hit; Lift removes the bound for the body that follows. The zero limit
// state is lifted. A Reader is not safe for concurrent use.
type Reader struct {
	R       io.Reader
	n       int64
	limited bool
	hit     bool
}

// New returns a Reader over r limited to n bytes.
func New(r io.Reader, n int) *Reader {
	l := &Reader{R: r}
	l.Limit(n)
	return l
}

// Limit bounds what is read from now on to n bytes (one header) and clears
// Hit.
func (l *Reader) Limit(n int) { l.n, l.limited, l.hit = int64(n), true, false }

// Lift removes the bound.
func (l *Reader) Lift() { l.limited = false }

// Hit reports whether a read was refused at the bound since the last Limit.
func (l *Reader) Hit() bool { return l.hit }

func (l *Reader) Read(p []byte) (int, error) {
	if !l.limited {
		return l.R.Read(p)
	}
	if l.n <= 0 {
		l.hit = true
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.R.Read(p)
	l.n -= int64(n)
	return n, err
}
