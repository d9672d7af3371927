package garlic

import (
	"fmt"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/crypto"
	"i2pgate/router/i2np"
)

// New Session freshness window and replay filter. ecies.rst "DateTime":
// Bob must check that the message is recent and filter replays. A key is
// remembered in the filter until its DateTime leaves the window:
// DateTimeMaxAge - i2np.ClockSkew + DateTimeMaxFuture must not exceed
// i2np.MaxFutureExpiration.
const (
	// DateTimeMaxAge is how old a New Session DateTime may be.
	DateTimeMaxAge = 2 * time.Minute
	// DateTimeMaxFuture is how far ahead of our clock it may be.
	DateTimeMaxFuture = 2 * time.Minute
	// ReplayFilterCapacity sizes the ephemeral-key filter per
	// i2np.DupSlice (about 20 KiB).
	ReplayFilterCapacity = 1024
)

// DecrypterConfig configures a Decrypter.
type DecrypterConfig struct {
	// Key is our router's X25519 encryption key pair.
	Key crypto.X25519KeyPair
	// Replies holds our outstanding reply keys; nil means none.
	Replies *ReplyTable
	// Clock is the time source; nil means clock.System().
	Clock clock.Clock
}

// Decrypter opens the Garlic messages that reach our router: one-time
// replies to our lookups (tag known to Replies) and Noise_N New Session
// messages to our key (everything else), as i2pd's
// RouterContext::PostGarlicMessage does. It is safe for concurrent use and
// starts no goroutine.
type Decrypter struct {
	key     crypto.X25519KeyPair
	replies *ReplyTable
	clock   clock.Clock
	replay  *i2np.DupFilter
}

// NewDecrypter returns a Decrypter for cfg.
func NewDecrypter(cfg DecrypterConfig) *Decrypter {
	return &Decrypter{
		key:     cfg.Key,
		replies: cfg.Replies,
		clock:   clock.Or(cfg.Clock),
		replay:  i2np.NewDupFilter(ReplayFilterCapacity),
	}
}

// Decrypted is the content of one Garlic message.
type Decrypted struct {
	// Kind is ExistingSession for a one-time reply and NewSession for a
	// Noise_N message.
	Kind Kind
	// Blocks are the payload blocks; they alias a buffer of their own.
	Blocks []Block
}

// Cloves returns the Garlic Clove blocks of m.
func (m Decrypted) Cloves() []Clove { return Cloves(m.Blocks) }

// Decrypt opens body, the data of a Garlic message (i2np.Garlic.Data). A
// reply's key is consumed on success and kept on failure, so that a forged
// message cannot burn it. A New Session message must carry a DateTime
// within the window and an ephemeral key not seen before; otherwise the
// error is ErrReplay.
func (d *Decrypter) Decrypt(body []byte) (Decrypted, error) {
	if d.replies != nil {
		if tag, ok := ReplyTag(body); ok {
			if k, ok := d.replies.Get(tag); ok {
				blocks, err := OpenReply(&k.Key, tag, body)
				if err != nil {
					return Decrypted{}, err
				}
				d.replies.Remove(tag)
				return Decrypted{Kind: ExistingSession, Blocks: blocks}, nil
			}
		}
	}
	blocks, err := OpenForRouter(&d.key, body)
	if err != nil {
		return Decrypted{}, err
	}
	if err := d.checkFresh(body[:EphemeralSize], blocks[0].(DateTime)); err != nil {
		return Decrypted{}, err
	}
	return Decrypted{Kind: NewSession, Blocks: blocks}, nil
}

// checkFresh applies the DateTime window and the ephemeral-key replay
// filter. CheckOrder has made sure the first block is the DateTime.
func (d *Decrypter) checkFresh(ephemeral []byte, dt DateTime) error {
	now := d.clock.Now()
	t := dt.Time()
	if t.Before(now.Add(-DateTimeMaxAge)) || t.After(now.Add(DateTimeMaxFuture)) {
		return fmt.Errorf("garlic: router message: datetime %v at %v: %w", t, now.UTC(), ErrReplay)
	}
	if d.replay.DuplicateKey(ephemeral, t.Add(DateTimeMaxAge-i2np.ClockSkew), now) {
		return fmt.Errorf("garlic: router message: ephemeral key seen: %w", ErrReplay)
	}
	return nil
}
