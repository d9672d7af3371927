// Package destination is a local client destination: its keys (persistent in
// i2pd's keys file format, or transient), its client tunnel pool, its
// LeaseSet2 built from the inbound tunnels and published through the client
// tunnels to the closest floodfills (republished before the leases expire,
// whenever the inbound set changes, and retried until a floodfill confirms
// it, then verified by a lookup), the cache of remote lease sets it looks up,
// and the garlic path of its messages: I2NP Data messages wrapped in
// end-to-end garlic with our LeaseSet bundled, sent out an outbound tunnel to
// a gateway of the remote's lease set, and the reverse on receipt.
//
// It leaves to others the end-to-end encryption itself (Sessions: the
// ECIES-X25519-AEAD-Ratchet of router/garlic/ratchet), the meaning of the
// payloads it carries (I2CP-framed streaming and datagrams, handed to
// Config.Receive), building tunnels (router/tunnel/pool), the network
// database (router/netdb) and router-level garlic to floodfills
// (Config.WrapForRouter). Nothing here keeps package-level state; clock,
// randomness and logger are injected.
package destination
