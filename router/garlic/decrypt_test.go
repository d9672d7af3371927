package garlic

import (
	"errors"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/i2np"
)

func TestReplayWindowFitsFilter(t *testing.T) {
	if DateTimeMaxAge-i2np.ClockSkew+DateTimeMaxFuture > i2np.MaxFutureExpiration {
		t.Fatal("replay filter would forget keys still inside the DateTime window")
	}
}

func TestDecrypter(t *testing.T) {
	now := time.Unix(1700000000, 0)
	clk := clocktest.New(now)
	router := routerKey(t, 0x01)
	replies := NewReplyTable(ReplyTableConfig{Clock: clk})
	d := NewDecrypter(DecrypterConfig{Key: router, Replies: replies, Clock: clk})
	m := i2np.Message{Type: i2np.TypeDatabaseStore, ID: 9, Expiration: now.Add(time.Minute).UTC(), Payload: []byte{1, 2}}

	// A New Session message to our key.
	ns, err := WrapForRouter(nil, &router.Public, now, m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Decrypt(ns)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != NewSession || len(got.Cloves()) != 1 || got.Cloves()[0].Message.ID != 9 {
		t.Fatalf("Decrypt = %+v", got)
	}
	if _, err := d.Decrypt(ns); !errors.Is(err, ErrReplay) {
		t.Errorf("replayed: %v", err)
	}

	// A reply to one of our lookups, consumed once.
	k, err := replies.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := WrapReply(nil, &k, m)
	if err != nil {
		t.Fatal(err)
	}
	forged := append([]byte(nil), reply...)
	forged[len(forged)-1] ^= 1
	if _, err := d.Decrypt(forged); !errors.Is(err, ErrDecrypt) {
		t.Errorf("forged reply: %v", err)
	}
	got, err = d.Decrypt(reply)
	if err != nil {
		t.Fatalf("reply after forgery: %v", err)
	}
	if got.Kind != ExistingSession || len(got.Cloves()) != 1 {
		t.Fatalf("Decrypt reply = %+v", got)
	}
	if _, err := d.Decrypt(reply); err == nil {
		t.Error("second use of a reply key accepted")
	}

	// Junk of every small size fails cleanly.
	for n := range 120 {
		if _, err := d.Decrypt(make([]byte, n)); err == nil {
			t.Fatalf("%d zero bytes accepted", n)
		}
	}
}

func TestDecrypterDateTime(t *testing.T) {
	now := time.Unix(1700000000, 0)
	router := routerKey(t, 0x01)
	tests := []struct {
		name   string
		offset time.Duration
		ok     bool
	}{
		{"now", 0, true},
		{"old", -DateTimeMaxAge, true},
		{"too old", -DateTimeMaxAge - time.Second, false},
		{"ahead", DateTimeMaxFuture, true},
		{"too far ahead", DateTimeMaxFuture + time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecrypter(DecrypterConfig{Key: router, Clock: clocktest.New(now)})
			body, err := SealForRouter(nil, &router.Public, []Block{NewDateTime(now.Add(tc.offset))})
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.Decrypt(body)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrReplay) {
				t.Errorf("err = %v, want ErrReplay", err)
			}
		})
	}
}

func TestDecrypterNoReplies(t *testing.T) {
	router := routerKey(t, 0x01)
	d := NewDecrypter(DecrypterConfig{Key: router})
	k := replyVectorKey()
	body, err := SealReply(&k.Key, k.Tag, replyBlocks())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Decrypt(body); !errors.Is(err, ErrDecrypt) {
		t.Errorf("unknown reply: %v", err)
	}
	ns, err := WrapForRouter(nil, &router.Public, time.Now(), i2np.Message{Expiration: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Decrypt(ns); err != nil {
		t.Errorf("system clock: %v", err)
	}
}
