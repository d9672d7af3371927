package transport

import (
	"errors"
	"net/netip"
	"testing"
)

func TestReserved(t *testing.T) {
	tests := []struct {
		ip       string
		reserved bool
	}{
		{"127.0.0.1", true}, {"10.1.2.3", true}, {"172.16.0.1", true}, {"172.31.255.255", true},
		{"172.32.0.1", false}, {"192.168.1.1", true}, {"100.64.0.1", true}, {"100.128.0.1", false},
		{"169.254.1.1", true}, {"198.18.0.1", true}, {"198.19.255.1", true}, {"198.20.0.1", false},
		{"224.0.0.1", true}, {"240.0.0.1", true}, {"255.255.255.255", true}, {"0.1.2.3", true},
		{"8.8.8.8", false}, {"1.1.1.1", false}, {"::1", true}, {"fc00::1", true}, {"fd12::1", true},
		{"fe80::1", true}, {"2001:db8::1", true}, {"2a01:4f8::1", false}, {"::ffff:10.0.0.1", true},
		{"::ffff:8.8.8.8", false},
	}
	for _, tc := range tests {
		ip := netip.MustParseAddr(tc.ip)
		if got := IsReserved(ip); got != tc.reserved {
			t.Errorf("%s: reserved %v, want %v", tc.ip, got, tc.reserved)
		}
		err := AddrFilter{}.Check(ip)
		if (err != nil) != tc.reserved || (err != nil && !errors.Is(err, ErrReserved)) {
			t.Errorf("%s: check %v", tc.ip, err)
		}
		if err := (AddrFilter{AllowReserved: true}).Check(ip); err != nil {
			t.Errorf("%s: allowed filter: %v", tc.ip, err)
		}
	}
	if !IsReserved(netip.Addr{}) || (AddrFilter{AllowReserved: true}).Check(netip.Addr{}) == nil {
		t.Error("invalid address accepted")
	}
}

func TestReasonString(t *testing.T) {
	if ReasonIdleTimeout.String() != "idle timeout" || ReasonBanned.String() != "banned" || Reason(200).String() != "unknown reason" {
		t.Error("reason names")
	}
}
