package netdb

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

func TestValidateRouterInfo(t *testing.T) {
	r := newTestRouter(t, t0, riOpts{})
	other := newTestRouter(t, t0, riOpts{})
	tampered := append([]byte(nil), r.ri.Bytes()...)
	tampered[len(tampered)-1] ^= 1
	badSig, err := data.ParseRouterInfo(tampered)
	must(t, err)
	pol := Policy{NetID: 2, ReservedRange: true}
	tests := []struct {
		name string
		ri   *data.RouterInfo
		key  data.Hash
		pol  Policy
		ok   bool
	}{
		{"good", r.ri, r.hash, pol, true},
		{"bad signature", badSig, r.hash, pol, false},
		{"wrong key", r.ri, other.hash, pol, false},
		{"other netId", r.sign(t, t0, riOpts{netID: "99"}), r.hash, pol, false},
		{"netId 99 allowed", r.sign(t, t0, riOpts{netID: "99"}), r.hash, Policy{NetID: 99}, true},
		{"1 min ahead", r.sign(t, t0.Add(time.Minute), riOpts{}), r.hash, pol, true},
		{"3 min ahead", r.sign(t, t0.Add(3*time.Minute), riOpts{}), r.hash, pol, false},
		{"26 h old", r.sign(t, t0.Add(-26*time.Hour), riOpts{}), r.hash, pol, true},
		{"28 h old", r.sign(t, t0.Add(-28*time.Hour), riOpts{}), r.hash, pol, false},
		{"private host", r.sign(t, t0, riOpts{host: "192.168.1.5"}), r.hash, pol, false},
		{"loopback v6", r.sign(t, t0, riOpts{host: "::1"}), r.hash, pol, false},
		{"private host allowed", r.sign(t, t0, riOpts{host: "192.168.1.5"}), r.hash, Policy{NetID: 2}, true},
		{"benchmark range refused", r.sign(t, t0, riOpts{host: "198.18.0.3"}), r.hash, pol, false},
		{"benchmark range on a testnet", r.sign(t, t0, riOpts{host: "198.18.0.3"}), r.hash, Policy{NetID: 2}, true},
		{"unspecified", r.sign(t, t0, riOpts{host: "0.0.0.0"}), r.hash, Policy{NetID: 2}, false},
		{"multicast", r.sign(t, t0, riOpts{host: "239.1.1.1"}), r.hash, Policy{NetID: 2}, false},
		{"garbage ip", r.sign(t, t0, riOpts{host: "1.2.3"}), r.hash, pol, false},
		{"filtered", r.ri, r.hash, Policy{NetID: 2, AllowAddr: func(netip.Addr) bool { return false }}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateRouterInfo(tt.ri, tt.key, t0, tt.pol)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("err %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestValidateStore(t *testing.T) {
	r := newTestRouter(t, t0, riOpts{})
	pol := Policy{NetID: 2}
	good := storeMsg(t, r.ri, 0, 0, data.Hash{}).Payload
	wrongKey := append([]byte(nil), good...)
	wrongKey[0] ^= 1
	big := make([]byte, 2*i2np.MaxRouterInfoSize)
	gzBig, err := i2np.CompressRouterInfo(big)
	must(t, err)
	oversized, err := i2np.DatabaseStore{Key: r.hash, Data: gzBig}.Append(nil)
	must(t, err)
	notGz, err := i2np.DatabaseStore{Key: r.hash, Data: r.ri.Bytes()}.Append(nil)
	must(t, err)
	ls := newLeaseSet2(t, t0, time.Minute*10)
	lsPayload, err := i2np.DatabaseStore{Key: ls.Hash(), StoreType: i2np.StoreLeaseSet2, Data: ls.Bytes()}.Append(nil)
	must(t, err)
	lsWrongKey, err := i2np.DatabaseStore{Key: r.hash, StoreType: i2np.StoreLeaseSet2, Data: ls.Bytes()}.Append(nil)
	must(t, err)
	ls1 := newLeaseSet1(t, t0.Add(10*time.Minute))
	ls1Payload, err := i2np.DatabaseStore{Key: ls1.Hash(), StoreType: i2np.StoreLeaseSet, Data: ls1.Bytes()}.Append(nil)
	must(t, err)
	ls1Far := newLeaseSet1(t, t0.Add(20*time.Minute))
	ls1FarPayload, err := i2np.DatabaseStore{Key: ls1Far.Hash(), StoreType: i2np.StoreLeaseSet, Data: ls1Far.Bytes()}.Append(nil)
	must(t, err)
	meta, err := i2np.DatabaseStore{Key: ls.Hash(), StoreType: i2np.StoreMetaLeaseSet, Data: ls.Bytes()}.Append(nil)
	must(t, err)
	enc := newEncryptedLeaseSet(t, t0, false)
	encPayload, err := i2np.DatabaseStore{Key: enc.Hash(), StoreType: i2np.StoreEncryptedLeaseSet, Data: enc.Bytes()}.Append(nil)
	must(t, err)
	encBad := append([]byte(nil), encPayload...)
	encBad[len(encBad)-1] ^= 1
	tests := []struct {
		name    string
		payload []byte
		now     time.Time
		ok      bool
	}{
		{"leaseset", ls1Payload, t0, true},
		{"leaseset expired", ls1Payload, t0.Add(10 * time.Minute), false},
		{"leaseset too far ahead", ls1FarPayload, t0, false},
		{"meta leaseset refused", meta, t0, false},
		{"encrypted leaseset", encPayload, t0, true},
		{"encrypted leaseset expired", encPayload, t0.Add(11 * time.Minute), false},
		{"encrypted leaseset bad signature", encBad, t0, false},
		{"routerinfo", good, t0, true},
		{"wrong key", wrongKey, t0, false},
		{"oversized", oversized, t0, false},
		{"not gzip", notGz, t0, false},
		{"truncated", good[:40], t0, false},
		{"empty", nil, t0, false},
		{"leaseset2", lsPayload, t0, true},
		{"leaseset2 expired", lsPayload, t0.Add(11 * time.Minute), false},
		{"leaseset2 from future", lsPayload, t0.Add(-3 * time.Minute), false},
		{"leaseset2 wrong key", lsWrongKey, t0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateStore(tt.payload, tt.now, pol)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// newLeaseSet2 builds a LeaseSet2 published at pub that expires after exp.
func newLeaseSet2(t testing.TB, pub time.Time, exp time.Duration) *data.LeaseSet2 {
	t.Helper()
	keys, err := data.GenerateDestinationKeys(randReader{}, data.CryptoX25519)
	must(t, err)
	s, err := keys.Signer()
	must(t, err)
	enc := make([]byte, 32)
	enc[0] = 9
	ls, err := data.NewLeaseSet2(data.LeaseSet2Params{
		Destination: keys.Destination(), Published: pub, Expires: exp,
		Keys:   []data.EncryptionKey{{Type: data.CryptoX25519, Key: enc}},
		Leases: []data.Lease2{{Gateway: data.Hash{1}, TunnelID: 5, EndDate: uint32(pub.Add(exp).Unix())}},
	}, s)
	must(t, err)
	return ls
}

// newLeaseSet1 builds a LeaseSet (type 1) whose single lease ends at end.
func newLeaseSet1(t testing.TB, end time.Time) *data.LeaseSet {
	t.Helper()
	keys, err := data.GenerateDestinationKeys(randReader{}, data.CryptoElGamal)
	must(t, err)
	s, err := keys.Signer()
	must(t, err)
	ls, err := data.NewLeaseSet(keys.Destination(), make([]byte, 256), nil,
		[]data.Lease{{Gateway: data.Hash{2}, TunnelID: 9, EndDate: data.DateOf(end)}}, s)
	must(t, err)
	return ls
}

// newEncryptedLeaseSet writes the outer layer of an EncryptedLeaseSet
// (common-structures "EncryptedLeaseSet") published at pub for 10 minutes,
// with a RedDSA blinded key (verified as Ed25519).
func newEncryptedLeaseSet(t testing.TB, pub time.Time, unpublished bool) *data.EncryptedLeaseSet {
	t.Helper()
	keys, err := data.GenerateDestinationKeys(randReader{}, data.CryptoX25519)
	must(t, err)
	s, err := keys.Signer()
	must(t, err)
	b := binary.BigEndian.AppendUint16(nil, uint16(data.SigRedDSA25519))
	b = append(b, s.Public().Bytes()...)
	b = binary.BigEndian.AppendUint32(b, uint32(pub.Unix()))
	b = binary.BigEndian.AppendUint16(b, 600)
	var flags uint16
	if unpublished {
		flags = data.LS2FlagUnpublished
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint16(b, 5)
	b = append(b, "ciphr"...)
	sig, err := s.Sign(append([]byte{data.StoreTypeEncryptedLeaseSet}, b...))
	must(t, err)
	ls, err := data.ParseEncryptedLeaseSet(append(b, sig...))
	must(t, err)
	return ls
}
