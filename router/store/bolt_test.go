package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"i2pgate/router/store"
)

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	db2, err := store.Open(path, &store.Options{LockTimeout: 50 * time.Millisecond})
	if err == nil {
		db2.Close()
		t.Fatal("second Open of a locked file succeeded")
	}
	if !errors.Is(err, store.ErrLocked) ||
		!strings.HasPrefix(err.Error(), "store: database is locked by another process") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("lock timeout took %v", d)
	}
	// Once the first instance is closed, the file opens again.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db3, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db3.Close()
}

func TestOpenFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mode.db")
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Path() != path {
		t.Fatalf("Path() = %q", db.Path())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Fatalf("file mode %v readable by others", perm)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := store.Open(filepath.Join(dir, "no", "such", "dir.db"), nil); err == nil ||
		!strings.HasPrefix(err.Error(), "store: open ") {
		t.Fatalf("Open in missing dir: %v", err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a bolt file ", 1024)), 0o600); err != nil {
		t.Fatal(err)
	}
	if db, err := store.Open(garbage, nil); err == nil {
		db.Close()
		t.Fatal("Open of a garbage file succeeded")
	}
}

func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.db")
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	put(t, db, "a", "k", "v")
	db.Close()
	ro, err := store.Open(path, &store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got := dump(t, ro, "a"); got != "k=v," {
		t.Fatalf("read-only view: %q", got)
	}
	if err := ro.Update(func(store.Tx) error { return nil }); !errors.Is(err, store.ErrReadOnly) {
		t.Fatalf("Update on read-only DB: %v", err)
	}
}
