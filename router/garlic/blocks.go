package garlic

import (
	"encoding/binary"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// BlockType is the one-byte identifier of a payload block (ecies.rst
// "5) Payload", "Unencrypted data").
type BlockType uint8

// Block types. Others (1-3, 10, 224-253, 255) are reserved or experimental
// and ParseBlocks skips them, as the spec requires.
const (
	BlockDateTime       BlockType = 0
	BlockTermination    BlockType = 4
	BlockOptions        BlockType = 5
	BlockMessageNumbers BlockType = 6
	BlockNextKey        BlockType = 7
	BlockAck            BlockType = 8
	BlockAckRequest     BlockType = 9
	BlockGarlicClove    BlockType = 11
	BlockPadding        BlockType = 254
)

// Block framing and fixed sizes (ecies.rst "Unencrypted data" and the
// sections of each block).
const (
	// BlockHeaderSize is the type byte and the 2-byte big-endian size.
	BlockHeaderSize = 3
	// MaxBlockDataSize is the largest data of one block.
	MaxBlockDataSize = 65516
	// MaxFramePayloadSize is the most unencrypted data of one ChaChaPoly
	// frame: a 65535-byte frame minus the 16-byte MAC.
	MaxFramePayloadSize = 65519

	DateTimeSize       = 4
	TerminationMinSize = 1
	OptionsMinSize     = 21
	MessageNumbersSize = 2
	NextKeyMinSize     = 3
	NextKeyWithKeySize = NextKeyMinSize + KeySize
	AckEntrySize       = 4
	AckRequestSize     = 1

	// KeySize is the size of X25519 keys and symmetric keys here.
	KeySize = 32
)

// Block is one decoded payload block: DateTime, Termination, Options,
// MessageNumbers, NextKey, Ack, AckRequest, Clove or Padding. The set is
// closed; AppendBlock encodes any of them.
type Block interface {
	Type() BlockType
	// dataLen is the exact size appendData writes.
	dataLen() int
	appendData(dst []byte) ([]byte, error)
}

// DateTime is the DateTime block (ecies.rst "DateTime"): seconds since the
// epoch, wrapping in 2106.
type DateTime struct {
	Seconds uint32
}

// NewDateTime returns the DateTime block for t, truncated to whole seconds;
// times before the epoch become 0.
func NewDateTime(t time.Time) DateTime {
	s := t.Unix()
	if s < 0 {
		s = 0
	}
	return DateTime{Seconds: uint32(s)}
}

// Time returns the block's time in UTC.
func (d DateTime) Time() time.Time { return time.Unix(int64(d.Seconds), 0).UTC() }

// Termination is the Termination block (ecies.rst "Termination").
type Termination struct {
	Reason uint8
	// Data is the optional additional data; parsed blocks alias the input.
	Data []byte
}

// Termination reasons.
const (
	TerminationNormal   = 0
	TerminationReceived = 1
)

// Options is the Options block (ecies.rst "Options"), 21 bytes and more.
// The padding ratios are 4.4 fixed-point numbers.
type Options struct {
	Version        uint8
	Flags          uint8
	TagLength      uint8
	Timeout        uint16 // session idle timeout, seconds
	SenderWindow   uint16 // SOTW
	ReceiverWindow uint16 // RITW
	TxMin, TxMax   uint8
	RxMin, RxMax   uint8
	TxDummy        uint16 // bytes/s
	RxDummy        uint16 // bytes/s
	TxDelay        uint16 // ms
	RxDelay        uint16 // ms
	// More is the undefined rest; parsed blocks alias the input.
	More []byte
}

// MessageNumbers is the Message Numbers block (ecies.rst "Message
// Numbers"): PN, the index of the last tag sent in the previous tag set.
type MessageNumbers struct {
	PN uint16
}

// NextKey is the Next DH Ratchet Public Key block (ecies.rst "Next DH
// Ratchet Public Key").
type NextKey struct {
	// HasKey is flag bit 0: Key is present.
	HasKey bool
	// Reverse is flag bit 1: a reverse key rather than a forward key.
	Reverse bool
	// RequestReverse is flag bit 2, only valid without Reverse.
	RequestReverse bool
	// KeyID is 0 to MaxKeyID.
	KeyID uint16
	Key   [KeySize]byte
}

// NextKey flag bits and limits.
const (
	NextKeyFlagKey            = 0x01
	NextKeyFlagReverse        = 0x02
	NextKeyFlagRequestReverse = 0x04
	MaxKeyID                  = 32767
)

// AckEntry identifies one acknowledged message.
type AckEntry struct {
	TagSetID uint16
	N        uint16
}

// Ack is the ACK block (ecies.rst "Ack"): one or more AckEntry.
type Ack struct {
	Acks []AckEntry
}

// AckRequest is the ACK Request block (ecies.rst "Ack Request").
type AckRequest struct {
	Flags uint8
}

// Padding is the Padding block (ecies.rst "Padding"). It is encoded as
// Size zero bytes (encrypted, so zeros are fine); parsing keeps only the
// size.
type Padding struct {
	Size int
}

// Type implements Block.
func (DateTime) Type() BlockType { return BlockDateTime }

// Type implements Block.
func (Termination) Type() BlockType { return BlockTermination }

// Type implements Block.
func (Options) Type() BlockType { return BlockOptions }

// Type implements Block.
func (MessageNumbers) Type() BlockType { return BlockMessageNumbers }

// Type implements Block.
func (NextKey) Type() BlockType { return BlockNextKey }

// Type implements Block.
func (Ack) Type() BlockType { return BlockAck }

// Type implements Block.
func (AckRequest) Type() BlockType { return BlockAckRequest }

// Type implements Block.
func (Padding) Type() BlockType { return BlockPadding }

func (DateTime) dataLen() int       { return DateTimeSize }
func (t Termination) dataLen() int  { return TerminationMinSize + len(t.Data) }
func (o Options) dataLen() int      { return OptionsMinSize + len(o.More) }
func (MessageNumbers) dataLen() int { return MessageNumbersSize }
func (a Ack) dataLen() int          { return AckEntrySize * len(a.Acks) }
func (AckRequest) dataLen() int     { return AckRequestSize }
func (p Padding) dataLen() int      { return p.Size }
func (k NextKey) dataLen() int {
	if k.HasKey {
		return NextKeyWithKeySize
	}
	return NextKeyMinSize
}

func (d DateTime) appendData(dst []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint32(dst, d.Seconds), nil
}

func (t Termination) appendData(dst []byte) ([]byte, error) {
	return append(append(dst, t.Reason), t.Data...), nil
}

func (o Options) appendData(dst []byte) ([]byte, error) {
	dst = append(dst, o.Version, o.Flags, o.TagLength)
	dst = binary.BigEndian.AppendUint16(dst, o.Timeout)
	dst = binary.BigEndian.AppendUint16(dst, o.SenderWindow)
	dst = binary.BigEndian.AppendUint16(dst, o.ReceiverWindow)
	dst = append(dst, o.TxMin, o.TxMax, o.RxMin, o.RxMax)
	dst = binary.BigEndian.AppendUint16(dst, o.TxDummy)
	dst = binary.BigEndian.AppendUint16(dst, o.RxDummy)
	dst = binary.BigEndian.AppendUint16(dst, o.TxDelay)
	dst = binary.BigEndian.AppendUint16(dst, o.RxDelay)
	return append(dst, o.More...), nil
}

func (m MessageNumbers) appendData(dst []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint16(dst, m.PN), nil
}

func (k NextKey) appendData(dst []byte) ([]byte, error) {
	if k.KeyID > MaxKeyID {
		return dst, fmt.Errorf("garlic: next key: key id %d: %w", k.KeyID, ErrInvalid)
	}
	if k.Reverse && k.RequestReverse {
		return dst, fmt.Errorf("garlic: next key: reverse key with reverse request: %w", ErrInvalid)
	}
	var flags byte
	if k.HasKey {
		flags |= NextKeyFlagKey
	}
	if k.Reverse {
		flags |= NextKeyFlagReverse
	}
	if k.RequestReverse {
		flags |= NextKeyFlagRequestReverse
	}
	dst = binary.BigEndian.AppendUint16(append(dst, flags), k.KeyID)
	if k.HasKey {
		dst = append(dst, k.Key[:]...)
	}
	return dst, nil
}

func (a Ack) appendData(dst []byte) ([]byte, error) {
	if len(a.Acks) == 0 {
		return dst, fmt.Errorf("garlic: ack: no entries: %w", ErrInvalid)
	}
	for _, e := range a.Acks {
		dst = binary.BigEndian.AppendUint16(dst, e.TagSetID)
		dst = binary.BigEndian.AppendUint16(dst, e.N)
	}
	return dst, nil
}

func (r AckRequest) appendData(dst []byte) ([]byte, error) { return append(dst, r.Flags), nil }

func (p Padding) appendData(dst []byte) ([]byte, error) {
	if p.Size < 0 {
		return dst, fmt.Errorf("garlic: padding: size %d: %w", p.Size, ErrInvalid)
	}
	for range p.Size {
		dst = append(dst, 0)
	}
	return dst, nil
}

// BlockLen returns the encoded size of b, header included.
func BlockLen(b Block) int { return BlockHeaderSize + b.dataLen() }

// AppendBlock appends the encoding of b (type, size, data) to dst.
func AppendBlock(dst []byte, b Block) ([]byte, error) {
	n := b.dataLen()
	if n < 0 || n > MaxBlockDataSize {
		return dst, fmt.Errorf("garlic: block %d: %d bytes of data: %w", b.Type(), n, ErrTooLarge)
	}
	start := len(dst)
	dst = binary.BigEndian.AppendUint16(append(dst, byte(b.Type())), uint16(n))
	out, err := b.appendData(dst)
	if err != nil {
		return dst[:start], err
	}
	if len(out)-len(dst) != n {
		return dst[:start], fmt.Errorf("garlic: block %d: encoded %d bytes, want %d: %w", b.Type(), len(out)-len(dst), n, ErrInvalid)
	}
	return out, nil
}

// AppendBlocks appends the encodings of blocks to dst in order.
func AppendBlocks(dst []byte, blocks []Block) ([]byte, error) {
	start := len(dst)
	var err error
	for _, b := range blocks {
		if dst, err = AppendBlock(dst, b); err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

// BlocksLen returns the encoded size of blocks.
func BlocksLen(blocks []Block) int {
	n := 0
	for _, b := range blocks {
		n += BlockLen(b)
	}
	return n
}

// ParseBlocks decodes a decrypted payload section into its blocks (ecies.rst
// "Payload Section Decrypted data"). Every known block must have exactly its
// specified size; blocks of unknown type are skipped. Byte slices in the
// result (Clove message payloads, Termination and Options data) alias b.
// Ordering rules depend on the message and are checked by CheckOrder.
func ParseBlocks(b []byte) ([]Block, error) {
	s := cryptobyte.String(b)
	var blocks []Block
	for !s.Empty() {
		var t uint8
		var data cryptobyte.String
		if !s.ReadUint8(&t) || !s.ReadUint16LengthPrefixed(&data) {
			return nil, fmt.Errorf("garlic: block header after %d blocks: %w", len(blocks), ErrTruncated)
		}
		blk, err := parseBlock(BlockType(t), data)
		if err != nil {
			return nil, err
		}
		if blk != nil {
			blocks = append(blocks, blk)
		}
	}
	return blocks, nil
}

// parseBlock decodes the data of one block; unknown types give nil, nil.
func parseBlock(t BlockType, data []byte) (Block, error) {
	switch t {
	case BlockDateTime:
		if len(data) != DateTimeSize {
			return nil, sizeError("datetime", len(data))
		}
		return DateTime{Seconds: binary.BigEndian.Uint32(data)}, nil
	case BlockTermination:
		if len(data) < TerminationMinSize {
			return nil, sizeError("termination", len(data))
		}
		return Termination{Reason: data[0], Data: data[1:len(data):len(data)]}, nil
	case BlockOptions:
		return parseOptions(data)
	case BlockMessageNumbers:
		if len(data) != MessageNumbersSize {
			return nil, sizeError("message numbers", len(data))
		}
		return MessageNumbers{PN: binary.BigEndian.Uint16(data)}, nil
	case BlockNextKey:
		return parseNextKey(data)
	case BlockAck:
		return parseAck(data)
	case BlockAckRequest:
		if len(data) != AckRequestSize {
			return nil, sizeError("ack request", len(data))
		}
		return AckRequest{Flags: data[0]}, nil
	case BlockGarlicClove:
		return ParseClove(data)
	case BlockPadding:
		return Padding{Size: len(data)}, nil
	}
	return nil, nil
}

func sizeError(name string, n int) error {
	return fmt.Errorf("garlic: %s block: %d bytes: %w", name, n, ErrInvalid)
}

func parseOptions(data []byte) (Block, error) {
	if len(data) < OptionsMinSize {
		return nil, sizeError("options", len(data))
	}
	be := binary.BigEndian
	return Options{
		Version:        data[0],
		Flags:          data[1],
		TagLength:      data[2],
		Timeout:        be.Uint16(data[3:]),
		SenderWindow:   be.Uint16(data[5:]),
		ReceiverWindow: be.Uint16(data[7:]),
		TxMin:          data[9],
		TxMax:          data[10],
		RxMin:          data[11],
		RxMax:          data[12],
		TxDummy:        be.Uint16(data[13:]),
		RxDummy:        be.Uint16(data[15:]),
		TxDelay:        be.Uint16(data[17:]),
		RxDelay:        be.Uint16(data[19:]),
		More:           data[OptionsMinSize:len(data):len(data)],
	}, nil
}

func parseNextKey(data []byte) (Block, error) {
	if len(data) < NextKeyMinSize {
		return nil, sizeError("next key", len(data))
	}
	flags := data[0]
	k := NextKey{
		HasKey:         flags&NextKeyFlagKey != 0,
		Reverse:        flags&NextKeyFlagReverse != 0,
		RequestReverse: flags&NextKeyFlagRequestReverse != 0,
		KeyID:          binary.BigEndian.Uint16(data[1:]),
	}
	want := NextKeyMinSize
	if k.HasKey {
		want = NextKeyWithKeySize
	}
	if len(data) != want {
		return nil, sizeError("next key", len(data))
	}
	if k.HasKey {
		copy(k.Key[:], data[NextKeyMinSize:])
	}
	return k, nil
}

func parseAck(data []byte) (Block, error) {
	if len(data) == 0 || len(data)%AckEntrySize != 0 {
		return nil, sizeError("ack", len(data))
	}
	acks := make([]AckEntry, len(data)/AckEntrySize)
	for i := range acks {
		e := data[i*AckEntrySize:]
		acks[i] = AckEntry{TagSetID: binary.BigEndian.Uint16(e), N: binary.BigEndian.Uint16(e[2:])}
	}
	return Ack{Acks: acks}, nil
}
