package naming

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/store"
)

const (
	// MaxImportLines bounds the lines read from one hosts.txt stream.
	MaxImportLines = 200000
	// importChunk is how many entries one store transaction applies: few,
	// large commits for flash.
	importChunk = 512
)

// Stats counts the outcome of an Import.
type Stats struct {
	Lines   int // lines read
	Added   int // names added to the book
	Known   int // entries for names the book already had (first name wins)
	Removed int // names removed by signed remove commands
	Invalid int // malformed lines, bad names, destinations or signatures, refused commands
	Full    int // entries dropped because the book was full
}

// opKind is what an accepted line asks of the book.
type opKind uint8

const (
	opAdd       opKind = iota + 1
	opRemove           // remove name if it has hash (not local names)
	opRemoveAll        // remove every non-local name of hash
)

// op is a checked line, applied inside a transaction.
type op struct {
	kind opKind
	name string
	dest *data.Destination
	hash data.Hash
	// requireName, when set and in the book, must map to requireHash for an
	// add to go ahead (addname, changename, addsubdomain).
	requireName string
	requireHash data.Hash
}

// Import merges a hosts.txt stream into the book (naming.html "Incoming
// Subscriptions and Merging"). A name already in the book is never
// replaced, whatever the line says: the first name seen wins and local
// names always win. Lines with a "#!" part must carry a valid signature
// (subscription.rst "Signatures"); of the commands, those that add a name
// (addname, addsubdomain, adddest, changename, changedest, update) add it
// only when it is new, after checking their inner signature and the names
// they refer to, and a signed remove or removeall deletes the subscription
// names of its destination (never local ones). Lines longer than
// MaxLineLen are skipped; after MaxImportLines lines Import stops with
// ErrTooLarge. source is recorded with each new name. Entries applied
// before an error stay in the book.
func (b *Book) Import(r io.Reader, source string) (Stats, error) {
	var st Stats
	br := bufio.NewReaderSize(r, MaxLineLen+2)
	ops := make([]op, 0, importChunk)
	for {
		line, tooLong, err := readLine(br)
		if len(line) > 0 || tooLong || err == nil {
			st.Lines++
		}
		switch {
		case err != nil && !errors.Is(err, io.EOF):
			// The line may be cut short: a name without its "#!" part
			// would bypass checks, so it is dropped.
		case tooLong:
			st.Invalid++
		case len(line) > 0:
			if o, ok := b.check(line, &st); ok {
				ops = append(ops, o)
			}
		}
		if len(ops) == importChunk {
			if aerr := b.applyOps(ops, source, &st); aerr != nil {
				return st, aerr
			}
			ops = ops[:0]
		}
		if err == nil && st.Lines >= MaxImportLines {
			err = fmt.Errorf("%w: more than %d lines", ErrTooLarge, MaxImportLines)
		}
		if err != nil {
			if aerr := b.applyOps(ops, source, &st); aerr != nil {
				return st, aerr
			}
			b.log.Info("import", "lines", st.Lines, "added", st.Added, "known", st.Known,
				"removed", st.Removed, "invalid", st.Invalid, "full", st.Full)
			switch {
			case errors.Is(err, io.EOF):
				return st, nil
			case errors.Is(err, ErrTooLarge):
				return st, err
			}
			return st, fmt.Errorf("naming: import: %w", err)
		}
	}
}

// readLine returns the next line without its end of line. A line longer
// than the reader's buffer is skipped to its end and reported as tooLong.
// err is io.EOF after the last line.
func readLine(br *bufio.Reader) (line string, tooLong bool, err error) {
	b, err := br.ReadSlice('\n')
	for errors.Is(err, bufio.ErrBufferFull) {
		tooLong = true
		_, err = br.ReadSlice('\n')
	}
	if tooLong {
		return "", true, err
	}
	return strings.TrimRight(string(b), "\r\n"), false, err
}

// check parses a line and verifies what can be verified without the book.
func (b *Book) check(s string, st *Stats) (op, bool) {
	l, ok, err := ParseLine(s)
	if err != nil {
		st.Invalid++
		return op{}, false
	}
	if !ok {
		return op{}, false
	}
	var o op
	if l.Name == "" {
		o, err = checkCommand(l)
	} else {
		o, err = checkEntry(l)
	}
	if err != nil {
		st.Invalid++
		return op{}, false
	}
	return o, true
}

// checkEntry handles "name=dest[#!...]" lines.
func checkEntry(l Line) (op, error) {
	if err := ValidName(l.Name); err != nil {
		return op{}, err
	}
	d, err := DecodeDest(l.Dest)
	if err != nil {
		return op{}, err
	}
	o := op{kind: opAdd, name: l.Name, dest: d, hash: d.Hash()}
	if l.Props == nil {
		return o, nil
	}
	if err := l.VerifySig(); err != nil {
		return op{}, err
	}
	oldName, hasOldName := l.Get(KeyOldName)
	switch l.Action() {
	case "", ActionUpdate:
	case ActionAddName, ActionChangeName:
		if !hasOldName || ValidName(oldName) != nil {
			return op{}, fmt.Errorf("%w: %s without a valid oldname", ErrInvalidLine, l.Action())
		}
		o.requireName, o.requireHash = oldName, o.hash
	case ActionAddSubdomain:
		if !hasOldName || ValidName(oldName) != nil || !strings.HasSuffix(l.Name, "."+oldName) {
			return op{}, fmt.Errorf("%w: addsubdomain of %q", ErrInvalidLine, clip(oldName))
		}
		oldDest, err := innerDest(l)
		if err != nil {
			return op{}, err
		}
		o.requireName, o.requireHash = oldName, oldDest.Hash()
	case ActionAddDest, ActionChangeDest:
		if _, err := innerDest(l); err != nil {
			return op{}, err
		}
	default:
		// remove and removeall come without name=dest; others are unknown.
		return op{}, fmt.Errorf("%w: action %q", ErrInvalidLine, clip(l.Action()))
	}
	return o, nil
}

// innerDest verifies the inner signature and returns the old destination.
func innerDest(l Line) (*data.Destination, error) {
	if err := l.VerifyInnerSig(); err != nil {
		return nil, err
	}
	old, _ := l.Get(KeyOldDest)
	return DecodeDest(old)
}

// checkCommand handles command-only "#!..." lines.
func checkCommand(l Line) (op, error) {
	if err := l.VerifyRemoveSig(); err != nil {
		return op{}, err
	}
	dest, _ := l.Get(KeyDest)
	d, err := DecodeDest(dest)
	if err != nil {
		return op{}, err
	}
	name, hasName := l.Get(KeyName)
	switch l.Action() {
	case ActionRemove:
		if !hasName || ValidName(name) != nil {
			return op{}, fmt.Errorf("%w: remove without a valid name", ErrInvalidLine)
		}
		return op{kind: opRemove, name: name, hash: d.Hash()}, nil
	case ActionRemoveAll:
		return op{kind: opRemoveAll, hash: d.Hash()}, nil
	}
	return op{}, fmt.Errorf("%w: command %q", ErrInvalidLine, clip(l.Action()))
}

// applyOps applies checked lines in one transaction.
func (b *Book) applyOps(ops []op, source string, st *Stats) error {
	if len(ops) == 0 {
		return nil
	}
	now := b.clock.Now()
	var d delta
	var chunk Stats
	err := b.st.Update(func(tx store.Tx) error {
		d, chunk = delta{}, Stats{}
		for i := range ops {
			if err := b.applyTx(tx, &ops[i], source, now, &d, &chunk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("naming: import: %w", err)
	}
	b.apply(d)
	st.Added += chunk.Added
	st.Known += chunk.Known
	st.Removed += chunk.Removed
	st.Invalid += chunk.Invalid
	st.Full += chunk.Full
	return nil
}

func (b *Book) applyTx(tx store.Tx, o *op, source string, now time.Time, d *delta, st *Stats) error {
	switch o.kind {
	case opAdd:
		if _, exists, err := lookupTx(tx, o.name); err != nil || exists {
			st.Known++
			return err
		}
		if o.requireName != "" {
			req, exists, err := lookupTx(tx, o.requireName)
			if err != nil {
				return err
			}
			if exists && req.Hash != o.requireHash {
				st.Invalid++
				return nil
			}
		}
		if b.names.Load()+d.names >= int64(b.maxNames) {
			st.Full++
			return nil
		}
		r := Record{Name: o.name, Hash: o.hash, Dest: o.dest, Source: source, Added: now}
		st.Added++
		return putTx(tx, &r, d)
	case opRemove:
		r, exists, err := lookupTx(tx, o.name)
		if err != nil || !exists || r.Local || r.Hash != o.hash {
			return err
		}
		st.Removed++
		return removeTx(tx, r, d)
	case opRemoveAll:
		for _, n := range decodeNames(tx.Bucket(bucketReverse).Get(o.hash[:])) {
			r, exists, err := lookupTx(tx, n)
			if err != nil {
				return err
			}
			if !exists || r.Local || r.Hash != o.hash {
				continue
			}
			st.Removed++
			if err := removeTx(tx, r, d); err != nil {
				return err
			}
		}
	}
	return nil
}
