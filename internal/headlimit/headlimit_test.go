package headlimit

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestLimitLiftHit(t *testing.T) {
	l := New(strings.NewReader("0123456789"), 4)
	b, err := io.ReadAll(l)
	if string(b) != "0123" || err != nil || !l.Hit() {
		t.Fatalf("limited: %q %v hit %v", b, err, l.Hit())
	}
	l.Lift()
	b, _ = io.ReadAll(l)
	if string(b) != "456789" {
		t.Fatalf("lifted: %q", b)
	}
	l.Limit(3)
	if l.Hit() {
		t.Fatal("Limit did not clear Hit")
	}
	var zero Reader
	zero.R = strings.NewReader("abc")
	if b, _ := io.ReadAll(&zero); string(b) != "abc" {
		t.Fatalf("zero Reader: %q", b)
	}
}

func TestBoundsReadResponse(t *testing.T) {
	msg := "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", 200) + "\r\nContent-Length: 5\r\n\r\nhello"
	small := New(strings.NewReader(msg), 64)
	if _, err := http.ReadResponse(bufio.NewReaderSize(small, 16), nil); err == nil || !small.Hit() {
		t.Fatalf("64-byte bound: err %v hit %v", err, small.Hit())
	}
	big := New(strings.NewReader(msg), 1024)
	resp, err := http.ReadResponse(bufio.NewReaderSize(big, 16), nil)
	if err != nil || big.Hit() {
		t.Fatalf("1 KiB bound: err %v hit %v", err, big.Hit())
	}
	big.Lift()
	if b, _ := io.ReadAll(resp.Body); string(b) != "hello" {
		t.Fatalf("body %q", b)
	}
}
