// Package httpproxy is i2pgate's HTTP proxy (default 127.0.0.1:4444): LAN
// browsers set it as their HTTP proxy and reach .i2p sites.
//
// Absolute-URI requests of every method are forwarded on a stream of their own
// from the injected I2P Dialer, written with "Connection: close" and read with
// http.ReadResponse (header size and wait bounded), as i2pd's and Java I2P's
// proxies do: no connection to a site outlives its request, so there is no
// pool to bound or to isolate per client. The browser's connection is kept
// alive; bodies stream both ways (a 32 KiB pooled buffer, flushed as it comes
// for answers without a length and event streams); WebSocket-style upgrades
// are spliced both ways. CONNECT opens a tunnel to an I2P destination. Request
// headers get the hygiene of i2pd's and Java I2P's proxies (User-Agent
// "MYOB/6.66 (AN/ON)", no Via, From, Forwarded, X-Forwarded-*, Proxy-*,
// Accept-Language, cross-site Referer; see sanitizeHeader); hop-by-hop headers
// are dropped both ways, and trailers are not passed on.
//
// Failures get a small self-contained HTML page each: unknown name (with links
// to the configured jump services), destination not found, timeout, no tunnels,
// not allowed (a clearnet target with no outproxy: nothing is dialed), refused.
// Links with ?i2paddresshelper=<destination> show a page that offers to save the
// name in the address book (a POST carrying a token only that page has) or to
// continue to the destination's b32 address. With an outproxy (an HTTP proxy
// inside I2P, "host.i2p:port") non-.i2p requests and CONNECTs go through it.
// Clients outside lan.allow are closed before a byte is read.
//
// It leaves to others the naming, lookups and streams (the Dialer), the address
// book (AddressBook) and serving the counters (Stats) on /metrics.
package httpproxy
