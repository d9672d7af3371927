// Package streaming implements the I2P streaming protocol
// (i2p2www/spec/streaming.rst, pages/site/docs/api/streaming.html): TCP-like
// reliable, ordered byte streams over the unreliable, unordered messages
// between two destinations, as i2pd and Java I2P speak it.
//
// It provides:
//
//   - the packet codec (Packet, Parse, Packet.Append) with every option of
//     the spec, signatures over the packet with the signature zeroed, offline
//     signatures, and the destination hash that a SYN carries in its NACK
//     field (checked when present);
//   - Manager, one per local destination, which demultiplexes inbound
//     packets (HandlePacket) to connections, listeners and pings, enforces
//     per-peer and global connection limits and refuses what it cannot take
//     with a signed RESET;
//   - Conn, a net.Conn with deadlines and half-close (CloseWrite), and
//     Listener, a net.Listener per port.
//
// A connection sends MTU-sized packets (DefaultMTU, 1812 bytes as i2pd on
// ratchet sessions, lowered to what the peer advertises) within a congestion
// window counted in packets: slow start, then congestion avoidance, halved on
// loss. Lost packets are resent on NACKs (fast retransmit, NewReno partial
// ACKs) or on the retransmission timer, whose RTO follows RFC 6298 within the
// spec's bounds; ACKs are delayed by a tenth of the RTT and piggybacked on
// data. The receive buffer is bounded: when it is full, packets are dropped
// and the peer is choked with DELAY_REQUESTED, until Read drains it.
// Connect, idle, close and TIME_WAIT timeouts end connections that go
// quiet. All timers run on the injected clock; the package starts no
// goroutines of its own.
//
// It leaves to others the I2CP payload framing (router/i2cp, protocol 6),
// garlic encryption, LeaseSet lookup and tunnels: the Sender and the caller
// of HandlePacket. Control-block sharing between connections, the
// interactive profile and i2pd's unsigned "don't sign" mode are not
// implemented; SYNs, CLOSEs and RESETs must be signed.
package streaming
