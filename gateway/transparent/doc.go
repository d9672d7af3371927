// Package transparent is i2pgate's transparent TCP proxy (transparent.address,
// e.g. 0.0.0.0:7040 on the appliance; off by default). The firewall redirects TCP
// from the LAN to the automap range (the virtual IPs the .i2p resolver hands out)
// to this listener; for each connection it reads the original destination
// (SO_ORIGINAL_DST, or IP6T_SO_ORIGINAL_DST for IPv6), maps the virtual IP back to
// its .i2p name with an injected Reverse function and relays the connection to
// name:port over I2P.
//
// A connection whose original destination lies outside the automap range, or
// maps to no name, or whose dial fails, is closed (reset): it is never forwarded
// anywhere else. Clients outside lan.allow are closed before a byte is read.
//
// Rules generates the nftables ruleset that does the redirecting;
// configs/nftables-i2pgate.nft is its output for the defaults.
//
// It leaves to others the automap table (Reverse, from gateway/automap through
// cmd/i2pgate), the streams (the Dialer) and loading the ruleset into the kernel.
package transparent
