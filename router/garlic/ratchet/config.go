package ratchet

import (
	"io"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/crypto"
)

// Tag windows, after i2pd 2.45.1 (ECIESX25519AEADRatchetSession.h) and
// ecies.rst "Parameters", with lower caps for small routers.
const (
	// LookAheadMin is the look-ahead of a new ES tag set and the base of
	// the look-ahead past the last tag received, min(LookAheadMin + N/4,
	// look-ahead) (i2pd ECIESX25519_MIN_NUM_GENERATED_TAGS).
	LookAheadMin = 24
	// DefaultLookAhead is the most tags generated past the last one
	// received and how many more a search for an unknown tag makes:
	// i2pd's ECIESX25519_MAX_NUM_GENERATED_TAGS. (The specification
	// suggests 160; with twenty streams from one i2pd destination
	// sharing a tag set, its messages through our inbound tunnels
	// arrive reordered by more than that.)
	DefaultLookAhead = 320
	// DefaultKeepBehind is how far behind the last tag received the
	// tags not yet received are kept. i2pd keeps 320; under load a few
	// of its messages reached us over 1200 indexes late (held up in one
	// tunnel for seconds while the others carried on), and a tag kept
	// costs a 16-byte window slot plus a table entry only while it is
	// missing.
	DefaultKeepBehind = 2048
	// DefaultMaxTagsPerTagSet bounds the window of one inbound tag set,
	// received holes included; its oldest tags go first. It holds the
	// tags kept behind, the look-ahead and one search past it.
	DefaultMaxTagsPerTagSet = DefaultKeepBehind + 2*DefaultLookAhead
	// DefaultMaxTagsPerSession bounds the inbound tags (those not yet
	// received) of one session over all its tag sets: tag sets on their
	// way out (previous ones, NSR tag sets) go first, then no more tags
	// are made.
	DefaultMaxTagsPerSession = 3*DefaultMaxTagsPerTagSet + NSRTags
	// NSRTags is the size of Alice's NSR tag set, refilled by as many
	// when fewer than half remain (i2pd ECIESX25519_NSR_NUM_GENERATED_TAGS).
	NSRTags = 12
	// MaxLookAhead and MaxKeepBehind bound Config.LookAhead and
	// Config.KeepBehind, and with them the per-tag-set cap.
	MaxLookAhead  = 4096
	MaxKeepBehind = 16384
)

// DH ratchet and sessions, after i2pd 2.45.1.
const (
	// DefaultRatchetAfter is the tag index after which the sender of a
	// tag set starts a NextKey exchange (i2pd
	// ECIESX25519_TAGSET_MAX_NUM_TAGS: the message with index 8192 is the
	// last one without a NextKey block).
	DefaultRatchetAfter = 8192
	// DefaultMaxSessions bounds the sessions of one Manager, those
	// replaced but still reachable by their tags included. When full,
	// replaced ones go first, then those still in their handshake, then
	// established ones; the one idle longest within each class.
	DefaultMaxSessions = 128
	// MaxSessionsLimit bounds Config.MaxSessions.
	MaxSessionsLimit = 1 << 16

	// RestartAfter is the age (from the NSR) before which an established
	// session is not replaced by a new one to the same remote (i2pd
	// ECIESX25519_RESTART_TIMEOUT).
	RestartAfter = 120 * time.Second
	// InactivityTimeout: a session past RestartAfter that has received
	// nothing for this long is restarted with a New Session message by
	// the next Encrypt (i2pd ECIESX25519_INACTIVITY_TIMEOUT).
	InactivityTimeout = 90 * time.Second
	// SendExpiration and ReceiveExpiration: Tick frees a session that has
	// sent nothing for SendExpiration and received nothing for
	// ReceiveExpiration (i2pd ECIESX25519_SEND_EXPIRATION_TIMEOUT and
	// ECIESX25519_RECEIVE_EXPIRATION_TIMEOUT).
	SendExpiration    = 480 * time.Second
	ReceiveExpiration = 600 * time.Second
	// PreviousTagSetTimeout is how long an inbound tag set lives once it
	// has been replaced by a DH ratchet, how long Alice's NSR tag set
	// lives, and how long the tag sets of a replaced session live (i2pd
	// ECIESX25519_PREVIOUS_TAGSET_EXPIRATION_TIMEOUT).
	PreviousTagSetTimeout = 180 * time.Second

	// MaxPendingAcks bounds the ACKs owed to a remote (oldest dropped).
	MaxPendingAcks = 32
	// MaxAckWaits bounds our unanswered ACK requests per session (oldest
	// forgotten).
	MaxAckWaits = 16
	// MaxPadding bounds the random padding added when the caller gives
	// none (ecies.rst "Padding": 0-15 bytes by default).
	MaxPadding = 15
)

// Config configures a Manager. Zero limits mean the defaults.
type Config struct {
	// Static is the destination's X25519 encryption key pair, the one
	// published in its lease set.
	Static crypto.X25519KeyPair
	// Clock is the time source; nil means clock.System().
	Clock clock.Clock
	// Rand supplies ephemeral keys, ratchet keys and padding, always
	// under the Manager's lock; nil means crypto/rand.
	Rand io.Reader

	// MaxSessions bounds the sessions (DefaultMaxSessions).
	MaxSessions int
	// LookAhead is the inbound tag look-ahead (DefaultLookAhead), at
	// least LookAheadMin.
	LookAhead int
	// KeepBehind is how far behind the last tag received missing tags
	// are kept (DefaultKeepBehind), at least the look-ahead.
	KeepBehind int
	// MaxTagsPerTagSet bounds one inbound tag set's window (KeepBehind
	// plus twice the look-ahead), at least the look-ahead.
	MaxTagsPerTagSet int
	// MaxTagsPerSession bounds a session's inbound tags (three tag set
	// windows and an NSR tag set), at least one tag set window plus
	// NSRTags.
	MaxTagsPerSession int
	// RatchetAfter is the outbound tag index after which a NextKey
	// exchange starts (DefaultRatchetAfter, at most MaxTagIndex/2).
	RatchetAfter int
}

// limits are the effective limits of a Manager.
type limits struct {
	maxSessions   int
	lookAhead     int
	keepBehind    int
	maxPerTagSet  int
	maxPerSession int
	ratchetAfter  int
}

func (c *Config) limits() limits {
	l := limits{
		maxSessions:   orDefault(c.MaxSessions, DefaultMaxSessions),
		lookAhead:     orDefault(c.LookAhead, DefaultLookAhead),
		ratchetAfter:  orDefault(c.RatchetAfter, DefaultRatchetAfter),
		maxPerTagSet:  c.MaxTagsPerTagSet,
		maxPerSession: c.MaxTagsPerSession,
	}
	l.maxSessions = min(l.maxSessions, MaxSessionsLimit)
	l.lookAhead = min(max(l.lookAhead, LookAheadMin), MaxLookAhead)
	l.keepBehind = min(max(orDefault(c.KeepBehind, DefaultKeepBehind), l.lookAhead), MaxKeepBehind)
	if l.maxPerTagSet <= 0 {
		l.maxPerTagSet = l.keepBehind + 2*l.lookAhead
	}
	l.maxPerTagSet = min(max(l.maxPerTagSet, l.lookAhead), MaxKeepBehind+2*MaxLookAhead)
	if l.maxPerSession <= 0 {
		l.maxPerSession = 3*l.maxPerTagSet + NSRTags
	}
	l.maxPerSession = max(l.maxPerSession, l.maxPerTagSet+NSRTags)
	l.ratchetAfter = min(l.ratchetAfter, MaxTagIndex/2)
	return l
}

func orDefault(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}
