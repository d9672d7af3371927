// Package i2np encodes and decodes I2NP messages (i2p2www/spec/i2np.rst):
// the 16-byte standard header used inside tunnels and garlic cloves, the
// 9-byte short header of NTCP2 and SSU2 I2NP blocks, and the payloads of
// every current message type (DatabaseStore, DatabaseLookup,
// DatabaseSearchReply, DeliveryStatus, Garlic, TunnelData, TunnelGateway,
// Data, and the six tunnel build messages). It also offers gzip helpers for
// RouterInfos carried in a DatabaseStore, with a hard output cap, and
// DupFilter, a bounded-memory replay filter for message IDs and tunnel keys.
//
// Parsers are pure and silent: they check every length before reading, never
// log, never panic, never allocate in proportion to a length field that the
// input has not yet been checked to hold, and return errors prefixed "i2np:"
// that wrap ErrTruncated, ErrTrailingData, ErrInvalid, ErrChecksum or
// ErrTooLarge. Byte-slice fields of parsed values (Message.Payload, Data,
// Message) alias the input, so copy them to keep them beyond the input's
// lifetime; lists of hashes, tags and build records are copied. Every Append
// reproduces exactly the bytes a successful parse consumed, and
// AppendStandardPayload/AppendShortPayload encode without allocating when
// the destination has room.
//
// Left to others: the contents of LeaseSets and RouterInfos (router/data),
// garlic encryption and cloves (router/garlic), build record cleartexts and
// tunnel layer crypto (router/tunnel), lookup and store logic (router/netdb)
// and the NTCP2/SSU2 block framing (router/transport). Time is passed in as
// now; nothing here reads a clock.
package i2np
