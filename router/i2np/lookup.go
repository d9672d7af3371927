package i2np

import (
	"encoding/binary"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"

	"i2pgate/router/data"
)

// LookupFlags is the flag byte of a DatabaseLookup (i2np.rst
// "DatabaseLookup", flags). Bits 7-5 are reserved and kept as received.
type LookupFlags uint8

// DatabaseLookup flag bits.
const (
	// FlagTunnelReply (bit 0, deliveryFlag): the reply goes to tunnel
	// ReplyTunnelID at gateway From; the tunnel id is on the wire.
	FlagTunnelReply LookupFlags = 0x01
	// FlagEncryption (bit 1): ElGamal/AES reply; a reply key and 32-byte
	// session tags follow the excluded peers.
	FlagEncryption LookupFlags = 0x02
	// FlagECIES (bit 4): ChaCha20/Poly1305 reply; a reply key and 8-byte
	// ratchet tags follow the excluded peers.
	FlagECIES LookupFlags = 0x10
	// lookupTypeMask selects bits 3-2, the lookup type.
	lookupTypeMask  LookupFlags = 0x0C
	lookupTypeShift             = 2
)

// LookupType is what a DatabaseLookup asks for (flag bits 3-2).
type LookupType uint8

// Lookup types.
const (
	LookupNormal      LookupType = 0 // RouterInfo, LeaseSet or DatabaseSearchReply
	LookupLeaseSet    LookupType = 1 // a lease set of any type
	LookupRouterInfo  LookupType = 2 // a RouterInfo
	LookupExploration LookupType = 3 // a DatabaseSearchReply of non-floodfills
)

// LookupType returns the lookup type of f.
func (f LookupFlags) LookupType() LookupType {
	return LookupType((f & lookupTypeMask) >> lookupTypeShift)
}

// WithLookupType returns f with its lookup type bits set to t.
func (f LookupFlags) WithLookupType(t LookupType) LookupFlags {
	return f&^lookupTypeMask | LookupFlags(t&3)<<lookupTypeShift
}

// DatabaseLookup limits and sizes.
const (
	// MaxExcludedPeers is the spec's upper bound of the size field.
	MaxExcludedPeers = 512
	// MaxReplyTags is the spec's upper bound of the tags field.
	MaxReplyTags = 32
	// SessionKeySize is the size of the reply key.
	SessionKeySize = 32
	// SessionTagSize is the size of an ElGamal/AES session tag.
	SessionTagSize = 32
	// RatchetTagSize is the size of an ECIES-X25519-AEAD-Ratchet tag.
	RatchetTagSize = 8
)

// SessionTag is an ElGamal/AES session tag.
type SessionTag [SessionTagSize]byte

// RatchetTag is an ECIES-X25519-AEAD-Ratchet session tag.
type RatchetTag [RatchetTagSize]byte

// DatabaseLookup asks for a netDb entry (i2np.rst "DatabaseLookup",
// type 2; reply encryption per flag bits 1 and 4, proposals 154 and 156).
type DatabaseLookup struct {
	// Key is the real hash of the entry looked up.
	Key data.Hash
	// From is the requesting router, or the reply tunnel's gateway when
	// FlagTunnelReply is set.
	From  data.Hash
	Flags LookupFlags
	// ReplyTunnelID is on the wire only with FlagTunnelReply.
	ReplyTunnelID uint32
	// Excluded lists peers not to return (at most MaxExcludedPeers).
	Excluded []data.Hash
	// ReplyKey is on the wire only with FlagEncryption or FlagECIES.
	ReplyKey [SessionKeySize]byte
	// Tags (FlagEncryption) or RatchetTags (FlagECIES) hold 1 to
	// MaxReplyTags reply tags; the other one is empty.
	Tags        []SessionTag
	RatchetTags []RatchetTag
}

// Type returns TypeDatabaseLookup.
func (DatabaseLookup) Type() Type { return TypeDatabaseLookup }

// LookupType returns the lookup type of the flags.
func (l DatabaseLookup) LookupType() LookupType { return l.Flags.LookupType() }

// ParseDatabaseLookup decodes a DatabaseLookup payload. Both encryption
// bits set (ElGamal or ECIES to an ECIES router with DH, "TBD" in the spec)
// is rejected, as is any byte after the last field.
func ParseDatabaseLookup(payload []byte) (DatabaseLookup, error) {
	var l DatabaseLookup
	s := cryptobyte.String(payload)
	var flags uint8
	if !s.CopyBytes(l.Key[:]) || !s.CopyBytes(l.From[:]) || !s.ReadUint8(&flags) {
		return DatabaseLookup{}, fmt.Errorf("i2np: database lookup: %d bytes: %w", len(payload), ErrTruncated)
	}
	l.Flags = LookupFlags(flags)
	if err := l.checkEncryptionFlags(); err != nil {
		return DatabaseLookup{}, err
	}
	if l.Flags&FlagTunnelReply != 0 && !s.ReadUint32(&l.ReplyTunnelID) {
		return DatabaseLookup{}, fmt.Errorf("i2np: database lookup: reply tunnel: %w", ErrTruncated)
	}
	var n uint16
	if !s.ReadUint16(&n) {
		return DatabaseLookup{}, fmt.Errorf("i2np: database lookup: excluded count: %w", ErrTruncated)
	}
	if n > MaxExcludedPeers {
		return DatabaseLookup{}, fmt.Errorf("i2np: database lookup: %d excluded peers: %w", n, ErrInvalid)
	}
	var raw []byte
	if !s.ReadBytes(&raw, int(n)*data.HashSize) {
		return DatabaseLookup{}, fmt.Errorf("i2np: database lookup: %d excluded peers: %w", n, ErrTruncated)
	}
	if n > 0 {
		l.Excluded = make([]data.Hash, n)
		for i := range l.Excluded {
			l.Excluded[i] = data.Hash(raw[i*data.HashSize:])
		}
	}
	if err := l.parseReply(&s); err != nil {
		return DatabaseLookup{}, err
	}
	if !s.Empty() {
		return DatabaseLookup{}, fmt.Errorf("i2np: database lookup: %d bytes after the last field: %w", len(s), ErrTrailingData)
	}
	return l, nil
}

func (l DatabaseLookup) checkEncryptionFlags() error {
	if l.Flags&FlagEncryption != 0 && l.Flags&FlagECIES != 0 {
		return fmt.Errorf("i2np: database lookup: flags %#02x: both ElGamal and ECIES reply bits: %w", uint8(l.Flags), ErrInvalid)
	}
	return nil
}

// parseReply reads the reply key and tags the flags announce.
func (l *DatabaseLookup) parseReply(s *cryptobyte.String) error {
	tagSize := l.replyTagSize()
	if tagSize == 0 {
		return nil
	}
	var n uint8
	if !s.CopyBytes(l.ReplyKey[:]) || !s.ReadUint8(&n) {
		return fmt.Errorf("i2np: database lookup: reply key: %w", ErrTruncated)
	}
	if n == 0 || n > MaxReplyTags {
		return fmt.Errorf("i2np: database lookup: %d reply tags: %w", n, ErrInvalid)
	}
	var raw []byte
	if !s.ReadBytes(&raw, int(n)*tagSize) {
		return fmt.Errorf("i2np: database lookup: %d reply tags: %w", n, ErrTruncated)
	}
	if tagSize == SessionTagSize {
		l.Tags = make([]SessionTag, n)
		for i := range l.Tags {
			l.Tags[i] = SessionTag(raw[i*tagSize:])
		}
		return nil
	}
	l.RatchetTags = make([]RatchetTag, n)
	for i := range l.RatchetTags {
		l.RatchetTags[i] = RatchetTag(raw[i*tagSize:])
	}
	return nil
}

// replyTagSize is the tag size the flags announce, 0 for no encryption.
func (l DatabaseLookup) replyTagSize() int {
	switch {
	case l.Flags&FlagECIES != 0:
		return RatchetTagSize
	case l.Flags&FlagEncryption != 0:
		return SessionTagSize
	}
	return 0
}

// Len is the encoded length of l.
func (l DatabaseLookup) Len() int {
	n := 2*data.HashSize + 1 + 2 + len(l.Excluded)*data.HashSize
	if l.Flags&FlagTunnelReply != 0 {
		n += 4
	}
	if l.replyTagSize() != 0 {
		n += SessionKeySize + 1 + len(l.Tags)*SessionTagSize + len(l.RatchetTags)*RatchetTagSize
	}
	return n
}

// Append appends the payload encoding of l to dst.
func (l DatabaseLookup) Append(dst []byte) ([]byte, error) {
	if err := l.check(); err != nil {
		return dst, err
	}
	dst = slices.Grow(dst, l.Len())
	dst = append(dst, l.Key[:]...)
	dst = append(dst, l.From[:]...)
	dst = append(dst, byte(l.Flags))
	if l.Flags&FlagTunnelReply != 0 {
		dst = binary.BigEndian.AppendUint32(dst, l.ReplyTunnelID)
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(l.Excluded)))
	for i := range l.Excluded {
		dst = append(dst, l.Excluded[i][:]...)
	}
	if l.replyTagSize() == 0 {
		return dst, nil
	}
	dst = append(dst, l.ReplyKey[:]...)
	dst = append(dst, byte(len(l.Tags)+len(l.RatchetTags)))
	for i := range l.Tags {
		dst = append(dst, l.Tags[i][:]...)
	}
	for i := range l.RatchetTags {
		dst = append(dst, l.RatchetTags[i][:]...)
	}
	return dst, nil
}

// check verifies that the fields agree with the flags, so that Append
// writes what ParseDatabaseLookup reads back.
func (l DatabaseLookup) check() error {
	if err := l.checkEncryptionFlags(); err != nil {
		return err
	}
	if len(l.Excluded) > MaxExcludedPeers {
		return fmt.Errorf("i2np: database lookup: %d excluded peers: %w", len(l.Excluded), ErrInvalid)
	}
	if l.Flags&FlagTunnelReply == 0 && l.ReplyTunnelID != 0 {
		return fmt.Errorf("i2np: database lookup: reply tunnel without tunnel flag: %w", ErrInvalid)
	}
	tags, other := 0, len(l.Tags)+len(l.RatchetTags)
	switch l.replyTagSize() {
	case SessionTagSize:
		tags, other = len(l.Tags), len(l.RatchetTags)
	case RatchetTagSize:
		tags, other = len(l.RatchetTags), len(l.Tags)
	default:
		if l.ReplyKey != [SessionKeySize]byte{} {
			return fmt.Errorf("i2np: database lookup: reply key without encryption flag: %w", ErrInvalid)
		}
		if other != 0 {
			return fmt.Errorf("i2np: database lookup: reply tags without encryption flag: %w", ErrInvalid)
		}
		return nil
	}
	if tags == 0 || tags > MaxReplyTags || other != 0 {
		return fmt.Errorf("i2np: database lookup: %d reply tags (%d of the wrong kind) for flags %#02x: %w",
			tags, other, uint8(l.Flags), ErrInvalid)
	}
	return nil
}
