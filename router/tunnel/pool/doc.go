// Package pool builds, tests and maintains the router's own tunnels: the
// exploratory pool and client pools, each a set of inbound and outbound
// tunnels (docs/tunnels/implementation "Tunnel Pools", "Tunnel Building",
// "Tunnel Testing"; i2p2www/spec/tunnel-creation-ecies.rst).
//
// It chooses hops from a PeerSource (Select), remembers how peers answered
// build requests (Profiles, persisted rarely through a store.Batcher), builds
// tunnels with router/tunnel/build, sends data into its outbound tunnels
// (SendThrough) and reassembles what arrives through its inbound tunnels
// (HandleTunnelData), tests each tunnel pair with DeliveryStatus messages and
// replaces tunnels that fail tests or near expiry.
//
// Left to others: carrying other routers' tunnels (transit), the router
// garlic that wraps the outbound endpoint's build reply (the router registers
// the reply key and tag it is handed through Config.ExpectGarlicReply and
// passes the decrypted OutboundTunnelBuildReply to HandleBuildReply), the
// network database (PeerSource), the transports (Sender) and the dispatch of
// messages that leave our inbound tunnels (Config.Deliver).
package pool
