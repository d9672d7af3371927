package reseed

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"time"

	"i2pgate/router/clock"
)

// Backoff delays for retrying a reseed until the network is reachable (a
// gateway often boots before its WAN link is up).
const (
	DefaultBackoffMin = 10 * time.Second
	DefaultBackoffMax = 5 * time.Minute
)

// Backoff yields exponentially growing delays with jitter: attempt n waits
// a random time in [d/2, d] where d = Min·2ⁿ capped at Max. It is not safe
// for concurrent use; each retry loop owns one.
type Backoff struct {
	Min, Max time.Duration // 0 means DefaultBackoffMin / DefaultBackoffMax
	Clock    clock.Clock   // nil means the system clock
	Rand     io.Reader     // jitter; nil means crypto/rand

	attempt int
	rng     *mrand.Rand
}

// Reset starts the delays over from Min.
func (b *Backoff) Reset() { b.attempt = 0 }

// Next returns the delay before the next attempt and advances.
func (b *Backoff) Next() time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = DefaultBackoffMin
	}
	if hi <= 0 {
		hi = DefaultBackoffMax
	}
	d := min(lo, hi)
	for i := 0; i < b.attempt && d < hi; i++ {
		if d > hi/2 {
			d = hi
			break
		}
		d *= 2
	}
	b.attempt = min(b.attempt+1, 62)
	if b.rng == nil {
		var seed [32]byte
		r := b.Rand
		if r == nil {
			r = crand.Reader
		}
		_, _ = io.ReadFull(r, seed[:]) // a short read only weakens the jitter
		b.rng = mrand.New(mrand.NewChaCha8(seed))
	}
	half := d / 2
	return half + time.Duration(b.rng.Int64N(int64(d-half)+1))
}

// Wait sleeps for Next() on the clock, or until ctx is done.
func (b *Backoff) Wait(ctx context.Context) error {
	t := clock.Or(b.Clock).NewTimer(b.Next())
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ReseedUntil calls Reseed until it succeeds, waiting b's delays between
// attempts and logging each failure at Warn. It returns only on success or
// when ctx is done, then with ctx's error joined to the last failure.
func (r *Reseeder) ReseedUntil(ctx context.Context, b *Backoff) ([][]byte, error) {
	for {
		ris, err := r.Reseed(ctx)
		if err == nil {
			b.Reset()
			return ris, nil
		}
		if ctx.Err() != nil {
			return nil, errors.Join(ctx.Err(), err)
		}
		r.log.Warn("reseed failed, will retry", "err", err)
		if werr := b.Wait(ctx); werr != nil {
			return nil, fmt.Errorf("reseed: gave up: %w", werr) // err was logged
		}
	}
}
