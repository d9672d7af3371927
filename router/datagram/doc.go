// Package datagram implements the I2P datagram protocols of
// i2p2www/spec/datagrams.rst on top of I2CP payloads: raw datagrams
// (protocol 18, the payload alone, neither repliable nor authenticated),
// repliable Datagram1 (protocol 17: the sender's Destination, its signature
// and the payload), and the newer Datagram2 (protocol 19: flags, options,
// an optional offline signature and a signature that also covers the
// target's hash, against replay) and Datagram3 (protocol 20: the sender's
// hash, flags and options, repliable but not authenticated).
//
// It provides:
//
//   - the codecs: BuildRepliable/ParseRepliable (Datagram1, signed over the
//     payload, or over its SHA-256 for DSA_SHA1 keys, as i2pd and Java I2P
//     do), BuildDatagram2/ParseDatagram2 and BuildDatagram3/ParseDatagram3;
//     raw datagrams need no codec: the I2CP payload data is the datagram;
//   - Manager, one per local destination, which takes the datagrams the
//     router decodes (HandlePayload) and queues them on the Conn bound to
//     their destination port, and signs and hands our datagrams to a Sender;
//   - Conn, a net.PacketConn per port with deadlines and a bounded receive
//     queue that drops (and counts) what does not fit.
//
// Parsers are pure and silent: they check every length before reading,
// verify signatures and return the payload as a sub-slice of their input.
// HandlePayload never blocks and never logs a datagram; the package starts
// no goroutines of its own and takes its clock and logger from Config.
//
// It leaves to others the I2CP payload framing (router/i2cp), garlic
// encryption, LeaseSet lookups and tunnels: the router decodes payloads and
// calls HandlePayload, and the Sender encodes and sends ours. Name
// resolution is left to the caller (WriteTo takes b32 addresses only), and
// so is attributing raw datagrams to a sender, which their format cannot
// carry. Datagram3 senders are not authenticated here: i2pd checks them
// against the ratchet session they arrived on, which this layer cannot see.
package datagram
