package httpserve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// watchState is whether the request's background read was started and its
// done channel (nil: it never ran).
func watchState(w http.ResponseWriter) (started bool, done chan struct{}) {
	wt := w.(*response).watch
	wt.mu.Lock()
	defer wt.mu.Unlock()
	return wt.started, wt.done
}

// waitCanceled reports how long ctx took to end after t0, failing after
// limit.
func waitCanceled(t *testing.T, ctx context.Context, t0 time.Time, limit time.Duration) {
	t.Helper()
	select {
	case <-ctx.Done():
		if d := time.Since(t0); d > limit {
			t.Errorf("canceled after %v, want within %v", d, limit)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("context not canceled")
	}
}

// A client that closes its connection while the handler runs cancels the
// request's context: without a body, and after the handler read the body.
func TestClientGoneCancels(t *testing.T) {
	type entry struct {
		ctx  context.Context
		body string
	}
	entered := make(chan entry, 1)
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		entered <- entry{r.Context(), string(b)}
		<-r.Context().Done()
	})}
	_, base := start(t, s)
	for _, req := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n",
	} {
		conn := dial(t, base)
		io.WriteString(conn, req)
		e := <-entered
		if e.ctx.Err() != nil {
			t.Fatalf("%.20q: canceled before the client left", req)
		}
		t0 := time.Now()
		conn.Close()
		waitCanceled(t, e.ctx, t0, time.Second)
		if !strings.HasPrefix(req, "GET") && e.body != "hello" {
			t.Errorf("%.20q: body %q", req, e.body)
		}
	}
}

// Pipelined requests are served in order and do not cancel the request
// before them, whether they were buffered with it or arrived while its
// handler ran (the background read keeps the byte it read).
func TestPipeliningWithWatch(t *testing.T) {
	release := make(chan struct{})
	canceled := make(chan error, 4)
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-time.After(200 * time.Millisecond):
			}
			canceled <- r.Context().Err()
		}
		fmt.Fprintf(w, "%s %s", r.URL.Path, b)
	})}
	_, base := start(t, s)

	// Written at once, the first handler slow.
	conn := dial(t, base)
	io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"+
		"POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
	br := bufio.NewReader(conn)
	for _, want := range []string{"/slow ", "/two abc"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); body != want {
			t.Errorf("got %q want %q", body, want)
		}
	}
	if err := <-canceled; err != nil {
		t.Errorf("first request canceled: %v", err)
	}

	// The second request arrives while the first handler runs.
	entered := make(chan chan struct{}, 1)
	s2 := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/slow" {
			_, done := watchState(w)
			entered <- done
			<-release
			canceled <- r.Context().Err()
		}
		fmt.Fprintf(w, "%s %s", r.URL.Path, b)
	})}
	_, base2 := start(t, s2)
	conn = dial(t, base2)
	io.WriteString(conn, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
	done := <-entered
	if done == nil {
		t.Fatal("no background read after the body was read")
	}
	io.WriteString(conn, "GET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case <-done: // the background read saw the next request begin
	case <-time.After(5 * time.Second):
		t.Fatal("background read did not end on the pipelined request")
	}
	release <- struct{}{}
	br = bufio.NewReader(conn)
	for _, want := range []string{"/slow hi", "/two ", "/three "} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); body != want {
			t.Errorf("got %q want %q", body, want)
		}
	}
	if err := <-canceled; err != nil {
		t.Errorf("first request canceled: %v", err)
	}
}

// A handler that hijacks after the background read took the client's next
// bytes finds them in the bufio.ReadWriter; so does one that hijacks while
// the read still waits.
func TestHijackAfterWatch(t *testing.T) {
	type entry struct {
		done    chan struct{}
		proceed chan struct{}
	}
	entered := make(chan entry, 1)
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, done := watchState(w)
		e := entry{done, make(chan struct{})}
		entered <- e
		<-e.proceed
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		if err := r.Context().Err(); err != nil {
			t.Errorf("context after hijack: %v", err)
		}
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\n\r\n")
		brw.Flush()
		for {
			line, err := brw.ReadString('\n')
			if err != nil {
				return
			}
			brw.WriteString("echo " + line)
			brw.Flush()
		}
	})}
	_, base := start(t, s)
	for _, early := range []bool{true, false} {
		conn := dial(t, base)
		io.WriteString(conn, "GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n")
		e := <-entered
		if e.done == nil {
			t.Fatal("no background read for a request without a body")
		}
		if early {
			io.WriteString(conn, "early bytes\n")
			select {
			case <-e.done: // read into the server's reader
			case <-time.After(5 * time.Second):
				t.Fatal("background read did not end")
			}
		} else {
			time.Sleep(20 * time.Millisecond) // the read is (very likely) waiting
		}
		close(e.proceed)
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 101 {
			t.Fatalf("%v %v", resp, err)
		}
		if !early {
			io.WriteString(conn, "early bytes\n")
		}
		if line, _ := br.ReadString('\n'); line != "echo early bytes\n" {
			t.Errorf("early=%v: %q", early, line)
		}
		io.WriteString(conn, "later\n")
		if line, _ := br.ReadString('\n'); line != "echo later\n" {
			t.Errorf("early=%v later: %q", early, line)
		}
		conn.Close()
	}
}

// A handler that leaves the request body unread is not watched: the client
// going away does not cancel its context (documented behaviour: the reader
// is the body's until it ends).
func TestUnreadBodyNotWatched(t *testing.T) {
	result := make(chan string, 1)
	closed := make(chan struct{})
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-closed
		time.Sleep(200 * time.Millisecond)
		started, done := watchState(w)
		result <- fmt.Sprint(started, done == nil, r.Context().Err())
	})}
	_, base := start(t, s)
	conn := dial(t, base)
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
	conn.Close()
	close(closed)
	if got := <-result; got != "false true <nil>" {
		t.Errorf("started, never ran, context error: %s", got)
	}
}

// A read deadline that expires during the background read (ReadTimeout) is
// not the client going away.
func TestReadTimeoutDoesNotCancel(t *testing.T) {
	s := &Server{ReadTimeout: 50 * time.Millisecond, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
		fmt.Fprint(w, r.Context().Err())
	})}
	_, base := start(t, s)
	conn := dial(t, base)
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "<nil>" {
		t.Errorf("context: %s", body)
	}
}
