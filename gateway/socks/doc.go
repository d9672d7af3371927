// Package socks is i2pgate's SOCKS5 front-end (default 127.0.0.1:4447): LAN
// clients CONNECT to .i2p and .b32.i2p names, or to automapped virtual IPs, and
// get a stream to that destination over I2P.
//
// The protocol is github.com/armon/go-socks5; this package supplies what it cannot
// decide. Names are never resolved by DNS (SOCKS5h: a resolver that does not
// resolve passes the name to the Dialer as "name.i2p:port"); virtual IPs are
// mapped back to names with an injected Reverse function; clearnet targets are
// refused with reply 0x02 (ruleset) unless an outproxy Dialer is configured and
// nothing is dialed for them. go-socks5 derives reply codes from error strings, so
// a wrapper of the client connection replaces its code with the one the error
// kind calls for (see ReplyCode). Clients outside lan.allow are closed before
// a byte is read; optional username/password authentication; with per-client
// isolation each client IP gets its own Dialer (its own transient destination).
//
// It leaves to others the naming, LeaseSet lookups and streams (the Dialer, given
// by cmd/i2pgate), the automap table (Reverse) and serving the counters (Stats) on
// /metrics. BIND and UDP ASSOCIATE are refused with 0x07.
package socks
