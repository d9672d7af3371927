package consoletest

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"i2pgate/gateway/console"
)

// errBookFull is the error of AddLocal once the book holds Max names.
var errBookFull = errors.New("consoletest: address book full")

// Book is an in-memory address book: Search matches substrings case
// insensitively in insertion order, AddLocal appends or replaces. It is safe
// for concurrent use.
type Book struct {
	// Max bounds the names (0: no bound); AddLocal beyond it fails.
	Max int
	// Now dates added names (nil: time.Now).
	Now func() time.Time

	mu struct {
		sync.Mutex
		entries []console.BookEntry // guarded by mu
		adds    int                 // guarded by mu
	}
}

// NewBook returns a book holding entries.
func NewBook(entries ...console.BookEntry) *Book {
	b := &Book{}
	b.mu.entries = append(b.mu.entries, entries...)
	return b
}

// SampleBook returns a book of SampleNames names, HostileName among them.
func SampleBook(now time.Time) *Book {
	b := NewBook()
	for i := range SampleNames - 1 {
		name := []string{"site", "forum", "wiki", "git", "paste", "blog"}[i%6] + strconv.Itoa(i) + ".i2p"
		b.mu.entries = append(b.mu.entries, console.BookEntry{Name: name, B32: B32(name),
			Source: "http://reg.i2p/hosts.txt", Added: now.Add(-time.Duration(i) * 24 * time.Hour)})
	}
	b.mu.entries = append(b.mu.entries, console.BookEntry{Name: HostileName, B32: B32(HostileName),
		Source: `http://evil.i2p/"hosts".txt`, Added: now})
	return b
}

// Search implements console.AddressBook.
func (b *Book) Search(query string, offset, limit int) ([]console.BookEntry, error) {
	if offset < 0 || limit < 0 {
		return nil, errors.New("consoletest: negative offset or limit")
	}
	q := strings.ToLower(query)
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []console.BookEntry
	for _, e := range b.mu.entries {
		if !strings.Contains(strings.ToLower(e.Name), q) {
			continue
		}
		if offset > 0 {
			offset--
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, e)
	}
	return out, nil
}

// AddLocal implements console.AddressBook.
func (b *Book) AddLocal(name, base64dest string) error {
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	e := console.BookEntry{Name: name, B32: B32(base64dest), Local: true, Source: "local", Added: now()}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.mu.entries {
		if b.mu.entries[i].Name == name {
			b.mu.entries[i] = e
			b.mu.adds++
			return nil
		}
	}
	if b.Max > 0 && len(b.mu.entries) >= b.Max {
		return errBookFull
	}
	b.mu.entries = append(b.mu.entries, e)
	b.mu.adds++
	return nil
}

// Adds counts the successful AddLocal calls.
func (b *Book) Adds() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mu.adds
}

// Get returns the entry of name.
func (b *Book) Get(name string) (console.BookEntry, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.mu.entries {
		if e.Name == name {
			return e, true
		}
	}
	return console.BookEntry{}, false
}
