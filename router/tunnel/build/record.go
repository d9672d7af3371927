package build

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"i2pgate/router/data"
)

// Cleartext record sizes (tunnel-creation-ecies.rst "Request Record
// Unencrypted", "Reply Record Unencrypted" and their short forms).
const (
	ShortRequestSize = 154
	LongRequestSize  = 464
	ShortReplySize   = 202
	LongReplySize    = 512

	// MaxShortRequestOptions and MaxLongRequestOptions bound the build
	// options Mapping including its 2-byte length field.
	MaxShortRequestOptions = 98
	MaxLongRequestOptions  = 296
	// MaxShortReplyOptions and MaxLongReplyOptions bound the reply
	// options Mapping including its 2-byte length field.
	MaxShortReplyOptions = ShortReplySize - 1
	MaxLongReplyOptions  = LongReplySize - 1

	// DefaultExpiration is the only request expiration the spec allows
	// for now, in seconds after the request time.
	DefaultExpiration = 600
)

// Short request record layout.
const (
	shortReceiveOffset    = 0
	shortNextTunnelOffset = 4
	shortNextRouterOffset = 8
	shortFlagsOffset      = 40
	shortMoreFlagsOffset  = 41
	shortLayerTypeOffset  = 43
	shortTimeOffset       = 44
	shortExpirationOffset = 48
	shortMessageIDOffset  = 52
	shortOptionsOffset    = 56
)

// Long request record layout.
const (
	longReceiveOffset    = 0
	longNextTunnelOffset = 4
	longNextRouterOffset = 8
	longLayerKeyOffset   = 40
	longIVKeyOffset      = 72
	longReplyKeyOffset   = 104
	longReplyIVOffset    = 136
	longFlagsOffset      = 152
	longMoreFlagsOffset  = 153
	longTimeOffset       = 156
	longExpirationOffset = 160
	longMessageIDOffset  = 164
	longOptionsOffset    = 168
)

// Errors, wrapped with context by the functions of this package.
var (
	// ErrInvalid marks a record whose size or fields break the spec.
	ErrInvalid = errors.New("invalid record")
	// ErrNotFound means no record of a build message carries our
	// truncated router hash.
	ErrNotFound = errors.New("no record for this router")
	// ErrDecrypt means a record failed to authenticate.
	ErrDecrypt = errors.New("record decryption failed")
	// ErrUnsupported means a request asks for something this router
	// cannot do (a layer encryption other than AES).
	ErrUnsupported = errors.New("unsupported request")
)

// Flags is the flags byte of a build request record (tunnel-creation.rst
// "Request Record Unencrypted").
type Flags uint8

// Flag bits; a hop with neither is an intermediate participant.
const (
	// FlagIBGW (bit 7): allow messages from anyone; the hop is the
	// inbound gateway.
	FlagIBGW Flags = 0x80
	// FlagOBEP (bit 6): allow messages to anyone; the hop is the
	// outbound endpoint and sends the build reply to the next hop.
	FlagOBEP Flags = 0x40
)

// Status is the reply byte of a build reply record.
type Status uint8

// Reply codes (tunnel-creation.rst "Reply Record Unencrypted"). Routers
// send only StatusAccept and StatusBandwidth to avoid fingerprinting.
const (
	StatusAccept            Status = 0
	StatusProbabilistic     Status = 10 // TUNNEL_REJECT_PROBABALISTIC_REJECT
	StatusTransientOverload Status = 20 // TUNNEL_REJECT_TRANSIENT_OVERLOAD
	StatusBandwidth         Status = 30 // TUNNEL_REJECT_BANDWIDTH
	StatusCritical          Status = 50 // TUNNEL_REJECT_CRIT
)

// LayerAES is the only layer encryption type defined for short records.
const LayerAES = 0

// Request holds the fields that short and long ECIES request records share.
type Request struct {
	// ReceiveTunnel is the tunnel ID the hop receives messages as.
	ReceiveTunnel uint32
	// NextTunnel and NextRouter name the next hop; for an OBEP they are
	// the reply tunnel and its gateway, for the last inbound hop the
	// creator.
	NextTunnel uint32
	NextRouter data.Hash
	Flags      Flags
	// RequestTime is in minutes since the epoch, rounded down.
	RequestTime uint32
	// Expiration is in seconds after RequestTime (DefaultExpiration).
	Expiration uint32
	// NextMessageID is the message ID of the build message the hop sends
	// on (the reply's ID at the last hop).
	NextMessageID uint32
	// Options are the tunnel build options (Prop168 "m", "r", "l").
	Options data.Mapping
}

// Time returns RequestTime as a time.
func (r *Request) Time() time.Time {
	return time.Unix(int64(r.RequestTime)*60, 0)
}

// ExpiresAt returns the time the tunnel expires: RequestTime plus
// Expiration.
func (r *Request) ExpiresAt() time.Time {
	return r.Time().Add(time.Duration(r.Expiration) * time.Second)
}

// ShortRequest is the 154-byte cleartext of a short build request record
// (tunnel-creation-ecies.rst "Short Request Record Unencrypted").
type ShortRequest struct {
	Request
	// MoreFlags are bytes 41-42, zero today.
	MoreFlags uint16
	// LayerEncryption is 0 (LayerAES); other values are reserved.
	LayerEncryption uint8
}

// LongRequest is the 464-byte cleartext of an ECIES long build request
// record (tunnel-creation-ecies.rst "Request Record Unencrypted").
type LongRequest struct {
	Request
	LayerKey [32]byte
	IVKey    [32]byte
	// ReplyKey and ReplyIV AES-256-CBC encrypt the other records.
	ReplyKey [32]byte
	ReplyIV  [16]byte
	// MoreFlags are bytes 153-155, zero today.
	MoreFlags [3]byte
}

func (r *Request) check() error {
	if r.ReceiveTunnel == 0 || r.NextTunnel == 0 {
		return fmt.Errorf("zero tunnel ID: %w", ErrInvalid)
	}
	if r.Flags&FlagIBGW != 0 && r.Flags&FlagOBEP != 0 {
		return fmt.Errorf("both IBGW and OBEP flags: %w", ErrInvalid)
	}
	return nil
}

// ParseShortRequest decodes a 154-byte short request cleartext.
func ParseShortRequest(b []byte) (ShortRequest, error) {
	var r ShortRequest
	if len(b) != ShortRequestSize {
		return r, fmt.Errorf("build: short request: %d bytes: %w", len(b), ErrInvalid)
	}
	r.ReceiveTunnel = binary.BigEndian.Uint32(b[shortReceiveOffset:])
	r.NextTunnel = binary.BigEndian.Uint32(b[shortNextTunnelOffset:])
	copy(r.NextRouter[:], b[shortNextRouterOffset:])
	r.Flags = Flags(b[shortFlagsOffset])
	r.MoreFlags = binary.BigEndian.Uint16(b[shortMoreFlagsOffset:])
	r.LayerEncryption = b[shortLayerTypeOffset]
	r.RequestTime = binary.BigEndian.Uint32(b[shortTimeOffset:])
	r.Expiration = binary.BigEndian.Uint32(b[shortExpirationOffset:])
	r.NextMessageID = binary.BigEndian.Uint32(b[shortMessageIDOffset:])
	opts, err := parseOptions(b[shortOptionsOffset:], MaxShortRequestOptions)
	if err != nil {
		return ShortRequest{}, fmt.Errorf("build: short request: %w", err)
	}
	r.Options = opts
	if err := r.check(); err != nil {
		return ShortRequest{}, fmt.Errorf("build: short request: %w", err)
	}
	return r, nil
}

// Append appends the 154-byte cleartext of r, zero padded (the record is
// encrypted, so the padding needs no randomness).
func (r *ShortRequest) Append(dst []byte) ([]byte, error) {
	if err := r.check(); err != nil {
		return dst, fmt.Errorf("build: short request: %w", err)
	}
	var b [ShortRequestSize]byte
	binary.BigEndian.PutUint32(b[shortReceiveOffset:], r.ReceiveTunnel)
	binary.BigEndian.PutUint32(b[shortNextTunnelOffset:], r.NextTunnel)
	copy(b[shortNextRouterOffset:], r.NextRouter[:])
	b[shortFlagsOffset] = byte(r.Flags)
	binary.BigEndian.PutUint16(b[shortMoreFlagsOffset:], r.MoreFlags)
	b[shortLayerTypeOffset] = r.LayerEncryption
	binary.BigEndian.PutUint32(b[shortTimeOffset:], r.RequestTime)
	binary.BigEndian.PutUint32(b[shortExpirationOffset:], r.Expiration)
	binary.BigEndian.PutUint32(b[shortMessageIDOffset:], r.NextMessageID)
	if err := putOptions(b[shortOptionsOffset:], r.Options, MaxShortRequestOptions); err != nil {
		return dst, fmt.Errorf("build: short request: %w", err)
	}
	return append(dst, b[:]...), nil
}

// ParseLongRequest decodes a 464-byte long request cleartext.
func ParseLongRequest(b []byte) (LongRequest, error) {
	var r LongRequest
	if len(b) != LongRequestSize {
		return r, fmt.Errorf("build: long request: %d bytes: %w", len(b), ErrInvalid)
	}
	r.ReceiveTunnel = binary.BigEndian.Uint32(b[longReceiveOffset:])
	r.NextTunnel = binary.BigEndian.Uint32(b[longNextTunnelOffset:])
	copy(r.NextRouter[:], b[longNextRouterOffset:])
	copy(r.LayerKey[:], b[longLayerKeyOffset:])
	copy(r.IVKey[:], b[longIVKeyOffset:])
	copy(r.ReplyKey[:], b[longReplyKeyOffset:])
	copy(r.ReplyIV[:], b[longReplyIVOffset:])
	r.Flags = Flags(b[longFlagsOffset])
	copy(r.MoreFlags[:], b[longMoreFlagsOffset:longTimeOffset])
	r.RequestTime = binary.BigEndian.Uint32(b[longTimeOffset:])
	r.Expiration = binary.BigEndian.Uint32(b[longExpirationOffset:])
	r.NextMessageID = binary.BigEndian.Uint32(b[longMessageIDOffset:])
	opts, err := parseOptions(b[longOptionsOffset:], MaxLongRequestOptions)
	if err != nil {
		return LongRequest{}, fmt.Errorf("build: long request: %w", err)
	}
	r.Options = opts
	if err := r.check(); err != nil {
		return LongRequest{}, fmt.Errorf("build: long request: %w", err)
	}
	return r, nil
}

// Append appends the 464-byte cleartext of r, zero padded.
func (r *LongRequest) Append(dst []byte) ([]byte, error) {
	if err := r.check(); err != nil {
		return dst, fmt.Errorf("build: long request: %w", err)
	}
	var b [LongRequestSize]byte
	binary.BigEndian.PutUint32(b[longReceiveOffset:], r.ReceiveTunnel)
	binary.BigEndian.PutUint32(b[longNextTunnelOffset:], r.NextTunnel)
	copy(b[longNextRouterOffset:], r.NextRouter[:])
	copy(b[longLayerKeyOffset:], r.LayerKey[:])
	copy(b[longIVKeyOffset:], r.IVKey[:])
	copy(b[longReplyKeyOffset:], r.ReplyKey[:])
	copy(b[longReplyIVOffset:], r.ReplyIV[:])
	b[longFlagsOffset] = byte(r.Flags)
	copy(b[longMoreFlagsOffset:longTimeOffset], r.MoreFlags[:])
	binary.BigEndian.PutUint32(b[longTimeOffset:], r.RequestTime)
	binary.BigEndian.PutUint32(b[longExpirationOffset:], r.Expiration)
	binary.BigEndian.PutUint32(b[longMessageIDOffset:], r.NextMessageID)
	if err := putOptions(b[longOptionsOffset:], r.Options, MaxLongRequestOptions); err != nil {
		return dst, fmt.Errorf("build: long request: %w", err)
	}
	return append(dst, b[:]...), nil
}

// Reply is the cleartext of a build reply record (tunnel-creation-ecies.rst
// "Reply Record Unencrypted", 512 bytes, and "Short Reply Record
// Unencrypted", 202 bytes): an options Mapping, padding, and the reply
// byte last.
type Reply struct {
	// Options are the reply options (Prop168 "b").
	Options data.Mapping
	Status  Status
}

// Accepted reports whether the hop accepted the tunnel.
func (r *Reply) Accepted() bool { return r.Status == StatusAccept }

// ParseShortReply decodes a 202-byte short reply cleartext.
func ParseShortReply(b []byte) (Reply, error) {
	return parseReply(b, ShortReplySize, "short reply")
}

// ParseLongReply decodes a 512-byte long reply cleartext.
func ParseLongReply(b []byte) (Reply, error) {
	return parseReply(b, LongReplySize, "long reply")
}

// AppendShort appends the 202-byte short reply cleartext of r.
func (r *Reply) AppendShort(dst []byte) ([]byte, error) {
	return r.appendSized(dst, ShortReplySize, "short reply")
}

// AppendLong appends the 512-byte long reply cleartext of r.
func (r *Reply) AppendLong(dst []byte) ([]byte, error) {
	return r.appendSized(dst, LongReplySize, "long reply")
}

func parseReply(b []byte, size int, what string) (Reply, error) {
	if len(b) != size {
		return Reply{}, fmt.Errorf("build: %s: %d bytes: %w", what, len(b), ErrInvalid)
	}
	opts, err := parseOptions(b[:size-1], size-1)
	if err != nil {
		return Reply{}, fmt.Errorf("build: %s: %w", what, err)
	}
	return Reply{Options: opts, Status: Status(b[size-1])}, nil
}

func (r *Reply) appendSized(dst []byte, size int, what string) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, size)...)
	b := dst[start:]
	if err := putOptions(b[:size-1], r.Options, size-1); err != nil {
		return dst[:start], fmt.Errorf("build: %s: %w", what, err)
	}
	b[size-1] = byte(r.Status)
	return dst, nil
}

// parseOptions reads a Mapping at the start of b whose encoding, length
// field included, must fit in max bytes (and in b).
func parseOptions(b []byte, max int) (data.Mapping, error) {
	if len(b) < 2 {
		return data.Mapping{}, fmt.Errorf("options: %w", ErrInvalid)
	}
	n := int(binary.BigEndian.Uint16(b)) + 2
	if n > max || n > len(b) {
		return data.Mapping{}, fmt.Errorf("options: %d bytes: %w", n, ErrInvalid)
	}
	m, rest, err := data.ParseMapping(b[:n])
	if err != nil {
		return data.Mapping{}, fmt.Errorf("options: %w", err)
	}
	if len(rest) != 0 {
		return data.Mapping{}, fmt.Errorf("options: %w", ErrInvalid)
	}
	return m, nil
}

// putOptions writes m at the start of b (zeroed by the caller).
func putOptions(b []byte, m data.Mapping, max int) error {
	enc, err := m.Append(nil)
	if err != nil {
		return fmt.Errorf("options: %w", err)
	}
	if len(enc) > max || len(enc) > len(b) {
		return fmt.Errorf("options: %d bytes: %w", len(enc), ErrInvalid)
	}
	copy(b, enc)
	return nil
}
