package transit

import (
	"testing"

	"i2pgate/router/tunnel/build"
)

// While overloaded every request is rejected with the bandwidth code and
// counted; afterwards requests are accepted again.
func TestBuildOverloaded(t *testing.T) {
	e := newEnv(t, nil)
	e.m.SetOverloaded(true)
	if !e.m.Overloaded() {
		t.Fatal("Overloaded false after SetOverloaded(true)")
	}
	if got := e.oneHop(t); got != build.StatusBandwidth {
		t.Fatalf("overloaded: status %d, want %d", got, build.StatusBandwidth)
	}
	if s := e.m.Stats(); s.Rejected.Pressure != 1 || s.Rejected.Total() != 1 || s.Tunnels != 0 {
		t.Fatalf("stats %+v", s)
	}
	e.m.SetOverloaded(false)
	if got := e.oneHop(t); got != build.StatusAccept {
		t.Fatalf("after overload: status %d", got)
	}
	if s := e.m.Stats(); s.Rejected.Pressure != 1 || s.Tunnels != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// SetLimits applies to the next request: a lower MaxTunnels rejects, a
// negative one disables transit.
func TestSetLimits(t *testing.T) {
	e := newEnv(t, nil)
	if got := e.oneHop(t); got != build.StatusAccept {
		t.Fatalf("status %d", got)
	}
	e.m.SetLimits(1, 0)
	if got := e.oneHop(t); got != build.StatusBandwidth {
		t.Fatalf("at MaxTunnels 1: status %d", got)
	}
	e.m.SetLimits(-1, 0)
	if got := e.oneHop(t); got != build.StatusBandwidth {
		t.Fatalf("disabled: status %d", got)
	}
	e.m.SetLimits(0, 0)
	if got := e.oneHop(t); got != build.StatusAccept {
		t.Fatalf("default limits: status %d", got)
	}
	if s := e.m.Stats(); s.Rejected.Full != 1 || s.Rejected.Disabled != 1 || s.Tunnels != 2 {
		t.Fatalf("stats %+v", s)
	}
}
