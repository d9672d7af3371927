//go:build notls

package reseed

import (
	"context"
	"net"
	"time"
)

// nativeTLS reports whether this build downloads https URLs itself: not in
// this one, which leaves https to an external fetcher (see Command).
const nativeTLS = false

// TLSConfig stands in for crypto/tls's Config in this build without TLS;
// it is ignored.
type TLSConfig struct{}

// secureFunc returns nil: https URLs fail with http1.ErrNoTLS.
func secureFunc(*TLSConfig, func() time.Time) func(context.Context, net.Conn, string) (net.Conn, error) {
	return nil
}
