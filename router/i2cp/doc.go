// Package i2cp implements the I2CP payload framing of end-to-end messages
// (i2p2www/pages/site/docs/protocol/i2cp.html "I2CP Payload Data Format and
// Multiplexing", spec/i2cp.rst "Payload"): every message a destination sends
// to another is a gzip member (RFC 1952) whose header carries the I2P source
// port in bytes 4-5 and the destination port in bytes 6-7 (the gzip mtime
// field, big endian) and the protocol in byte 9 (the gzip OS field):
// ProtoStreaming, ProtoDatagram or ProtoRaw.
//
// EncodePayload writes either one stored deflate block, byte for byte the
// layout i2pd's GzipNoCompression writes (i2pd reads it without zlib), or,
// when asked to compress, a small fixed-Huffman LZ77 deflate stream that
// needs no large state (compress/flate's writer allocates over 700 KB per
// stream). DecodePayload accepts both, as well as any other valid gzip member
// (Java I2P compresses with zlib), checks the CRC-32 and size trailer, and
// refuses to inflate beyond MaxDataSize, so a gzip bomb costs nothing.
//
// It leaves to others the 4-byte length prefix of the I2NP Data message
// that carries a payload, the dispatch on protocol and port (the
// destination), and the streaming and datagram protocols themselves.
// Nothing here logs or keeps mutable package state.
package i2cp
