package i2cp

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Protocol numbers carried in byte 9 of the gzip header (i2cp.html).
const (
	ProtoStreaming uint8 = 6  // streaming protocol
	ProtoDatagram  uint8 = 17 // repliable (signed) datagram
	ProtoRaw       uint8 = 18 // raw datagram
)

// Sizes and offsets of the framing.
const (
	// MaxDataSize bounds the data of one payload, before compression and
	// after decompression: one stored deflate block, about what fits in an
	// I2NP Data message.
	MaxDataSize = 65535
	// HeaderSize is the fixed gzip header (RFC 1952 section 2.3).
	HeaderSize = 10
	// TrailerSize is the CRC-32 and ISIZE trailer.
	TrailerSize = 8
	// storedBlockHeader is the BFINAL/BTYPE byte, LEN and NLEN of a stored
	// deflate block.
	storedBlockHeader = 5
	// StoredOverhead is what EncodePayload adds to uncompressed data.
	StoredOverhead = HeaderSize + storedBlockHeader + TrailerSize

	srcPortOffset = 4 // gzip mtime, first half
	dstPortOffset = 6 // gzip mtime, second half
	xflOffset     = 8 // gzip XFL
	protoOffset   = 9 // gzip OS
	flagsOffset   = 3 // gzip FLG

	storedFinal = 0x01 // BFINAL=1, BTYPE=00
	// storedXFL is the XFL byte i2pd writes in stored payloads.
	storedXFL = 0x02
)

// gzipMagic is ID1, ID2 and CM=8 (deflate).
var gzipMagic = [3]byte{0x1f, 0x8b, 0x08}

// Errors returned, wrapped with context, by DecodePayload and EncodePayload.
var (
	// ErrTruncated means the input ended before the gzip member did.
	ErrTruncated = errors.New("truncated input")
	// ErrInvalid means the input is not a valid gzip member or its
	// checksum or size does not match.
	ErrInvalid = errors.New("invalid payload")
	// ErrTooLarge means the data exceeds MaxDataSize.
	ErrTooLarge = errors.New("payload too large")
)

// Payload is one decoded I2CP payload.
type Payload struct {
	Proto   uint8
	SrcPort uint16
	DstPort uint16
	// Data is the uncompressed message. For a stored payload it aliases
	// the input of DecodePayload.
	Data []byte
}

// EncodePayload frames data as an I2CP payload. With compress, the data is
// deflated when that makes it smaller (i2pd compresses streaming SYNs, whose
// destination padding repeats); otherwise it goes in one stored block.
func EncodePayload(proto uint8, srcPort, dstPort uint16, data []byte, compress bool) ([]byte, error) {
	if len(data) > MaxDataSize {
		return nil, fmt.Errorf("i2cp: %d bytes: %w", len(data), ErrTooLarge)
	}
	out := make([]byte, HeaderSize, len(data)+StoredOverhead)
	copy(out, gzipMagic[:])
	binary.BigEndian.PutUint16(out[srcPortOffset:], srcPort)
	binary.BigEndian.PutUint16(out[dstPortOffset:], dstPort)
	out[protoOffset] = proto
	if compress {
		// The deflate stream must beat the stored block to be used; its
		// capacity bound makes appendDeflate give up early otherwise.
		limit := HeaderSize + storedBlockHeader + len(data)
		if c, ok := appendDeflate(out, data, limit); ok {
			return appendTrailer(c, data), nil
		}
	}
	out[xflOffset] = storedXFL
	out = append(out, storedFinal)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(data)))
	out = binary.LittleEndian.AppendUint16(out, ^uint16(len(data)))
	out = append(out, data...)
	return appendTrailer(out, data), nil
}

func appendTrailer(out, data []byte) []byte {
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(data))
	return binary.LittleEndian.AppendUint32(out, uint32(len(data)))
}

// DecodePayload parses an I2CP payload; see Decoder.Decode. A compressed
// payload costs a fresh inflater; callers decoding many use a Decoder.
func DecodePayload(b []byte) (Payload, error) {
	if p, ok, err := decodeFast(b); ok {
		return p, err
	}
	return new(Decoder).Decode(b)
}

// Decoder decodes payloads, reusing its inflater (about 45 KB) between
// compressed payloads. The zero value is ready to use; a Decoder is not safe
// for concurrent use.
type Decoder struct {
	br bytes.Reader
	zr *gzip.Reader
}

// Decode parses an I2CP payload: a single gzip member with nothing after
// it, whose data inflates to at most MaxDataSize bytes and matches its
// CRC-32 and size. Stored payloads are returned without copying.
func (d *Decoder) Decode(b []byte) (Payload, error) {
	p, ok, err := decodeFast(b)
	if ok {
		return p, err
	}
	if p.Data, err = d.inflate(b); err != nil {
		return Payload{}, err
	}
	return p, nil
}

// decodeFast reads the header and decodes a stored payload; ok is false
// when b holds a valid header but needs the inflater, and then p has the
// header fields.
func decodeFast(b []byte) (p Payload, ok bool, err error) {
	if len(b) < HeaderSize+TrailerSize {
		return Payload{}, true, fmt.Errorf("i2cp: %d bytes: %w", len(b), ErrTruncated)
	}
	if !bytes.Equal(b[:len(gzipMagic)], gzipMagic[:]) {
		return Payload{}, true, fmt.Errorf("i2cp: not a gzip header: %w", ErrInvalid)
	}
	p = Payload{
		Proto:   b[protoOffset],
		SrcPort: binary.BigEndian.Uint16(b[srcPortOffset:]),
		DstPort: binary.BigEndian.Uint16(b[dstPortOffset:]),
	}
	data, ok, err := decodeStored(b)
	if !ok {
		return p, false, nil
	}
	if err != nil {
		return Payload{}, true, err
	}
	p.Data = data
	return p, true, nil
}

// decodeStored handles the layout EncodePayload and i2pd write without
// compression: no optional header fields and a single final stored block.
// ok is false when b has another shape, for the general decoder.
func decodeStored(b []byte) (data []byte, ok bool, err error) {
	const start = HeaderSize + storedBlockHeader
	if b[flagsOffset] != 0 || len(b) < start+TrailerSize || b[HeaderSize] != storedFinal {
		return nil, false, nil
	}
	n := int(binary.LittleEndian.Uint16(b[HeaderSize+1:]))
	nlen := binary.LittleEndian.Uint16(b[HeaderSize+3:])
	if nlen != ^uint16(n) {
		return nil, true, fmt.Errorf("i2cp: stored block length check: %w", ErrInvalid)
	}
	switch {
	case len(b) < start+n+TrailerSize:
		return nil, true, fmt.Errorf("i2cp: stored block of %d bytes: %w", n, ErrTruncated)
	case len(b) > start+n+TrailerSize:
		return nil, true, fmt.Errorf("i2cp: data after the gzip member: %w", ErrInvalid)
	}
	data = b[start : start+n]
	trailer := b[start+n:]
	if binary.LittleEndian.Uint32(trailer) != crc32.ChecksumIEEE(data) ||
		binary.LittleEndian.Uint32(trailer[4:]) != uint32(n) {
		return nil, true, fmt.Errorf("i2cp: checksum: %w", ErrInvalid)
	}
	return data, true, nil
}

// inflate decodes any gzip member, refusing more than MaxDataSize bytes.
func (d *Decoder) inflate(b []byte) ([]byte, error) {
	d.br.Reset(b)
	var err error
	if d.zr == nil {
		d.zr, err = gzip.NewReader(&d.br)
	} else {
		err = d.zr.Reset(&d.br)
	}
	if err != nil {
		return nil, fmt.Errorf("i2cp: gzip header: %w", classify(err))
	}
	d.zr.Multistream(false)
	var out bytes.Buffer
	n, err := out.ReadFrom(io.LimitReader(d.zr, MaxDataSize+1))
	if err != nil {
		return nil, fmt.Errorf("i2cp: inflate: %w", classify(err))
	}
	if n > MaxDataSize {
		return nil, fmt.Errorf("i2cp: inflated data exceeds %d bytes: %w", MaxDataSize, ErrTooLarge)
	}
	if d.br.Len() != 0 {
		return nil, fmt.Errorf("i2cp: data after the gzip member: %w", ErrInvalid)
	}
	return out.Bytes(), nil
}

// classify maps the errors of compress/gzip and compress/flate to ours.
func classify(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %w", ErrTruncated, err)
	}
	return fmt.Errorf("%w: %w", ErrInvalid, err)
}
