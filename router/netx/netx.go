// Package netx is the router's view of the network: the Network interface
// (Dial, Listen, ListenPacket) that transports, reseed and the gateway take
// as a dependency, and OS, its implementation on package net.
//
// It leaves address selection, reserved-range filtering and NAT discovery
// to the transports; tests use the in-memory network of package memnet.
package netx

import (
	"context"
	"net"
)

// Network opens connections and sockets. Addresses are "host:port" as in
// package net; network is "tcp", "tcp4", "tcp6", "udp", "udp4" or "udp6".
type Network interface {
	Dial(ctx context.Context, network, address string) (net.Conn, error)
	Listen(ctx context.Context, network, address string) (net.Listener, error)
	ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error)
}

// OSNetwork is the real network, through net.Dialer and net.ListenConfig.
// The zero value uses their defaults.
type OSNetwork struct {
	Dialer       net.Dialer
	ListenConfig net.ListenConfig
}

var _ Network = (*OSNetwork)(nil)

// OS returns the real network with default settings.
func OS() Network { return &OSNetwork{} }

// Or returns n, or OS() when n is nil, for Configs where nil means the
// real network.
func Or(n Network) Network {
	if n == nil {
		return OS()
	}
	return n
}

// Dial implements Network.
func (o *OSNetwork) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	return o.Dialer.DialContext(ctx, network, address)
}

// Listen implements Network.
func (o *OSNetwork) Listen(ctx context.Context, network, address string) (net.Listener, error) {
	return o.ListenConfig.Listen(ctx, network, address)
}

// ListenPacket implements Network.
func (o *OSNetwork) ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	return o.ListenConfig.ListenPacket(ctx, network, address)
}
