// Package ntcp2 is the NTCP2 transport (ntcp2.rst): the
// Noise_XKaesobfse+hs2+hs3 handshake as pure state machines over byte
// slices (Initiator, Responder), the data-phase frame and block codecs, and
// Transport and Session, which run them over a netx.Network with a reader
// and a writer goroutine per session.
//
// It leaves to others: the Noise primitives (router/crypto/noise) and AES,
// SipHash and ChaCha20 (router/crypto); persisting the static key and IV and
// signing our RouterInfo (the router); choosing peers and deciding what to
// do with received messages and RouterInfos (transport.Handler, netdb); the
// session table, limits and reuse across transports (transport.Manager).
// Parsers here are pure and never log; the Transport logs through the
// injected *slog.Logger with peer addresses redacted.
package ntcp2
