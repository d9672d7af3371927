package netdb

import (
	"errors"
	"fmt"
	"i2pgate/router/transport"
	"net/netip"
	"strings"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Errors of validation and lookups, wrapped with detail.
var (
	// ErrInvalid means an entry failed validation.
	ErrInvalid = errors.New("netdb: invalid entry")
	// ErrNotNewer means an entry is not newer than the one held.
	ErrNotNewer = errors.New("netdb: not newer than the entry held")
	// ErrNotFound means a lookup ended without the entry.
	ErrNotFound = errors.New("netdb: not found")
	// ErrClosed means the NetDB is closed or not started.
	ErrClosed = errors.New("netdb: closed")
)

// Policy is what a received entry must satisfy besides its signature.
type Policy struct {
	// NetID is the required "netId" of RouterInfos.
	NetID int
	// ReservedRange refuses hosts in reserved ranges.
	ReservedRange bool
	// AllowAddr, when set, must accept every host.
	AllowAddr func(netip.Addr) bool
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// ValidateRouterInfo checks a received RouterInfo stored under key at time
// now: size, identity types, hash, signature, network id, publication time and
// addresses. Whether it is newer than the one held is the caller's business.
func ValidateRouterInfo(ri *data.RouterInfo, key data.Hash, now time.Time, p Policy) error {
	if n := len(ri.Bytes()); n > i2np.MaxRouterInfoSize {
		return invalid("routerinfo of %d bytes", n)
	}
	id := ri.Identity()
	switch ct := id.CryptoType(); ct {
	case data.CryptoX25519, data.CryptoElGamal:
	default:
		return invalid("router crypto type %v", ct)
	}
	if h := ri.Hash(); h != key {
		return invalid("routerinfo hash %v under key %v", h, key)
	}
	if err := ri.Verify(); err != nil {
		return fmt.Errorf("%w: routerinfo: %w", ErrInvalid, err)
	}
	if id, ok := ri.NetID(); !ok || id != p.NetID {
		return invalid("routerinfo netId %d, want %d", id, p.NetID)
	}
	if err := checkPublished(ri.Published(), now, MaxRouterInfoAge); err != nil {
		return err
	}
	for _, a := range ri.Addresses() {
		if err := p.checkAddress(a); err != nil {
			return err
		}
	}
	return nil
}

func checkPublished(pub, now time.Time, maxAge time.Duration) error {
	if pub.After(now.Add(MaxFutureSkew)) {
		return invalid("published %v in the future", pub.Sub(now))
	}
	if now.Sub(pub) > maxAge {
		return invalid("published %v ago", now.Sub(pub))
	}
	return nil
}

// checkAddress refuses an address whose host is present but unusable. Hosts
// may be absent (firewalled routers, introducers).
func (p Policy) checkAddress(a *data.RouterAddress) error {
	host, present := a.Option(data.OptionHost)
	if !present || host == "" {
		return nil
	}
	ip, ok := a.Host()
	if !ok {
		if strings.ContainsAny(host, ":.") {
			return invalid("address host %q", host)
		}
		return nil // a hostname: never dialed by our transports
	}
	if ip.IsUnspecified() || ip.IsMulticast() {
		return invalid("address host %v", ip)
	}
	if p.ReservedRange && transport.IsReserved(ip) {
		return invalid("address host %v is reserved", ip)
	}
	if p.AllowAddr != nil && !p.AllowAddr(ip) {
		return invalid("address host %v is filtered", ip)
	}
	return nil
}

// leaseSet is a validated lease set of store type 1, 3 or 5.
type leaseSet struct {
	storeType i2np.StoreType
	raw       []byte // without the store type byte
	key       data.Hash
	version   time.Time // published (LS2) or earliest lease end (LS1)
	expires   time.Time
	flood     bool
}

// parseLeaseSet parses and validates a lease set of store type t stored
// under key at now.
func parseLeaseSet(t i2np.StoreType, key data.Hash, b []byte, now time.Time) (*leaseSet, error) {
	switch t {
	case i2np.StoreLeaseSet:
		ls, err := data.ParseLeaseSet(b)
		if err != nil {
			return nil, fmt.Errorf("%w: leaseset: %w", ErrInvalid, err)
		}
		return checkLeaseSet1(ls, key, now)
	case i2np.StoreLeaseSet2:
		ls, err := data.ParseLeaseSet2(b)
		if err != nil {
			return nil, fmt.Errorf("%w: leaseset2: %w", ErrInvalid, err)
		}
		return checkLeaseSet2(ls, key, now)
	case i2np.StoreEncryptedLeaseSet:
		ls, err := data.ParseEncryptedLeaseSet(b)
		if err != nil {
			return nil, fmt.Errorf("%w: encrypted leaseset: %w", ErrInvalid, err)
		}
		return checkEncryptedLeaseSet(ls, key, now)
	}
	return nil, invalid("store type %v not kept", t)
}

// checkEncryptedLeaseSet checks the outer layer of an EncryptedLeaseSet, all
// a floodfill can see of it.
func checkEncryptedLeaseSet(ls *data.EncryptedLeaseSet, key data.Hash, now time.Time) (*leaseSet, error) {
	if ls.Hash() != key {
		return nil, invalid("encrypted leaseset hash under key %v", key)
	}
	if ls.Published().After(now.Add(MaxFutureSkew)) {
		return nil, invalid("encrypted leaseset published %v in the future", ls.Published().Sub(now))
	}
	if !ls.Expires().After(now) {
		return nil, invalid("encrypted leaseset expired")
	}
	if off := ls.Offline(); off != nil && !off.Expires().After(now) {
		return nil, invalid("encrypted leaseset offline signature expired")
	}
	if err := ls.Verify(); err != nil {
		return nil, fmt.Errorf("%w: encrypted leaseset: %w", ErrInvalid, err)
	}
	return &leaseSet{storeType: i2np.StoreEncryptedLeaseSet, raw: ls.Bytes(), key: key,
		version: ls.Published(), expires: ls.Expires(), flood: ls.Flags()&data.LS2FlagUnpublished == 0}, nil
}

func checkLeaseSet1(ls *data.LeaseSet, key data.Hash, now time.Time) (*leaseSet, error) {
	if ls.Hash() != key {
		return nil, invalid("leaseset hash under key %v", key)
	}
	leases := ls.Leases()
	if len(leases) == 0 {
		return nil, invalid("leaseset without leases")
	}
	var last time.Time
	for _, l := range leases {
		if l.End().After(last) {
			last = l.End()
		}
	}
	if !last.After(now) {
		return nil, invalid("leaseset expired")
	}
	if last.After(now.Add(maxLeaseSetFuture)) {
		return nil, invalid("leaseset lease ends %v ahead", last.Sub(now))
	}
	if err := ls.Verify(); err != nil {
		return nil, fmt.Errorf("%w: leaseset: %w", ErrInvalid, err)
	}
	return &leaseSet{storeType: i2np.StoreLeaseSet, raw: ls.Bytes(), key: key,
		version: ls.Expires(), expires: last, flood: true}, nil
}

func checkLeaseSet2(ls *data.LeaseSet2, key data.Hash, now time.Time) (*leaseSet, error) {
	if ls.Hash() != key {
		return nil, invalid("leaseset2 hash under key %v", key)
	}
	if ls.Published().After(now.Add(MaxFutureSkew)) {
		return nil, invalid("leaseset2 published %v in the future", ls.Published().Sub(now))
	}
	if !ls.Expires().After(now) {
		return nil, invalid("leaseset2 expired")
	}
	if off := ls.Offline(); off != nil && !off.Expires().After(now) {
		return nil, invalid("leaseset2 offline signature expired")
	}
	if err := ls.Verify(); err != nil {
		return nil, fmt.Errorf("%w: leaseset2: %w", ErrInvalid, err)
	}
	return &leaseSet{storeType: i2np.StoreLeaseSet2, raw: ls.Bytes(), key: key,
		version: ls.Published(), expires: ls.Expires(), flood: !ls.IsUnpublished()}, nil
}

// record is the validated content of a DatabaseStore: a RouterInfo or a
// lease set.
type record struct {
	ri *data.RouterInfo
	ls *leaseSet
}

// ValidateStore parses a DatabaseStore payload received at now and validates
// its content: a gzipped RouterInfo (inflated to at most
// i2np.MaxRouterInfoSize bytes) with ValidateRouterInfo, or a LeaseSet or
// LeaseSet2 or the outer layer of an EncryptedLeaseSet with its signature, key
// and times. Meta lease sets (type 7) are refused.
func ValidateStore(payload []byte, now time.Time, p Policy) error {
	ds, err := i2np.ParseDatabaseStore(payload)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	_, err = decodeStore(ds, nil, now, p)
	return err
}

// decodeStore validates the content of ds; dec may be nil.
func decodeStore(ds i2np.DatabaseStore, dec *i2np.Decompressor, now time.Time, p Policy) (record, error) {
	if ds.StoreType != i2np.StoreRouterInfo {
		ls, err := parseLeaseSet(ds.StoreType, ds.Key, ds.Data, now)
		return record{ls: ls}, err
	}
	if dec == nil {
		dec = new(i2np.Decompressor)
	}
	raw, err := dec.Decompress(nil, ds.Data, i2np.MaxRouterInfoSize)
	if err != nil {
		return record{}, fmt.Errorf("%w: routerinfo: %w", ErrInvalid, err)
	}
	ri, err := data.ParseRouterInfo(raw)
	if err != nil {
		return record{}, fmt.Errorf("%w: routerinfo: %w", ErrInvalid, err)
	}
	if err := ValidateRouterInfo(ri, ds.Key, now, p); err != nil {
		return record{}, err
	}
	return record{ri: ri}, nil
}
