// Package gateway is the home of i2pgate's LAN front-ends: SOCKS5, the HTTP proxy,
// the .i2p resolver, automapped addresses, the transparent proxy and the web console,
// each in its own sub-package. None of them imports the router: each declares the
// small interfaces it needs and cmd/i2pgate hands it the router.
package gateway
