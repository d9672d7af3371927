package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"

	"i2pgate/gateway"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassify(t *testing.T) {
	tests := []struct {
		err, want error
	}{
		{nil, nil},
		{io.EOF, nil},
		{context.Canceled, nil},
		{fmt.Errorf("router: lookup: %w", gateway.ErrUnknownName), gateway.ErrUnknownName},
		{fmt.Errorf("netdb: %w", gateway.ErrNotFound), gateway.ErrNotFound},
		{fmt.Errorf("x: %w", gateway.ErrNoTunnels), gateway.ErrNoTunnels},
		{gateway.ErrNotAllowed, gateway.ErrNotAllowed},
		{fmt.Errorf("streaming: reset: %w", gateway.ErrRefused), gateway.ErrRefused},
		{fmt.Errorf("x: %w", gateway.ErrTimeout), gateway.ErrTimeout},
		{context.DeadlineExceeded, gateway.ErrTimeout},
		{fmt.Errorf("dial: %w", os.ErrDeadlineExceeded), gateway.ErrTimeout},
		{&net.OpError{Op: "dial", Err: timeoutErr{}}, gateway.ErrTimeout},
		// A specific kind wins over a deadline that wraps it.
		{fmt.Errorf("%w: %w", gateway.ErrNotFound, context.DeadlineExceeded), gateway.ErrNotFound},
	}
	for _, tt := range tests {
		if got := gateway.Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	for _, k := range []error{gateway.ErrUnknownName, gateway.ErrNotFound, gateway.ErrTimeout,
		gateway.ErrNoTunnels, gateway.ErrNotAllowed, gateway.ErrRefused} {
		if errors.Is(k, context.DeadlineExceeded) || len(k.Error()) < len("gateway: ") || k.Error()[:9] != "gateway: " {
			t.Errorf("kind %v", k)
		}
	}
}
