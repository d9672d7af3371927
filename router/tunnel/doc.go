// Package tunnel carries I2NP messages through tunnels
// (i2p2www/spec/tunnel-message.rst, docs/tunnels/implementation): the
// delivery instructions that precede each fragment, the gateway that
// fragments and packs messages into fixed 1024-byte tunnel message bodies
// (IV, checksum, nonzero padding, zero byte, fragments) and applies the
// layer crypto of its role, the participant that adds its one layer and
// forwards, and the endpoints that remove the layers, verify the checksum
// and reassemble fragmented messages within a bounded memory budget.
//
// Roles and layer order (crypto.TunnelLayer): an outbound tunnel's gateway
// is its creator, which "decrypts" a body with every hop's layer from the
// last hop to the first (OutboundGateway); each hop, the outbound endpoint
// included, then encrypts with its own layer (Participant,
// OutboundEndpoint), and the endpoint sees plaintext. An inbound tunnel's
// gateway encrypts once with its layer (InboundGateway), each further hop
// encrypts with its layer, and the creator at the end decrypts with every
// hop's layer from the last hop to the first (InboundEndpoint).
//
// Left to others: building tunnels and their records (router/tunnel/build),
// pools and tunnel lifetimes, wrapping bodies in TunnelData and
// TunnelGateway messages and sending them, dispatching delivered messages
// (including the decision whether an inbound endpoint may forward TUNNEL or
// ROUTER deliveries, which i2pd refuses) and checking their expiration.
// Nothing here starts goroutines, logs or reads a clock except through an
// injected clock.Clock.
package tunnel
