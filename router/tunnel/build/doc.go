// Package build encrypts, opens and answers ECIES-X25519 tunnel build
// records (i2p2www/spec/tunnel-creation-ecies.rst): the 218-byte short
// records of ShortTunnelBuild (type 25) and OutboundTunnelBuildReply
// (type 26), and the 528-byte long records of VariableTunnelBuild (type 23)
// and VariableTunnelBuildReply (type 24).
//
// It has three parts: the cleartext request and reply records
// (ShortRequest, LongRequest, Reply) with pure parsers; the hop side
// (OpenShort, OpenLong), which finds a router's record in a received build
// message, opens it with the one-shot Noise_N handshake, derives the tunnel
// keys and writes the reply; and the creator side (New, Pending), which
// builds a shuffled, pre-decrypted request message for a list of hops and
// checks the reply.
//
// Everything here works on byte slices and the i2np message values. It
// leaves to others the sending of messages, the garlic wrapping of build
// messages and of OutboundTunnelBuildReply (router/garlic, using the keys
// from Keys.GarlicKey and Keys.GarlicTag), the accept/reject decision and
// the checks of request time and expiration (router/tunnel), the tunnel
// layer encryption with the derived keys, and ElGamal records. Nothing
// here logs, reads a clock or keeps package-level mutable state;
// randomness comes from an injected io.Reader.
package build
