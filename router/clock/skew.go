package clock

import (
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Sources of the offset, as Skewed.Source reports them.
const (
	// SourceNone: the offset is zero, nothing has set it.
	SourceNone = "none"
	// SourcePeers: peers' timestamps agreed on the offset (AddPeerSample).
	SourcePeers = "peers"
	// SourceSNTP: SNTP servers' answers seeded it (Seed).
	SourceSNTP = "sntp"
	// SourceReseed: the dates of reseeded RouterInfos seeded it (Seed).
	SourceReseed = "reseed"
)

// Defaults for SkewOptions.
const (
	DefaultSkewWindow     = 32
	DefaultSkewMinSamples = 5
	DefaultSkewTolerance  = 5 * time.Second
)

// SkewOptions tunes Skewed. A nil *SkewOptions or a zero field means the
// default.
type SkewOptions struct {
	// Window is how many recent samples are kept (default DefaultSkewWindow).
	Window int
	// MinSamples is how many agreeing samples, from distinct peers when
	// samples are keyed, are needed before the offset moves
	// (default DefaultSkewMinSamples, at least 3).
	MinSamples int
	// Tolerance is how close to the median of the window a sample must be
	// to count as agreeing; the others are rejected as outliers
	// (default DefaultSkewTolerance).
	Tolerance time.Duration
	// Resolution is the precision of the peers' timestamps (NTCP2 and SSU2
	// send whole seconds): an estimate within ±Resolution of zero is noise
	// and leaves the offset at zero. Zero means every estimate counts.
	Resolution time.Duration
	// QuickAgree, when set, lets fewer than MinSamples samples move the
	// offset in one case: every sample of the window, at least two from
	// distinct peers, agrees on an offset further than QuickAgree from the
	// current one. With QuickAgree the handshakes' skew limit, that is a
	// router whose every handshake fails for its clock while it knows too
	// few peers to gather MinSamples (a fresh start from a small reseed):
	// better their word than no network, and a later majority of the
	// window moves it again. A single peer never moves it.
	QuickAgree time.Duration
}

// Skewed is a Clock that adds to its base clock an offset learned from
// peers' timestamps. The offset is a robust estimate: the median of the
// samples within Tolerance of the window's median; it only moves when at
// least MinSamples samples agree that way and they are a strict majority of
// the window, so a single lying peer (or a minority of them) cannot move the
// clock, and peers that disagree widely leave it where it is. Timers and tickers are those of the base clock; durations
// are not affected by the offset. Skewed is safe for concurrent use.
type Skewed struct {
	base       Clock
	window     int
	minSamples int
	tolerance  time.Duration
	resolution time.Duration
	quick      time.Duration

	skew atomic.Int64 // current offset in nanoseconds, read lock-free by Now

	// samples guards the sample window and the source of the offset.
	samples struct {
		sync.Mutex
		list   []skewSample // at most window entries, oldest first
		source string       // one of the Source constants
	}
}

type skewSample struct {
	peer   string // "" for unkeyed samples
	offset time.Duration
}

var _ Clock = (*Skewed)(nil)

// NewSkewed returns a Skewed clock over base (nil means System()) with a
// zero offset.
func NewSkewed(base Clock, opts *SkewOptions) *Skewed {
	s := &Skewed{
		base:       Or(base),
		window:     DefaultSkewWindow,
		minSamples: DefaultSkewMinSamples,
		tolerance:  DefaultSkewTolerance,
	}
	if opts != nil {
		if opts.Window > 0 {
			s.window = opts.Window
		}
		if opts.MinSamples > 0 {
			s.minSamples = max(opts.MinSamples, 3)
		}
		if opts.Tolerance > 0 {
			s.tolerance = opts.Tolerance
		}
		s.resolution = max(opts.Resolution, 0)
		s.quick = max(opts.QuickAgree, 0)
	}
	s.window = max(s.window, s.minSamples)
	s.samples.source = SourceNone
	return s
}

// Now returns the base clock's time corrected by Skew. A change of the
// offset moves Now (and durations between readings taken on either side of
// it, as time.Time.Add moves the monotonic reading too): a time stored
// before a correction backwards looks to be in the future. Timers and
// tickers are not affected.
func (s *Skewed) Now() time.Time { return s.base.Now().Add(s.Skew()) }

// Skew returns the current offset: how far peers' clocks are ahead of the
// base clock.
func (s *Skewed) Skew() time.Duration { return time.Duration(s.skew.Load()) }

// Base returns the uncorrected clock.
func (s *Skewed) Base() Clock { return s.base }

// NewTimer implements Clock with the base clock.
func (s *Skewed) NewTimer(d time.Duration) Timer { return s.base.NewTimer(d) }

// AfterFunc implements Clock with the base clock.
func (s *Skewed) AfterFunc(d time.Duration, f func()) Timer { return s.base.AfterFunc(d, f) }

// NewTicker implements Clock with the base clock.
func (s *Skewed) NewTicker(d time.Duration) Ticker { return s.base.NewTicker(d) }

// AddSample records that a peer claimed peerTime when this clock's Now()
// read localTime. Unkeyed samples each count as distinct.
func (s *Skewed) AddSample(peerTime, localTime time.Time) {
	s.AddPeerSample("", peerTime, localTime)
}

// AddPeerSample is AddSample for a sample keyed by peer (for example a
// router hash): a new sample from the same peer replaces its older one, so a
// single peer never holds more than one sample in the window. An empty peer
// is unkeyed.
func (s *Skewed) AddPeerSample(peer string, peerTime, localTime time.Time) {
	// localTime is a corrected reading; store the offset against the base.
	off := peerTime.Sub(localTime) + s.Skew()
	s.samples.Lock()
	defer s.samples.Unlock()
	if peer != "" {
		s.samples.list = slices.DeleteFunc(s.samples.list, func(x skewSample) bool { return x.peer == peer })
	}
	if len(s.samples.list) >= s.window {
		s.samples.list = slices.Delete(s.samples.list, 0, len(s.samples.list)-s.window+1)
	}
	s.samples.list = append(s.samples.list, skewSample{peer: peer, offset: off})
	if est, ok := s.estimateLocked(); ok {
		if absDur(est) <= s.resolution {
			est = 0
		}
		s.skew.Store(int64(est))
		s.samples.source = SourcePeers
	}
}

// Seed sets the offset from a source other than the peers (SourceSNTP,
// SourceReseed) until peers' samples agree on one: it reports false and
// changes nothing once they have, as the peers' view of the time is the one
// handshakes are checked against.
func (s *Skewed) Seed(offset time.Duration, source string) bool {
	s.samples.Lock()
	defer s.samples.Unlock()
	if s.samples.source == SourcePeers {
		return false
	}
	if absDur(offset) <= s.resolution {
		offset = 0
	}
	s.skew.Store(int64(offset))
	s.samples.source = source
	return true
}

// Source returns where the current offset came from: SourceNone until a
// seed or the peers set it.
func (s *Skewed) Source() string {
	s.samples.Lock()
	defer s.samples.Unlock()
	return s.samples.source
}

// Disagreeing returns how many of the window's samples are further than
// limit from the current offset, and how many samples there are: peers whose
// handshakes fail for clock skew when limit is the transport's allowance.
func (s *Skewed) Disagreeing(limit time.Duration) (n, total int) {
	skew := s.Skew()
	s.samples.Lock()
	defer s.samples.Unlock()
	for _, x := range s.samples.list {
		if absDur(x.offset-skew) > limit {
			n++
		}
	}
	return n, len(s.samples.list)
}

// Samples returns how many samples are in the window.
func (s *Skewed) Samples() int {
	s.samples.Lock()
	defer s.samples.Unlock()
	return len(s.samples.list)
}

// estimateLocked computes the robust offset; ok is false when the samples
// are too few or disagree too much to move the clock.
func (s *Skewed) estimateLocked() (time.Duration, bool) {
	n := len(s.samples.list)
	if n < s.minSamples && (s.quick == 0 || n < 2) {
		return 0, false
	}
	offs := make([]time.Duration, n)
	for i, x := range s.samples.list {
		offs[i] = x.offset
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	med := median(offs)
	agree := offs[:0:0]
	for _, o := range offs {
		if absDur(o-med) <= s.tolerance {
			agree = append(agree, o)
		}
	}
	if len(agree) >= s.minSamples && 2*len(agree) > n {
		return median(agree), true
	}
	if s.quick > 0 && n >= 2 && len(agree) == n && absDur(median(agree)-s.Skew()) > s.quick {
		return median(agree), true
	}
	return 0, false
}

// median of a sorted, non-empty slice; the mean of the middle pair is
// computed without overflow.
func median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	a, b := sorted[n/2-1], sorted[n/2]
	return a + (b-a)/2
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
