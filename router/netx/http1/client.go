// Package http1 is a minimal HTTP/1.1 client for the router's few GETs
// (reseed downloads, address book subscriptions, the status command): one
// request per connection ("Connection: close"), no pooling, no proxies
// from the environment, no HTTP/2, no cookies, no transparent
// compression, bounded response headers and redirects.
//
// It exists so that the program does not link net/http's Transport, which
// drags in crypto/tls's handshakes even when no https URL is ever used.
// TLS is left to the caller: Client.Secure turns a dialed connection into
// a secure one for https URLs; without it https fails with ErrNoTLS.
// Request encoding and response parsing are net/http's
// ((*http.Request).Write and http.ReadResponse).
package http1

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// DefaultMaxHeaderBytes bounds a response's status line and headers when
// Client.MaxHeaderBytes is 0.
const DefaultMaxHeaderBytes = 16 << 10

// Errors returned (wrapped) by Do.
var (
	// ErrNoTLS: an https URL and no Client.Secure.
	ErrNoTLS = errors.New("http1: https is not available in this build")
	// ErrHeaderTooLarge: the response's header exceeded MaxHeaderBytes.
	ErrHeaderTooLarge = errors.New("http1: response header too large")
	// ErrTooManyRedirects: more than MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("http1: too many redirects")
)

// Client does HTTP/1.1 requests, one connection each. The zero value dials
// with a net.Dialer, follows no redirects and refuses https. A Client holds
// no state and is safe for concurrent use.
type Client struct {
	// Dial opens the connection to "host:port" (nil: a net.Dialer).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Secure turns a dialed conn into the TLS conn for an https URL;
	// nil: https URLs fail with ErrNoTLS.
	Secure func(ctx context.Context, conn net.Conn, serverName string) (net.Conn, error)
	// MaxRedirects is how many redirects of a GET or HEAD are followed;
	// 0: none (a 3xx is returned as is); one more is ErrTooManyRedirects.
	MaxRedirects int
	// CheckRedirect is called with each redirect target before it is
	// followed; an error stops the redirect and is returned.
	CheckRedirect func(u *url.URL) error
	// MaxHeaderBytes bounds the response's status line and headers
	// (0: DefaultMaxHeaderBytes).
	MaxHeaderBytes int
	// HeaderTimeout bounds the wait from the request written to the
	// response header read (0: none; the request's context bounds it).
	HeaderTimeout time.Duration
}

// Do sends req and returns the response. The response body must be
// closed; closing it closes the connection. The request's context bounds
// the dial, the TLS handshake, the request and reading the body: when it
// ends the connection is closed and reads fail with its error.
//
// Do does not change req. A redirect (301, 302, 303, 307, 308) of a GET or
// HEAD is followed with the same method and headers, at most MaxRedirects
// times; headers that carry credentials are dropped when the host changes.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if req == nil || req.URL == nil {
		return nil, errors.New("http1: nil request or URL")
	}
	ctx := req.Context()
	for n := 0; ; n++ {
		resp, err := c.roundTrip(ctx, req)
		if err != nil {
			return nil, err
		}
		target, ok, err := c.redirect(req, resp)
		if err != nil || !ok {
			if err != nil {
				resp.Body.Close()
				return nil, err
			}
			return resp, nil
		}
		resp.Body.Close()
		if n >= c.MaxRedirects {
			return nil, fmt.Errorf("%w: more than %d", ErrTooManyRedirects, c.MaxRedirects)
		}
		req = redirectRequest(ctx, req, target)
	}
}

// redirect returns the target of a redirect to follow; ok is false for a
// response to return as is.
func (c *Client) redirect(req *http.Request, resp *http.Response) (*url.URL, bool, error) {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, false, nil
	}
	if c.MaxRedirects <= 0 || (req.Method != http.MethodGet && req.Method != http.MethodHead && req.Method != "") {
		return nil, false, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, false, nil
	}
	target, err := req.URL.Parse(loc)
	if err != nil {
		return nil, false, fmt.Errorf("http1: redirect to %q: %w", clip(loc), err)
	}
	if target.Scheme != "http" && target.Scheme != "https" {
		return nil, false, fmt.Errorf("http1: redirect to scheme %q", clip(target.Scheme))
	}
	target.Fragment = ""
	if c.CheckRedirect != nil {
		if err := c.CheckRedirect(target); err != nil {
			return nil, false, err
		}
	}
	return target, true, nil
}

// redirectRequest is req for target: same method and headers, without the
// credentials when the host changes, and no body.
func redirectRequest(ctx context.Context, req *http.Request, target *url.URL) *http.Request {
	next := &http.Request{
		Method:     req.Method,
		URL:        target,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     req.Header.Clone(),
		Host:       target.Host,
	}
	if next.Header == nil {
		next.Header = http.Header{}
	}
	if target.Host != req.URL.Host {
		for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie", "Www-Authenticate"} {
			next.Header.Del(h)
		}
	}
	return next.WithContext(ctx)
}

// clip shortens text from the network for an error message.
func clip(s string) string {
	const n = 64
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
