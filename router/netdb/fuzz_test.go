package netdb

import (
	"testing"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// FuzzValidateStore feeds raw DatabaseStore payloads to the validation entry
// point: it must never panic, and what it accepts must parse again.
func FuzzValidateStore(f *testing.F) {
	r := newTestRouter(f, t0, riOpts{})
	f.Add(storeMsg(f, r.ri, 0, 0, data.Hash{}).Payload)
	f.Add(storeMsg(f, r.ri, 9, 3, r.hash).Payload)
	ls := newLeaseSet2(f, t0, 600e9)
	p, err := i2np.DatabaseStore{Key: ls.Hash(), StoreType: i2np.StoreLeaseSet2, Data: ls.Bytes()}.Append(nil)
	must(f, err)
	f.Add(p)
	enc := newEncryptedLeaseSet(f, t0, false)
	p, err = i2np.DatabaseStore{Key: enc.Hash(), StoreType: i2np.StoreEncryptedLeaseSet, Data: enc.Bytes()}.Append(nil)
	must(f, err)
	f.Add(p)
	f.Add([]byte{})
	pol := Policy{NetID: 2, ReservedRange: true}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if ValidateStore(payload, t0, pol) == nil {
			if _, err := i2np.ParseDatabaseStore(payload); err != nil {
				t.Fatalf("accepted an unparsable store: %v", err)
			}
		}
	})
}

// FuzzHandle feeds arbitrary netdb messages to a floodfill NetDB: no panic,
// and it keeps working.
func FuzzHandle(f *testing.F) {
	r := newTestRouter(f, t0, riOpts{})
	f.Add(uint8(i2np.TypeDatabaseStore), storeMsg(f, r.ri, 1, 0, r.hash).Payload)
	lk, err := i2np.DatabaseLookup{Key: r.hash, From: r.hash}.Append(nil)
	must(f, err)
	f.Add(uint8(i2np.TypeDatabaseLookup), lk)
	sr, err := i2np.DatabaseSearchReply{Key: r.hash, From: r.hash, Peers: []data.Hash{{1}}}.Append(nil)
	must(f, err)
	f.Add(uint8(i2np.TypeDatabaseSearchReply), sr)
	f.Add(uint8(i2np.TypeDeliveryStatus), []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})
	n, err := New(Config{Self: data.Hash{0xaa}, Sender: endpoint{net: newFakeNet()}, Floodfill: true, NetID: 2})
	must(f, err)
	var w worker
	f.Fuzz(func(t *testing.T, typ uint8, payload []byte) {
		m := i2np.Message{Type: i2np.Type(typ), Payload: payload}
		n.Handle(r.hash, m)
		// Run the worker's step inline (the NetDB is not started).
		select {
		case in := <-n.inbox:
			n.dispatch(&w, in)
		default:
		}
	})
}
