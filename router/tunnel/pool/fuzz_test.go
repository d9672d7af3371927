package pool

import (
	"context"
	"testing"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// sink is a Sender that drops everything.
type sink struct{}

func (sink) SendMessage(context.Context, data.Hash, i2np.Message) error { return nil }

// fuzzManager returns a Manager (not started) with one pending inbound and
// one pending outbound build, and their reply message IDs.
func fuzzManager(f *testing.F) (*Manager, []uint32) {
	f.Helper()
	var peers staticPeers
	for range 3 {
		peers = append(peers, newTestRouter(f, "XR", "0.9.58").ri)
	}
	m, err := New(Config{Self: data.Hash{7}, Peers: peers, Sender: sink{}, Clock: clocktest.New(t0)})
	if err != nil {
		f.Fatal(err)
	}
	for _, inbound := range []bool{true, false} {
		m.mu.Lock()
		m.explore.building[sideIndex(inbound)]++
		m.mu.Unlock()
		if err := m.startBuild(m.explore, inbound); err != nil {
			f.Fatal(err)
		}
	}
	var ids []uint32
	for id := range m.mu.pending {
		ids = append(ids, id)
	}
	return m, ids
}

func FuzzHandleBuildReply(f *testing.F) {
	m, ids := fuzzManager(f)
	f.Cleanup(func() { _ = m.Close() })
	records := func(n, size int) []byte {
		b := make([]byte, 1+n*size)
		b[0] = byte(n)
		return b
	}
	f.Add(uint8(2), false, records(4, i2np.ShortBuildRecordSize))
	f.Add(uint8(3), true, records(4, i2np.ShortBuildRecordSize))
	f.Add(uint8(0), true, records(4, i2np.BuildRecordSize))
	f.Add(uint8(1), false, records(8, i2np.BuildRecordSize))
	f.Add(uint8(1), false, []byte{})
	f.Fuzz(func(t *testing.T, typ uint8, first bool, payload []byte) {
		id := ids[0]
		if !first {
			id = ids[1]
		}
		msg := i2np.Message{Type: i2np.TypeVariableTunnelBuild + i2np.Type(typ%4), ID: id, Payload: payload}
		if m.HandleBuildReply(data.Hash{}, msg) {
			t.Fatal("claimed a forged reply")
		}
	})
}

func FuzzHandleInbound(f *testing.F) {
	m, _ := fuzzManager(f)
	f.Cleanup(func() { _ = m.Close() })
	// One established inbound tunnel and the bootstrap path.
	m.mu.Lock()
	boot := m.mu.bootstrap
	m.explore.building[1]++
	m.mu.Unlock()
	if err := m.addZeroHop(m.explore, true, t0); err != nil {
		f.Fatal(err)
	}
	f.Add(boot, []byte{0, 0, 0, 1})
	f.Add(uint32(1), make([]byte, 1024))
	f.Fuzz(func(t *testing.T, id uint32, b []byte) {
		m.HandleTunnelData(data.Hash{}, i2np.TunnelData{TunnelID: id, Data: b})
		m.HandleTunnelGateway(data.Hash{}, i2np.TunnelGateway{TunnelID: boot, Message: b})
		m.HandleDeliveryStatus(i2np.Message{Type: i2np.TypeDeliveryStatus, Payload: b})
	})
}
