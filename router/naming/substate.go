package naming

import (
	"encoding/binary"
	"fmt"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/store"
)

// Result is the outcome of a subscription fetch.
type Result string

// Fetch results.
const (
	ResultNone        Result = ""             // never fetched
	ResultOK          Result = "ok"           // fetched and imported
	ResultNotModified Result = "not modified" // 304: nothing new since the last fetch
	ResultError       Result = "error"        // see SubStatus.Err
)

var results = [...]Result{ResultNone, ResultOK, ResultNotModified, ResultError}

// SubStatus is what the console shows of one subscription.
type SubStatus struct {
	URL       string
	LastFetch time.Time // zero: never fetched
	Result    Result
	Err       string // the error of the last fetch, when Result is ResultError
	Added     int    // names added by the last fetch
	// ETag and LastModified are the validators sent with the next fetch.
	ETag, LastModified string
}

// subState layout in bucketSubs: version, last fetch (Unix seconds),
// result, names added, then ETag, Last-Modified and error as Strings.
const (
	subVersion       = 1
	subVersionOffset = 0
	subFetchOffset   = 1
	subResultOffset  = 9
	subAddedOffset   = 10
	subHeaderSize    = 14
)

func encodeSubState(s *SubStatus) []byte {
	b := make([]byte, subHeaderSize, subHeaderSize+3+len(s.ETag)+len(s.LastModified)+len(s.Err))
	b[subVersionOffset] = subVersion
	fetched := s.LastFetch.Unix()
	if s.LastFetch.IsZero() || fetched < 0 {
		fetched = 0
	}
	binary.BigEndian.PutUint64(b[subFetchOffset:], uint64(fetched))
	for i, r := range results {
		if r == s.Result {
			b[subResultOffset] = byte(i)
		}
	}
	binary.BigEndian.PutUint32(b[subAddedOffset:], uint32(min(max(s.Added, 0), 1<<31-1)))
	for _, str := range []string{s.ETag, s.LastModified, s.Err} {
		b, _ = data.AppendString(b, clipString(str, data.MaxStringLen))
	}
	return b
}

func decodeSubState(url string, b []byte) (SubStatus, error) {
	s := SubStatus{URL: url}
	if len(b) < subHeaderSize || b[subVersionOffset] != subVersion || int(b[subResultOffset]) >= len(results) {
		return s, fmt.Errorf("naming: subscription state: %w", store.ErrDecode)
	}
	if t := binary.BigEndian.Uint64(b[subFetchOffset:]); t != 0 && t < 1<<40 {
		s.LastFetch = time.Unix(int64(t), 0)
	}
	s.Result = results[b[subResultOffset]]
	s.Added = int(binary.BigEndian.Uint32(b[subAddedOffset:]) & (1<<31 - 1))
	rest := b[subHeaderSize:]
	for _, dst := range []*string{&s.ETag, &s.LastModified, &s.Err} {
		str, r, err := data.ParseString(rest)
		if err != nil {
			return SubStatus{URL: url}, fmt.Errorf("naming: subscription state: %w", store.ErrDecode)
		}
		*dst, rest = str, r
	}
	return s, nil
}

// clipString cuts s to at most n bytes, on a rune boundary when it can.
func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && cut > n-4 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}

func (b *Book) subState(url string) SubStatus {
	s := SubStatus{URL: url}
	_ = b.st.View(func(tx store.Tx) error {
		if v := tx.Bucket(bucketSubs).Get([]byte(url)); v != nil {
			if d, err := decodeSubState(url, v); err == nil {
				s = d
			}
		}
		return nil
	})
	return s
}

// saveSubStates writes the states in one transaction: each commit rewrites
// a few pages of the database file and syncs it, so the subscriber gathers
// a round's outcomes into one.
func (b *Book) saveSubStates(states []SubStatus) error {
	if len(states) == 0 {
		return nil
	}
	return b.st.Update(func(tx store.Tx) error {
		bk := tx.Bucket(bucketSubs)
		for i := range states {
			if err := bk.Put([]byte(states[i].URL), encodeSubState(&states[i])); err != nil {
				return err
			}
		}
		return nil
	})
}
