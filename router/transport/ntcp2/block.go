package ntcp2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"i2pgate/router/i2np"
	"i2pgate/router/transport"
)

// BlockType is the one-byte type of a data-phase block (ntcp2.rst
// "Unencrypted data").
type BlockType uint8

// Block types.
const (
	BlockDateTime    BlockType = 0
	BlockOptions     BlockType = 1
	BlockRouterInfo  BlockType = 2
	BlockI2NP        BlockType = 3
	BlockTermination BlockType = 4
	BlockPadding     BlockType = 254
)

// Block and frame sizes (ntcp2.rst "Data Phase", "Raw contents" and
// "Unencrypted data").
const (
	BlockHeaderSize     = 3                                // type 1, size 2
	MACSize             = 16                               // Poly1305 tag
	LengthSize          = 2                                // obfuscated frame length
	MaxFrameSize        = 65535                            // ChaChaPoly frame incl. MAC
	MinFrameSize        = MACSize                          // an empty frame
	MaxPayloadSize      = MaxFrameSize - MACSize           // 65519 plaintext bytes
	MaxBlockDataSize    = MaxPayloadSize - BlockHeaderSize // 65516
	DateTimeSize        = 4
	MinOptionsSize      = 12
	MinTerminationSize  = 9 // frames received 8, reason 1
	routerInfoFlagSize  = 1
	routerInfoFlagFlood = 0x01
)

// ErrBlock is wrapped by every block parsing error.
var ErrBlock = errors.New("ntcp2: malformed block")

// Block is one block of a frame payload. Data aliases the parsed payload.
type Block struct {
	Type BlockType
	Data []byte
}

// ParseBlocks splits a frame payload into blocks, checking every size and
// the data-phase ordering rules (ntcp2.rst "Block Ordering Rules"): at most
// one Padding block and it comes last; Termination is last except for
// Padding. Blocks of unknown types are returned as they are, for the caller
// to skip; known types are checked for their minimum sizes.
func ParseBlocks(payload []byte) ([]Block, error) {
	return AppendBlocks(nil, payload)
}

// AppendBlocks is ParseBlocks appending to dst, so a session can reuse one
// slice for every frame.
func AppendBlocks(dst []Block, payload []byte) ([]Block, error) {
	if len(payload) > MaxPayloadSize {
		return dst, fmt.Errorf("%w: payload of %d bytes", ErrBlock, len(payload))
	}
	sawTermination := false
	for len(payload) > 0 {
		if len(payload) < BlockHeaderSize {
			return dst, fmt.Errorf("%w: %d trailing bytes", ErrBlock, len(payload))
		}
		t := BlockType(payload[0])
		n := int(binary.BigEndian.Uint16(payload[1:BlockHeaderSize]))
		if n > len(payload)-BlockHeaderSize {
			return dst, fmt.Errorf("%w: block type %d size %d exceeds frame", ErrBlock, t, n)
		}
		b := Block{Type: t, Data: payload[BlockHeaderSize : BlockHeaderSize+n : BlockHeaderSize+n]}
		payload = payload[BlockHeaderSize+n:]
		if err := checkBlock(b); err != nil {
			return dst, err
		}
		if t == BlockPadding && len(payload) > 0 {
			return dst, fmt.Errorf("%w: padding is not the last block", ErrBlock)
		}
		if sawTermination && t != BlockPadding {
			return dst, fmt.Errorf("%w: block type %d after termination", ErrBlock, t)
		}
		sawTermination = sawTermination || t == BlockTermination
		dst = append(dst, b)
	}
	return dst, nil
}

func checkBlock(b Block) error {
	min := 0
	switch b.Type {
	case BlockDateTime:
		if len(b.Data) != DateTimeSize {
			return fmt.Errorf("%w: datetime size %d", ErrBlock, len(b.Data))
		}
	case BlockOptions:
		min = MinOptionsSize
	case BlockRouterInfo:
		min = routerInfoFlagSize + 1
	case BlockI2NP:
		min = i2np.ShortHeaderSize
	case BlockTermination:
		min = MinTerminationSize
	}
	if len(b.Data) < min {
		return fmt.Errorf("%w: block type %d size %d below %d", ErrBlock, b.Type, len(b.Data), min)
	}
	return nil
}

// DateTime returns the timestamp of a DateTime block (ntcp2.rst "DateTime").
func (b Block) DateTime() (uint32, error) {
	if b.Type != BlockDateTime || len(b.Data) != DateTimeSize {
		return 0, fmt.Errorf("%w: not a datetime block", ErrBlock)
	}
	return binary.BigEndian.Uint32(b.Data), nil
}

// RouterInfo returns the RouterInfo bytes and flood flag of a RouterInfo
// block (ntcp2.rst "RouterInfo"). ri aliases the block.
func (b Block) RouterInfo() (ri []byte, flood bool, err error) {
	if b.Type != BlockRouterInfo || len(b.Data) < routerInfoFlagSize+1 {
		return nil, false, fmt.Errorf("%w: not a routerinfo block", ErrBlock)
	}
	return b.Data[routerInfoFlagSize:], b.Data[0]&routerInfoFlagFlood != 0, nil
}

// I2NP decodes the short-header I2NP message of an I2NP block (ntcp2.rst
// "I2NP Message"). The payload aliases the block.
func (b Block) I2NP() (i2np.Message, error) {
	if b.Type != BlockI2NP {
		return i2np.Message{}, fmt.Errorf("%w: not an i2np block", ErrBlock)
	}
	m, err := i2np.ParseShort(b.Data)
	if err != nil {
		return i2np.Message{}, fmt.Errorf("%w: %w", ErrBlock, err)
	}
	return m, nil
}

// Termination is the content of a Termination block (ntcp2.rst
// "Termination").
type Termination struct {
	FramesReceived uint64 // valid data-phase frames the sender received
	Reason         transport.Reason
	Extra          []byte // aliases the block
}

// Termination decodes a Termination block.
func (b Block) Termination() (Termination, error) {
	if b.Type != BlockTermination || len(b.Data) < MinTerminationSize {
		return Termination{}, fmt.Errorf("%w: not a termination block", ErrBlock)
	}
	return Termination{
		FramesReceived: binary.BigEndian.Uint64(b.Data),
		Reason:         transport.Reason(b.Data[8]),
		Extra:          b.Data[MinTerminationSize:],
	}, nil
}

// PaddingOptions is the Options block (ntcp2.rst "Options"): padding ratios
// in 4.4 fixed point and dummy traffic and delay requests.
type PaddingOptions struct {
	TMin, TMax, RMin, RMax uint8
	TDummy, RDummy         uint16
	TDelay, RDelay         uint16
	More                   []byte // more_options, format TBD; aliases the block
}

// Options decodes an Options block.
func (b Block) Options() (PaddingOptions, error) {
	if b.Type != BlockOptions || len(b.Data) < MinOptionsSize {
		return PaddingOptions{}, fmt.Errorf("%w: not an options block", ErrBlock)
	}
	d := b.Data
	return PaddingOptions{
		TMin: d[0], TMax: d[1], RMin: d[2], RMax: d[3],
		TDummy: binary.BigEndian.Uint16(d[4:]), RDummy: binary.BigEndian.Uint16(d[6:]),
		TDelay: binary.BigEndian.Uint16(d[8:]), RDelay: binary.BigEndian.Uint16(d[10:]),
		More: d[MinOptionsSize:],
	}, nil
}

func appendBlockHeader(dst []byte, t BlockType, n int) []byte {
	return append(dst, byte(t), byte(n>>8), byte(n))
}

// AppendDateTime appends a DateTime block.
func AppendDateTime(dst []byte, ts uint32) []byte {
	dst = appendBlockHeader(dst, BlockDateTime, DateTimeSize)
	return binary.BigEndian.AppendUint32(dst, ts)
}

// AppendRouterInfo appends a RouterInfo block carrying ri.
func AppendRouterInfo(dst, ri []byte, flood bool) ([]byte, error) {
	if len(ri) == 0 || len(ri)+routerInfoFlagSize > MaxBlockDataSize {
		return dst, fmt.Errorf("%w: routerinfo of %d bytes", ErrBlock, len(ri))
	}
	dst = appendBlockHeader(dst, BlockRouterInfo, len(ri)+routerInfoFlagSize)
	var flag byte
	if flood {
		flag = routerInfoFlagFlood
	}
	return append(append(dst, flag), ri...), nil
}

// AppendI2NP appends an I2NP block carrying m with the short header.
func AppendI2NP(dst []byte, m i2np.Message) ([]byte, error) {
	n := m.ShortLen()
	if n > MaxBlockDataSize {
		return dst, fmt.Errorf("%w: i2np message of %d bytes", ErrBlock, n)
	}
	start := len(dst)
	dst = appendBlockHeader(dst, BlockI2NP, n)
	out, err := m.AppendShort(dst)
	if err != nil {
		return dst[:start], fmt.Errorf("ntcp2: i2np block: %w", err)
	}
	return out, nil
}

// AppendTermination appends a Termination block.
func AppendTermination(dst []byte, t Termination) ([]byte, error) {
	n := MinTerminationSize + len(t.Extra)
	if n > MaxBlockDataSize {
		return dst, fmt.Errorf("%w: termination of %d bytes", ErrBlock, n)
	}
	dst = appendBlockHeader(dst, BlockTermination, n)
	dst = binary.BigEndian.AppendUint64(dst, t.FramesReceived)
	dst = append(dst, byte(t.Reason))
	return append(dst, t.Extra...), nil
}

// AppendOptions appends an Options block.
func AppendOptions(dst []byte, o PaddingOptions) ([]byte, error) {
	n := MinOptionsSize + len(o.More)
	if n > MaxBlockDataSize {
		return dst, fmt.Errorf("%w: options of %d bytes", ErrBlock, n)
	}
	dst = appendBlockHeader(dst, BlockOptions, n)
	dst = append(dst, o.TMin, o.TMax, o.RMin, o.RMax)
	dst = binary.BigEndian.AppendUint16(dst, o.TDummy)
	dst = binary.BigEndian.AppendUint16(dst, o.RDummy)
	dst = binary.BigEndian.AppendUint16(dst, o.TDelay)
	dst = binary.BigEndian.AppendUint16(dst, o.RDelay)
	return append(dst, o.More...), nil
}

// AppendPadding appends a Padding block of n zero bytes (the frame is
// encrypted, so zeros are as good as random, as i2pd does).
func AppendPadding(dst []byte, n int) []byte {
	if n < 0 {
		n = 0
	}
	if n > MaxBlockDataSize {
		n = MaxBlockDataSize
	}
	dst = appendBlockHeader(dst, BlockPadding, n)
	dst = slices.Grow(dst, n)
	dst = dst[:len(dst)+n]
	clear(dst[len(dst)-n:])
	return dst
}
