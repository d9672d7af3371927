//go:build !notls

package reseed

import (
	"context"
	"crypto/tls"
	"net"
	"time"
)

// nativeTLS reports whether this build downloads https URLs itself.
const nativeTLS = true

// tlsHandshakeTimeout bounds a reseed server's TLS handshake.
const tlsHandshakeTimeout = 20 * time.Second

// TLSConfig is crypto/tls's Config; in a build without TLS (tag notls) it
// is an empty struct that is ignored.
type TLSConfig = tls.Config

// secureFunc returns the TLS step of reseed downloads: crypto/tls with a
// clone of cfg (nil: the system roots), the URL's host as ServerName unless
// cfg names one, at least TLS 1.2, and certificates checked at now() unless
// cfg.Time is set: the router's clock, which SNTP or peers may have
// corrected, since a box without a real-time clock may boot months behind.
func secureFunc(cfg *TLSConfig, now func() time.Time) func(context.Context, net.Conn, string) (net.Conn, error) {
	return func(ctx context.Context, conn net.Conn, serverName string) (net.Conn, error) {
		tc := cfg.Clone()
		if tc == nil {
			tc = &tls.Config{}
		}
		if tc.ServerName == "" {
			tc.ServerName = serverName
		}
		if tc.MinVersion < tls.VersionTLS12 {
			tc.MinVersion = tls.VersionTLS12
		}
		if tc.Time == nil {
			tc.Time = now
		}
		c := tls.Client(conn, tc)
		ctx, cancel := context.WithTimeout(ctx, tlsHandshakeTimeout)
		defer cancel()
		if err := c.HandshakeContext(ctx); err != nil {
			return nil, err
		}
		return c, nil
	}
}
