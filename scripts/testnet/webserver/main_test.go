package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteBody(t *testing.T) {
	b0 := block(0)
	b1 := block(1)
	tests := []struct {
		name string
		n    int64
		want []byte
	}{
		{"empty", 0, nil},
		{"one byte", 1, b0[:1]},
		{"one block", 32, b0[:]},
		{"block and a half", 48, append(append([]byte{}, b0[:]...), b1[:16]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := WriteBody(&buf, tt.n)
			if err != nil || n != tt.n {
				t.Fatalf("WriteBody = %d, %v; want %d, nil", n, err, tt.n)
			}
			if !bytes.Equal(buf.Bytes(), tt.want) {
				t.Fatalf("body = %x, want %x", buf.Bytes(), tt.want)
			}
		})
	}
}

func TestBodyIsPrefixStable(t *testing.T) {
	// A shorter body is a prefix of a longer one, across chunk boundaries.
	var long, short bytes.Buffer
	if _, err := WriteBody(&long, 100000); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteBody(&short, 40000); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(long.Bytes(), short.Bytes()) {
		t.Fatal("40000-byte body is not a prefix of the 100000-byte body")
	}
}

func TestBlockVector(t *testing.T) {
	// block 0 = SHA-256("i2pgate-testnet" || 00 00 00 00 00 00 00 00)
	in := append([]byte("i2pgate-testnet"), make([]byte, 8)...)
	want := sha256.Sum256(in)
	if got := block(0); got != want {
		t.Fatalf("block(0) = %x, want %x", got, want)
	}
}

func TestHandler(t *testing.T) {
	root := t.TempDir()
	index := []byte("<html>testnet</html>\n")
	if err := os.WriteFile(filepath.Join(root, "index.html"), index, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(root, nil))
	defer srv.Close()

	var body1k bytes.Buffer
	if _, err := WriteBody(&body1k, 1024); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body1k.Bytes())
	tests := []struct {
		path   string
		status int
		want   []byte
	}{
		{"/", http.StatusOK, index},
		{"/size/1024", http.StatusOK, body1k.Bytes()},
		{"/sha256/1024", http.StatusOK, []byte(hex.EncodeToString(sum[:]) + "\n")},
		{"/size/-1", http.StatusBadRequest, nil},
		{"/size/x", http.StatusBadRequest, nil},
		{"/size/1073741825", http.StatusBadRequest, nil},
		{"/hosts.txt", http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.want != nil && !bytes.Equal(got, tt.want) {
				t.Fatalf("body = %q, want %q", got, tt.want)
			}
		})
	}
}
