package store_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"i2pgate/router/store"
)

// crashEnv names the database file for the child process of TestCrash.
const crashEnv = "I2PGATE_STORE_CRASH_DB"

const crashBatch = 16 // keys written by every child transaction

// TestCrash proves that the bbolt store survives kill -9 in the middle of
// writing: a child process commits transactions in a loop until it is
// killed, then the database must open and hold only complete transactions.
func TestCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var last uint64
	for round := range 4 {
		runCrashChild(t, path, time.Duration(100+rng.IntN(200))*time.Millisecond)
		seq := checkCrashDB(t, path)
		t.Logf("round %d: %d transactions committed", round, seq)
		if seq < last {
			t.Fatalf("round %d: sequence went back from %d to %d", round, last, seq)
		}
		last = seq
	}
	if last == 0 {
		t.Fatal("the child never committed")
	}
}

// runCrashChild starts this test binary as a writer and SIGKILLs it after d.
func runCrashChild(t *testing.T, path string, d time.Duration) {
	t.Helper()
	args := []string{os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1"}
	// Under scripts/test-cross.sh the test binary is foreign: run the child through
	// the same emulator, and give it time to start.
	if emu := os.Getenv("I2PGATE_TEST_EXEC"); emu != "" {
		args = append([]string{emu}, args...)
		d *= 10
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	killed := false
	kill := func() {
		if !killed {
			killed = true
			_ = cmd.Process.Kill() // SIGKILL on Unix, by PID
			_ = cmd.Wait()
		}
	}
	defer kill()
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line == "ready\n"
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("child %d did not start", pid)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("child %d did not start in time", pid)
	}
	time.Sleep(d)
	kill()
}

// TestCrashChild is the writer process of TestCrash; run alone it skips.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process of TestCrash")
	}
	db, err := store.Open(path, &store.Options{LockTimeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stdout, "open:", err)
		os.Exit(1)
	}
	var seq uint64
	_ = db.View(func(tx store.Tx) error {
		if v := tx.Bucket("meta").Get([]byte("seq")); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	fmt.Fprintln(os.Stdout, "ready")
	rng := rand.New(rand.NewPCG(seq, uint64(os.Getpid())))
	deadline := time.Now().Add(30 * time.Second) // never outlive a dead parent for long
	for time.Now().Before(deadline) {
		seq++
		if err := db.Update(func(tx store.Tx) error { return writeCrashTx(tx, seq, rng) }); err != nil {
			fmt.Fprintln(os.Stderr, "update:", err)
			os.Exit(1)
		}
	}
	os.Exit(2)
}

// writeCrashTx overwrites the batch keys with values tagged by seq, records
// seq, and appends the batch checksum to a log bucket that keeps growing.
func writeCrashTx(tx store.Tx, seq uint64, rng *rand.Rand) error {
	data := tx.Bucket("data")
	sum := sha256.New()
	for i := range crashBatch {
		v := make([]byte, 8+rng.IntN(3000))
		binary.BigEndian.PutUint64(v, seq)
		for j := 8; j < len(v); j++ {
			v[j] = byte(rng.Uint32())
		}
		sum.Write(v)
		if err := data.Put(crashKey(i), v); err != nil {
			return err
		}
	}
	seqb := binary.BigEndian.AppendUint64(nil, seq)
	if err := tx.Bucket("log").Put(seqb, sum.Sum(nil)); err != nil {
		return err
	}
	return tx.Bucket("meta").Put([]byte("seq"), seqb)
}

func crashKey(i int) []byte { return fmt.Appendf(nil, "key-%02d", i) }

// checkCrashDB opens the database after a kill and checks that the last
// committed transaction is complete; it returns its sequence number.
func checkCrashDB(t *testing.T, path string) uint64 {
	t.Helper()
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	var seq uint64
	err = db.View(func(tx store.Tx) error {
		v := tx.Bucket("meta").Get([]byte("seq"))
		if v == nil {
			return nil // killed before the first commit
		}
		seq = binary.BigEndian.Uint64(v)
		sum := sha256.New()
		data := tx.Bucket("data")
		for i := range crashBatch {
			v := data.Get(crashKey(i))
			if len(v) < 8 || binary.BigEndian.Uint64(v) != seq {
				return fmt.Errorf("key %d not from transaction %d: partial batch", i, seq)
			}
			sum.Write(v)
		}
		log := tx.Bucket("log")
		if n := uint64(log.Len()); n != seq {
			return fmt.Errorf("log has %d entries, want %d", n, seq)
		}
		if want := log.Get(binary.BigEndian.AppendUint64(nil, seq)); !bytes.Equal(sum.Sum(nil), want) {
			return fmt.Errorf("checksum of transaction %d does not match its log entry", seq)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}
