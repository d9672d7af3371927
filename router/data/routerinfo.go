package data

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// Standard RouterInfo option keys.
const (
	OptionNetID         = "netId"
	OptionRouterVersion = "router.version"
	// CapFloodfill in "caps" marks a floodfill router.
	CapFloodfill = 'f'
	// CapReachable in "caps" marks a reachable router.
	CapReachable = 'R'
	// maxRouterAddresses is the limit of the 1-byte address count.
	maxRouterAddresses = 255
)

// RouterInfo is a common-structures "RouterInfo": a router's identity,
// publication date, addresses, options and signature. It is immutable and
// keeps the bytes it was parsed from or built into.
type RouterInfo struct {
	raw       []byte
	identity  *RouterIdentity
	published Date
	addresses []*RouterAddress
	peers     []Hash
	options   Mapping
	signature []byte
}

// ParseRouterInfo decodes a whole RouterInfo. It does not verify the
// signature; call Verify.
func ParseRouterInfo(b []byte) (*RouterInfo, error) {
	in := cryptobyte.String(b)
	ri := &RouterInfo{identity: new(RouterIdentity)}
	if err := readKeysAndCert(&in, &ri.identity.KeysAndCert); err != nil {
		return nil, fmt.Errorf("data: router info: %w", err)
	}
	var n uint8
	if !readDate(&in, &ri.published) || !in.ReadUint8(&n) {
		return nil, fmt.Errorf("data: router info: %w", ErrTruncated)
	}
	ri.addresses = make([]*RouterAddress, n)
	for i := range ri.addresses {
		ri.addresses[i] = new(RouterAddress)
		if err := readRouterAddress(&in, ri.addresses[i]); err != nil {
			return nil, fmt.Errorf("data: router info: %w", err)
		}
	}
	if !in.ReadUint8(&n) {
		return nil, fmt.Errorf("data: router info: %w", ErrTruncated)
	}
	ri.peers = make([]Hash, n)
	for i := range ri.peers {
		if !in.CopyBytes(ri.peers[i][:]) {
			return nil, fmt.Errorf("data: router info: peers: %w", ErrTruncated)
		}
	}
	if err := readMapping(&in, &ri.options); err != nil {
		return nil, fmt.Errorf("data: router info: %w", err)
	}
	if !readCopy(&in, ri.identity.SignatureLen(), &ri.signature) {
		return nil, fmt.Errorf("data: router info: signature: %w", ErrTruncated)
	}
	if !in.Empty() {
		return nil, fmt.Errorf("data: router info: %d bytes: %w", len(in), ErrTrailingData)
	}
	ri.raw = bytes.Clone(b)
	return ri, nil
}

// NewRouterInfo serializes and signs a RouterInfo with no peer hashes.
// signer must hold the identity's signing key.
func NewRouterInfo(id *RouterIdentity, published time.Time, addrs []*RouterAddress, opts Mapping, signer Signer) (*RouterInfo, error) {
	if !signer.Public().Equal(id.signingKey) {
		return nil, fmt.Errorf("data: router info: signer: %w", ErrKeyMismatch)
	}
	if len(addrs) > maxRouterAddresses {
		return nil, fmt.Errorf("data: router info: %d addresses: %w", len(addrs), ErrInvalid)
	}
	buf := bytes.Clone(id.raw)
	buf, _ = AppendInteger(buf, uint64(DateOf(published)), DateSize)
	buf = append(buf, byte(len(addrs)))
	var err error
	for _, a := range addrs {
		if buf, err = a.appendTo(buf); err != nil {
			return nil, fmt.Errorf("data: router info: %w", err)
		}
	}
	buf = append(buf, 0) // peer_size
	if buf, err = opts.appendTo(buf); err != nil {
		return nil, fmt.Errorf("data: router info: %w", err)
	}
	sig, err := signer.Sign(buf)
	if err != nil {
		return nil, fmt.Errorf("data: router info: sign: %w", err)
	}
	return ParseRouterInfo(append(buf, sig...))
}

// Bytes returns the serialized RouterInfo; do not modify.
func (ri *RouterInfo) Bytes() []byte { return ri.raw }

// Verify checks the signature over everything before it.
func (ri *RouterInfo) Verify() error {
	signed := ri.raw[:len(ri.raw)-len(ri.signature)]
	if err := ri.identity.signingKey.verify(signed, ri.signature); err != nil {
		return fmt.Errorf("data: router info %v: %w", ri.Hash(), err)
	}
	return nil
}

// Identity returns the router identity.
func (ri *RouterInfo) Identity() *RouterIdentity { return ri.identity }

// Hash returns the router hash (the identity hash).
func (ri *RouterInfo) Hash() Hash { return ri.identity.Hash() }

// PublishedDate returns the publication Date in milliseconds.
func (ri *RouterInfo) PublishedDate() Date { return ri.published }

// Published returns the publication time.
func (ri *RouterInfo) Published() time.Time { return ri.published.Time() }

// Addresses returns copies of the router addresses in wire order.
func (ri *RouterInfo) Addresses() []*RouterAddress {
	out := make([]*RouterAddress, len(ri.addresses))
	for i, a := range ri.addresses {
		out[i] = a.Clone()
	}
	return out
}

// Address returns a copy of the first address of the given transport
// style ("NTCP2", "SSU2"), or nil.
func (ri *RouterInfo) Address(style string) *RouterAddress {
	i := slices.IndexFunc(ri.addresses, func(a *RouterAddress) bool { return a.Transport == style })
	if i < 0 {
		return nil
	}
	return ri.addresses[i].Clone()
}

// Peers returns the (normally empty) peer hash list.
func (ri *RouterInfo) Peers() []Hash { return slices.Clone(ri.peers) }

// Options returns a copy of the router options.
func (ri *RouterInfo) Options() Mapping { return ri.options.Clone() }

// Option returns one router option.
func (ri *RouterInfo) Option(key string) (string, bool) { return ri.options.Get(key) }

// Signature returns the signature bytes; do not modify.
func (ri *RouterInfo) Signature() []byte { return ri.signature }

// NetID returns the "netId" option (2 on the main network).
func (ri *RouterInfo) NetID() (int, bool) {
	v, ok := ri.options.Get(OptionNetID)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 8)
	return int(n), err == nil
}

// Caps returns the "caps" option, e.g. "XfR".
func (ri *RouterInfo) Caps() string { v, _ := ri.options.Get(OptionCaps); return v }

// Version returns the "router.version" option, e.g. "0.9.57".
func (ri *RouterInfo) Version() string { v, _ := ri.options.Get(OptionRouterVersion); return v }

// IsFloodfill reports whether caps contain 'f'.
func (ri *RouterInfo) IsFloodfill() bool { return strings.ContainsRune(ri.Caps(), CapFloodfill) }

// IsReachable reports whether caps contain 'R'.
func (ri *RouterInfo) IsReachable() bool { return strings.ContainsRune(ri.Caps(), CapReachable) }
