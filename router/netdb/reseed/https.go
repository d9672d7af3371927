package reseed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"i2pgate/router/netx"
	"i2pgate/router/netx/http1"
)

const (
	// UserAgent is what reseed servers expect from a router (Java I2P and
	// i2pd send it; some servers refuse other agents).
	UserAgent = "Wget/1.11.4"
	// SU3Name is the file a reseed server serves at its URL.
	SU3Name = "i2pseeds.su3"
	// DefaultTimeout bounds one download, connection to last byte.
	DefaultTimeout = 60 * time.Second
	// maxRedirects bounds the redirects followed for one download.
	maxRedirects = 3
	// maxHeaderBytes bounds a response's headers.
	maxHeaderBytes = 16 << 10
	// headerTimeout bounds the wait for the response header once the
	// request is sent.
	headerTimeout = 30 * time.Second
)

// ErrInsecureURL is returned (wrapped) for a URL that is not https when
// plain HTTP is not allowed.
var ErrInsecureURL = errors.New("reseed: reseed URL is not https")

// HTTPS is a reseed server: GET <URL>i2pseeds.su3?netid=N with the user
// agent servers expect. The SU3 must be signed by a signer in Certs; unlike
// a local file there is no way around that. In a build without TLS (tag
// notls) only http URLs work natively; see Command.
type HTTPS struct {
	URL   string // e.g. "https://reseed.example.net/"; an URL ending in .su3 is used as is
	NetID int
	Certs SignerCerts
	// Client does the request; nil means NewHTTPClient(nil, nil, AllowHTTP).
	Client *http1.Client
	// AllowHTTP allows http:// URLs and redirects (test networks only).
	AllowHTTP bool
	Timeout   time.Duration // 0 means DefaultTimeout
}

var _ Source = (*HTTPS)(nil)

// Name implements Source.
func (h *HTTPS) Name() string { return h.URL }

// Fetch implements Source.
func (h *HTTPS) Fetch(ctx context.Context) ([][]byte, error) {
	u, err := SU3URL(h.URL, h.NetID, h.AllowHTTP)
	if err != nil {
		return nil, err
	}
	client := h.Client
	if client == nil {
		client = NewHTTPClient(nil, nil, h.AllowHTTP)
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	b, err := download(ctx, client, u)
	if err != nil {
		return nil, err
	}
	ris, _, err := routerInfosFromSU3(b, h.Certs, false)
	return ris, err
}

func download(ctx context.Context, client *http1.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("reseed: %w", err)
	}
	req.Header.Set("User-Agent", UserAgent)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reseed: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reseed: GET %s: %s", u, resp.Status)
	}
	if resp.ContentLength > MaxSU3Size {
		return nil, fmt.Errorf("reseed: GET %s: %d bytes, more than %d", u, resp.ContentLength, MaxSU3Size)
	}
	b, err := readLimited(resp.Body, MaxSU3Size)
	if err != nil {
		return nil, fmt.Errorf("reseed: GET %s: %w", u, err)
	}
	return b, nil
}

// SU3URL returns the URL to download from a reseed server URL: base plus
// "i2pseeds.su3" (after a "/") unless its path already names an .su3 file,
// with netid=netID added to any query it has. Only https is allowed unless
// allowHTTP.
func SU3URL(base string, netID int, allowHTTP bool) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("reseed: %w", err)
	}
	if u.Host == "" {
		return "", fmt.Errorf("reseed: URL %q has no host", base)
	}
	if err := checkScheme(u, allowHTTP); err != nil {
		return "", err
	}
	if !strings.HasSuffix(strings.ToLower(u.Path), ".su3") {
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		u.Path += SU3Name
		u.RawPath = ""
	}
	q := u.Query()
	q.Set("netid", strconv.Itoa(netID))
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.String(), nil
}

func checkScheme(u *url.URL, allowHTTP bool) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && allowHTTP:
		return nil
	}
	return fmt.Errorf("%w: %s://%s", ErrInsecureURL, u.Scheme, u.Host)
}

// NewHTTPClient returns the client reseed downloads use: connections
// through network (nil: the OS network), TLS with tlsConfig (nil: the
// system roots; see secureFunc), no proxy from the environment, one request
// per connection, at most 3 redirects and none to plain HTTP unless
// allowHTTP. Built with the notls tag, it has no TLS: https fails with
// http1.ErrNoTLS.
func NewHTTPClient(network netx.Network, tlsConfig *TLSConfig, allowHTTP bool) *http1.Client {
	return newHTTPClient(network, secureFunc(tlsConfig, time.Now), allowHTTP)
}

// newHTTPClient is NewHTTPClient with the TLS step given.
func newHTTPClient(network netx.Network, secure func(context.Context, net.Conn, string) (net.Conn, error), allowHTTP bool) *http1.Client {
	n := netx.Or(network)
	return &http1.Client{
		Dial:           n.Dial,
		Secure:         secure,
		MaxRedirects:   maxRedirects,
		CheckRedirect:  func(u *url.URL) error { return checkScheme(u, allowHTTP) },
		MaxHeaderBytes: maxHeaderBytes,
		HeaderTimeout:  headerTimeout,
	}
}
