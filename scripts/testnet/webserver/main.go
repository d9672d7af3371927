// Command webserver is the eepsite backend of the i2pd testnet
// (scripts/testnet). It serves a directory (index.html, hosts.txt, ...) and
// generated bodies of any requested size with deterministic content, so that
// tests can fetch 1 KB, 1 MB or 20 MB through I2P and compare SHA-256 sums.
//
// Routes:
//
//	/size/N    N bytes of Body(N) (application/octet-stream)
//	/sha256/N  hex SHA-256 of Body(N), then a newline
//	/...       files from -root (http.FileServer)
//
// Body content: block i (i = 0, 1, ...) is SHA-256("i2pgate-testnet" ||
// uint64be(i)); the body of size N is the first N bytes of the concatenated
// blocks. It is incompressible and any test can recompute it.
//
// It leaves TLS, authentication and everything I2P to others: i2pd's HTTP
// server tunnel fronts it inside the testnet's network namespace.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// maxBodySize bounds /size/N and /sha256/N (1 GiB); int64 keeps it exact on
// 32-bit targets.
const maxBodySize int64 = 1 << 30

// blockSize is the size of one generated block (one SHA-256 output).
const blockSize = sha256.Size

// bodySeed prefixes the counter of every generated block.
const bodySeed = "i2pgate-testnet"

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	root := flag.String("root", ".", "directory to serve")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *root, log); err != nil {
		log.Error("webserver stopped", "err", err)
		os.Exit(1)
	}
}

func run(addr, root string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("webserver: %w", err)
	}
	srv := &http.Server{
		Handler:           newHandler(root, log),
		ReadHeaderTimeout: 30 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("webserver listening", "addr", ln.Addr().String(), "root", root)
	select {
	case err := <-errc:
		return fmt.Errorf("webserver: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("webserver: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("webserver: %w", err)
	}
	return nil
}

// newHandler returns the routes described in the package comment; log may be nil.
func newHandler(root string, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /size/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, ok := parseSize(w, r.PathValue("n"))
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		if r.Method == http.MethodHead {
			return
		}
		if _, err := WriteBody(w, n); err != nil {
			log.Debug("body write ended", "size", n, "err", err)
		}
	})
	mux.HandleFunc("GET /sha256/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, ok := parseSize(w, r.PathValue("n"))
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, BodySHA256(n)+"\n")
	})
	mux.Handle("/", http.FileServer(http.Dir(root)))
	return logRequests(mux, log)
}

func parseSize(w http.ResponseWriter, s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > maxBodySize {
		http.Error(w, fmt.Sprintf("size must be 0..%d", maxBodySize), http.StatusBadRequest)
		return 0, false
	}
	return n, true
}

func logRequests(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path,
			"remote", r.RemoteAddr, "dur", time.Since(start).String())
	})
}

// block returns generated block i.
func block(i uint64) [blockSize]byte {
	var in [len(bodySeed) + 8]byte
	copy(in[:], bodySeed)
	binary.BigEndian.PutUint64(in[len(bodySeed):], i)
	return sha256.Sum256(in[:])
}

// WriteBody writes the n-byte deterministic body to w.
func WriteBody(w io.Writer, n int64) (int64, error) {
	const chunkBlocks = 1024 // 32 KiB per write
	buf := make([]byte, 0, chunkBlocks*blockSize)
	var written int64
	for i := uint64(0); written < n; {
		buf = buf[:0]
		for len(buf) < cap(buf) && written+int64(len(buf)) < n {
			b := block(i)
			i++
			buf = append(buf, b[:]...)
		}
		if rest := n - written; int64(len(buf)) > rest {
			buf = buf[:rest]
		}
		m, err := w.Write(buf)
		written += int64(m)
		if err != nil {
			return written, fmt.Errorf("webserver: write body: %w", err)
		}
	}
	return written, nil
}

// BodySHA256 returns the lower-case hex SHA-256 of the n-byte body.
func BodySHA256(n int64) string {
	h := sha256.New()
	_, _ = WriteBody(h, n) // hash.Hash never fails
	return hex.EncodeToString(h.Sum(nil))
}
