// Package transit lets this router take part in other routers' tunnels
// (i2p2www/spec/tunnel-creation-ecies.rst, docs/tunnels/implementation):
// it opens the build requests addressed to us (ShortTunnelBuild and
// VariableTunnelBuild), decides to accept or reject them within the
// configured limits (tunnel count, bandwidth share, memory budget, build
// request rates overall and per previous hop), answers and forwards the
// build message, and then carries the tunnels' data as an intermediate
// participant, an inbound gateway (IBGW) or an outbound endpoint (OBEP)
// until they expire, eleven minutes after creation as in i2pd.
//
// Idle transit tunnels cost little memory: a tunnel keeps its keys and
// next hop and builds its layer cipher, gateway or endpoint on the first
// message it carries.
//
// Left to others: receiving messages from the transports and decrypting
// router garlic (the router hands us the build, TunnelData and
// TunnelGateway messages), sending messages (Sender, called from a
// bounded queue so that the data path never blocks), garlic-wrapping the
// OBEP's OutboundTunnelBuildReply (Config.WrapReply), messages an OBEP
// delivers LOCAL (Config.Local), the tunnel ids of our own tunnels
// (Config.InUse), and our own tunnel builds and their replies
// (router/tunnel/pool). The record cryptography is router/tunnel/build's,
// the layer crypto, fragmentation and reassembly router/tunnel's.
package transit
