package garlic

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"reflect"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"i2pgate/router/i2np"
)

func replyVectorKey() ReplyKey {
	var k ReplyKey
	for i := range k.Key {
		k.Key[i] = byte(0xa0 + i)
	}
	k.Tag = i2np.RatchetTag{1, 2, 3, 4, 5, 6, 7, 8}
	return k
}

func replyBlocks() []Block {
	return []Block{
		Clove{Message: i2np.Message{Type: i2np.TypeDatabaseSearchReply, ID: 5,
			Expiration: time.Unix(0x65000000, 0).UTC(), Payload: bytes.Repeat([]byte{7}, 65)}},
		Padding{Size: 2},
	}
}

// TestReplyVector checks SealReply against the i2np.rst "Reply format"
// AEAD parameters applied with x/crypto: k = reply_key, n = 0, ad = tag.
func TestReplyVector(t *testing.T) {
	k := replyVectorKey()
	payload, err := AppendBlocks(nil, replyBlocks())
	if err != nil {
		t.Fatal(err)
	}
	aead, err := chacha20poly1305.New(k.Key[:])
	if err != nil {
		t.Fatal(err)
	}
	want := aead.Seal(append([]byte(nil), k.Tag[:]...), make([]byte, 12), payload, k.Tag[:])
	got, err := SealReply(&k.Key, k.Tag, replyBlocks())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("SealReply\n%x\nwant\n%x", got, want)
	}
	// Pinned digest of the vector.
	if d := sha256.Sum256(got); !bytes.Equal(d[:], unhex(t, replyVectorDigest)) {
		t.Errorf("digest %x", d)
	}
	blocks, err := OpenReply(&k.Key, k.Tag, got)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(blocks, replyBlocks()) {
		t.Fatalf("opened %#v", blocks)
	}
}

const replyVectorDigest = "c980b91c77b056c451bb29df4d88bc1fcf294aa20bc9c12084dafca521ba44a1"

func TestReplyErrors(t *testing.T) {
	k := replyVectorKey()
	body, err := SealReply(&k.Key, k.Tag, replyBlocks())
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		bad := bytes.Clone(body)
		bad[i] ^= 0x80
		if _, err := OpenReply(&k.Key, k.Tag, bad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("flipped byte %d: %v", i, err)
		}
	}
	for n := range MinReplySize {
		if _, err := OpenReply(&k.Key, k.Tag, body[:n]); !errors.Is(err, ErrTruncated) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
	other := k
	other.Key[0] ^= 1
	if _, err := OpenReply(&other.Key, k.Tag, body); !errors.Is(err, ErrDecrypt) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := SealReply(&k.Key, k.Tag, []Block{Padding{}}); !errors.Is(err, ErrOrder) {
		t.Errorf("no clove first: %v", err)
	}
	if _, err := SealReply(&k.Key, k.Tag, nil); !errors.Is(err, ErrOrder) {
		t.Errorf("empty: %v", err)
	}
	if _, err := SealReply(&k.Key, k.Tag, []Block{Clove{}, Padding{}, Clove{}}); !errors.Is(err, ErrOrder) {
		t.Errorf("padding inside: %v", err)
	}
	if _, err := SealReply(&k.Key, k.Tag, []Block{Clove{Delivery: Delivery{Type: DeliveryTunnel}}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad clove: %v", err)
	}
	// An authenticated payload that breaks the rules.
	aead, _ := chacha20poly1305.New(k.Key[:])
	bad := aead.Seal(append([]byte(nil), k.Tag[:]...), make([]byte, 12), []byte{0xfe, 0, 0, 0x04, 0, 1, 0}, k.Tag[:])
	if _, err := OpenReply(&k.Key, k.Tag, bad); !errors.Is(err, ErrOrder) {
		t.Errorf("termination after padding: %v", err)
	}
}

func TestWrapReply(t *testing.T) {
	k, err := NewReplyKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if k == (ReplyKey{}) {
		t.Fatal("zero reply key")
	}
	m := i2np.Message{Type: i2np.TypeDatabaseStore, ID: 3, Expiration: time.Unix(1e9, 0).UTC(), Payload: []byte{1}}
	body, err := WrapReply(nil, &k, m)
	if err != nil {
		t.Fatal(err)
	}
	if tag, ok := ReplyTag(body); !ok || tag != k.Tag {
		t.Fatalf("ReplyTag = %x, %v", tag, ok)
	}
	if _, ok := ReplyTag(body[:7]); ok {
		t.Error("ReplyTag of 7 bytes")
	}
	blocks, err := OpenReply(&k.Key, k.Tag, body)
	if err != nil {
		t.Fatal(err)
	}
	if c := Cloves(blocks); len(c) != 1 || !reflect.DeepEqual(c[0].Message, m) || blocks[0].Type() != BlockGarlicClove {
		t.Fatalf("blocks %#v", blocks)
	}
	if _, err := NewReplyKey(bytes.NewReader(make([]byte, 33))); err == nil {
		t.Error("short rand accepted for the tag")
	}
	if _, err := NewReplyKey(bytes.NewReader(nil)); err == nil {
		t.Error("empty rand accepted")
	}
	if _, err := WrapReply(bytes.NewReader(nil), &k, m); err == nil {
		t.Error("empty rand accepted by WrapReply")
	}
}
