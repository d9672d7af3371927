package jsonx_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"i2pgate/internal/jsonx"
	"i2pgate/router"
	"i2pgate/router/tunnel/pool"
)

// fullStatus is a router.Status with every field set, strings that need
// escapes and floats of every form.
func fullStatus() router.Status {
	return router.Status{
		RouterHash:    "abc<>&~\u2028\x01\"\\é",
		NetID:         2,
		Version:       "0.9.67",
		UptimeS:       1 << 40,
		NetworkStatus: router.NetworkOK,
		ClockSkewS:    -0.001,
		Clock:         router.ClockStatus{SkewSeconds: 1e-7, Source: "sntp\n", FarOff: true},
		KnownRouters:  1234,
		Floodfills:    56,
		Sessions:      router.Sessions{NTCP2In: 1, NTCP2Out: 2, SSU2In: 3, SSU2Out: 4},
		Published:     true,
		Tunnels: pool.Stats{ExploratoryIn: 1, ExploratoryOut: 2, ClientIn: 3, ClientOut: 4,
			BuildSuccessRate: 1.0 / 3, BuildsTotal: 1 << 63, BuildsFailed: 7, TestsFailed: 8, SendErrors: 9},
		TransitTunnels: 10,
		NetDB:          router.NetDBStatus{LookupsStarted: 1, LookupsSucceeded: 2, Explorations: 3, ViaTunnels: 4, RepliesViaTunnels: 5},
		Destinations: []router.DestinationStatus{
			{Name: "shared", B32: "xyz.b32.i2p", LeaseSetPublished: true, Streams: 3, PacketsSent: 1, PacketsResent: 2,
				PacketsReceived: 3, PacketsDropped: 4, SendErrors: 5, DroppedFull: 6, DroppedFar: 7, DroppedNoConn: 8,
				GarlicOpened: 9, GarlicBadTag: 10, GarlicUnknownTag: 11},
			{Name: "tab\there", B32: "\xff"},
		},
		Memory: router.MemoryStatus{HeapBytes: 123456789, LimitBytes: -1, Pressure: "high", TransitRejected: 1,
			RouterCap: 2, TrimmedRouters: 3, TrimmedLeaseSets: 4},
	}
}

func TestStatusSameAsJSON(t *testing.T) {
	st := fullStatus()
	floats := []float64{0, math.Copysign(0, -1), 1e-7, 1e21, 123.456, 1.0 / 3, 5e-324}
	for _, f := range floats {
		st.ClockSkewS, st.Clock.SkewSeconds, st.Tunnels.BuildSuccessRate = f, -f, f*3
		sameAsJSON(t, st)
	}
	sameAsJSON(t, router.Status{})
	sameAsJSON(t, router.Status{Destinations: []router.DestinationStatus{}})
}

func TestStatusRoundTrip(t *testing.T) {
	for _, st := range []router.Status{fullStatus(), {}, {Destinations: []router.DestinationStatus{}}} {
		b, err := jsonx.MarshalIndent(st, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		var got router.Status
		if err := jsonx.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		// Invalid UTF-8 reads back as U+FFFD, as with encoding/json.
		var want router.Status
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip\n got %+v\nwant %+v", got, want)
		}
		if st.Destinations != nil && len(st.Destinations) == 2 {
			if want.Destinations[1].B32 != "\ufffd" {
				t.Errorf("b32 %q", want.Destinations[1].B32)
			}
			want.Destinations[1].B32 = st.Destinations[1].B32
			if !reflect.DeepEqual(st, want) {
				t.Errorf("round trip lost something\n got %+v\nwant %+v", want, st)
			}
		}
	}
}

func TestStatusFields(t *testing.T) {
	b, err := jsonx.Marshal(fullStatus())
	if err != nil {
		t.Fatal(err)
	}
	got, err := jsonx.Fields(b)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d fields, want %d", len(got), len(want))
	}
	for k, v := range want {
		if !bytes.Equal(got[k], v) {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
}
