package i2np

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"golang.org/x/crypto/cryptobyte"

	"i2pgate/router/data"
)

// StoreType is the type byte of a DatabaseStore: what its data holds.
type StoreType uint8

// Store types (i2np.rst "DatabaseStore", type field).
const (
	StoreRouterInfo        StoreType = 0
	StoreLeaseSet          StoreType = 1
	StoreLeaseSet2         StoreType = 3
	StoreEncryptedLeaseSet StoreType = 5
	StoreMetaLeaseSet      StoreType = 7
)

// Valid reports whether t is one of the defined store types.
func (t StoreType) Valid() bool {
	switch t {
	case StoreRouterInfo, StoreLeaseSet, StoreLeaseSet2, StoreEncryptedLeaseSet, StoreMetaLeaseSet:
		return true
	}
	return false
}

// IsLeaseSet reports whether t is one of the lease set types.
func (t StoreType) IsLeaseSet() bool { return t.Valid() && t != StoreRouterInfo }

// DatabaseStore layout (fixed head).
const (
	storeKeyOffset        = 0
	storeTypeOffset       = storeKeyOffset + data.HashSize
	storeReplyTokenOffset = storeTypeOffset + 1
	storeHeaderSize       = storeReplyTokenOffset + 4
	storeReplySize        = 4 + data.HashSize // reply tunnel id + reply gateway
	storeRILengthSize     = 2
)

// DatabaseStore is an unsolicited store or the answer to a lookup
// (i2np.rst "DatabaseStore", type 1).
type DatabaseStore struct {
	// Key is the real hash of the RouterIdentity or Destination.
	Key       data.Hash
	StoreType StoreType
	// ReplyToken, when nonzero, asks for a DeliveryStatus with this
	// message id, sent to ReplyGateway (through ReplyTunnelID if nonzero).
	// The two reply fields are on the wire only when ReplyToken != 0.
	ReplyToken    uint32
	ReplyTunnelID uint32
	ReplyGateway  data.Hash
	// Data is, for StoreRouterInfo, the gzip-compressed RouterInfo (its
	// 2-byte length prefix is added by Append); for the lease set types,
	// the serialized lease set, which runs to the end of the payload.
	Data []byte
}

// Type returns TypeDatabaseStore.
func (DatabaseStore) Type() Type { return TypeDatabaseStore }

// ParseDatabaseStore decodes a DatabaseStore payload.
func ParseDatabaseStore(payload []byte) (DatabaseStore, error) {
	var ds DatabaseStore
	s := cryptobyte.String(payload)
	var t uint8
	if !s.CopyBytes(ds.Key[:]) || !s.ReadUint8(&t) || !s.ReadUint32(&ds.ReplyToken) {
		return DatabaseStore{}, fmt.Errorf("i2np: database store: %d bytes: %w", len(payload), ErrTruncated)
	}
	ds.StoreType = StoreType(t)
	if !ds.StoreType.Valid() {
		return DatabaseStore{}, fmt.Errorf("i2np: database store: type %#x: %w", t, ErrInvalid)
	}
	if ds.ReplyToken != 0 {
		if !s.ReadUint32(&ds.ReplyTunnelID) || !s.CopyBytes(ds.ReplyGateway[:]) {
			return DatabaseStore{}, fmt.Errorf("i2np: database store: reply fields: %w", ErrTruncated)
		}
	}
	if ds.StoreType == StoreRouterInfo {
		var ri cryptobyte.String
		if !s.ReadUint16LengthPrefixed(&ri) {
			return DatabaseStore{}, fmt.Errorf("i2np: database store: router info length: %w", ErrTruncated)
		}
		if !s.Empty() {
			return DatabaseStore{}, fmt.Errorf("i2np: database store: %d bytes after router info: %w", len(s), ErrTrailingData)
		}
		s = ri
	}
	if s.Empty() {
		return DatabaseStore{}, fmt.Errorf("i2np: database store: empty %v data: %w", ds.StoreType, ErrInvalid)
	}
	ds.Data = s[:len(s):len(s)]
	return ds, nil
}

// Len is the encoded length of ds.
func (ds DatabaseStore) Len() int {
	n := storeHeaderSize + len(ds.Data)
	if ds.ReplyToken != 0 {
		n += storeReplySize
	}
	if ds.StoreType == StoreRouterInfo {
		n += storeRILengthSize
	}
	return n
}

// Append appends the payload encoding of ds to dst.
func (ds DatabaseStore) Append(dst []byte) ([]byte, error) {
	if err := ds.check(); err != nil {
		return dst, err
	}
	dst = slices.Grow(dst, ds.Len())
	dst = append(dst, ds.Key[:]...)
	dst = append(dst, byte(ds.StoreType))
	dst = binary.BigEndian.AppendUint32(dst, ds.ReplyToken)
	if ds.ReplyToken != 0 {
		dst = binary.BigEndian.AppendUint32(dst, ds.ReplyTunnelID)
		dst = append(dst, ds.ReplyGateway[:]...)
	}
	if ds.StoreType == StoreRouterInfo {
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(ds.Data)))
	}
	return append(dst, ds.Data...), nil
}

func (ds DatabaseStore) check() error {
	if !ds.StoreType.Valid() {
		return fmt.Errorf("i2np: database store: type %#x: %w", uint8(ds.StoreType), ErrInvalid)
	}
	if ds.ReplyToken == 0 && (ds.ReplyTunnelID != 0 || !ds.ReplyGateway.IsZero()) {
		return fmt.Errorf("i2np: database store: reply tunnel or gateway without reply token: %w", ErrInvalid)
	}
	if len(ds.Data) == 0 {
		return fmt.Errorf("i2np: database store: empty %v data: %w", ds.StoreType, ErrInvalid)
	}
	if ds.StoreType == StoreRouterInfo && len(ds.Data) > math.MaxUint16 {
		return fmt.Errorf("i2np: database store: compressed router info %d bytes: %w", len(ds.Data), ErrTooLarge)
	}
	return nil
}

// RouterInfo decompresses the RouterInfo of a StoreRouterInfo store,
// producing at most max bytes (see DecompressRouterInfo).
func (ds DatabaseStore) RouterInfo(max int) ([]byte, error) {
	if ds.StoreType != StoreRouterInfo {
		return nil, fmt.Errorf("i2np: database store: %v is not a router info: %w", ds.StoreType, ErrInvalid)
	}
	return DecompressRouterInfo(ds.Data, max)
}

// String returns the spec name of t.
func (t StoreType) String() string {
	switch t {
	case StoreRouterInfo:
		return "RouterInfo"
	case StoreLeaseSet:
		return "LeaseSet"
	case StoreLeaseSet2:
		return "LeaseSet2"
	case StoreEncryptedLeaseSet:
		return "EncryptedLeaseSet"
	case StoreMetaLeaseSet:
		return "MetaLeaseSet"
	}
	return fmt.Sprintf("store type %d", uint8(t))
}
