//go:build !notls

package reseed

import "testing"

// With TLS built in and no Command, https URLs are downloaded natively.
func TestNativeHTTPS(t *testing.T) {
	r, err := New(Config{URLs: []string{"https://reseed.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.urlSource("https://reseed.example/").(*HTTPS); !ok || r.fetcher != nil {
		t.Fatalf("source %T, fetcher %v", r.urlSource("https://reseed.example/"), r.fetcher)
	}
}
