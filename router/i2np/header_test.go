package i2np

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"
)

// DeliveryStatus payload 01020304 + Date 0x0000018f3451a800, under a
// standard header: type 0a, id 0xdeadbeef, expiration 1714564800000 ms
// (0x0000018f34069e00), size 000c, checksum = SHA-256(payload)[0].
const (
	vecPayloadHex  = "01020304 0000018f3451a800"
	vecStandardHex = "0a deadbeef 0000018f34069e00 000c"
	vecShortHex    = "0a deadbeef 66322ec0"
)

func vecMessage(t *testing.T) Message {
	return Message{Type: TypeDeliveryStatus, ID: 0xdeadbeef, Expiration: testTime, Payload: mustHex(t, vecPayloadHex)}
}

func TestStandardVector(t *testing.T) {
	payload := mustHex(t, vecPayloadHex)
	sum := sha256.Sum256(payload)
	want := append(mustHex(t, vecStandardHex), sum[0])
	want = append(want, payload...)

	got, err := vecMessage(t).AppendStandard(nil)
	wantErr(t, err, nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendStandard\n got %x\nwant %x", got, want)
	}
	m, rest, err := ParseStandard(append(got, 0x55))
	wantErr(t, err, nil)
	if !bytes.Equal(rest, []byte{0x55}) {
		t.Fatalf("rest %x", rest)
	}
	if m.Type != TypeDeliveryStatus || m.ID != 0xdeadbeef || !m.Expiration.Equal(testTime) || !bytes.Equal(m.Payload, payload) {
		t.Fatalf("parsed %+v", m)
	}
	if len(got) != m.StandardLen() {
		t.Fatalf("StandardLen %d, encoded %d", m.StandardLen(), len(got))
	}
}

func TestShortVector(t *testing.T) {
	want := append(mustHex(t, vecShortHex), mustHex(t, vecPayloadHex)...)
	got, err := vecMessage(t).AppendShort(nil)
	wantErr(t, err, nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendShort\n got %x\nwant %x", got, want)
	}
	m, err := ParseShort(got)
	wantErr(t, err, nil)
	if m.Type != TypeDeliveryStatus || m.ID != 0xdeadbeef || !m.Expiration.Equal(testTime) {
		t.Fatalf("parsed %+v", m)
	}
	if len(got) != m.ShortLen() {
		t.Fatalf("ShortLen %d, encoded %d", m.ShortLen(), len(got))
	}
}

// TestShortStandardConversion converts as i2pd's ToNTCP2/FromNTCP2 do:
// milliseconds are truncated to seconds and come back as whole seconds.
func TestShortStandardConversion(t *testing.T) {
	m := vecMessage(t)
	m.Expiration = testTime.Add(999 * time.Millisecond)
	short, err := m.AppendShort(nil)
	wantErr(t, err, nil)
	if got := hex.EncodeToString(short[5:9]); got != "66322ec0" {
		t.Fatalf("short expiration %s", got)
	}
	back, err := ParseShort(short)
	wantErr(t, err, nil)
	std, err := back.AppendStandard(nil)
	wantErr(t, err, nil)
	m2, _, err := ParseStandard(std)
	wantErr(t, err, nil)
	if !m2.Expiration.Equal(testTime) || m2.ID != m.ID || m2.Type != m.Type || !bytes.Equal(m2.Payload, m.Payload) {
		t.Fatalf("after conversion %+v", m2)
	}
}

func TestParseStandardErrors(t *testing.T) {
	good, err := vecMessage(t).AppendStandard(nil)
	wantErr(t, err, nil)
	badSum := bytes.Clone(good)
	badSum[checksumOffset] ^= 1
	badPayload := bytes.Clone(good)
	badPayload[len(badPayload)-1] ^= 1
	farExp := bytes.Clone(good)
	farExp[expirationOffset] = 0x80
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"header only 15", good[:15], ErrTruncated},
		{"payload short", good[:len(good)-1], ErrTruncated},
		{"bad checksum", badSum, ErrChecksum},
		{"payload changed", badPayload, ErrChecksum},
		{"expiration beyond int64", farExp, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseStandard(tc.in)
			wantErr(t, err, tc.want)
		})
	}
}

func TestAppendHeaderErrors(t *testing.T) {
	big := Message{Type: TypeData, Expiration: testTime, Payload: make([]byte, MaxPayloadSize+1)}
	_, err := big.AppendStandard(nil)
	wantErr(t, err, ErrTooLarge)
	_, err = big.AppendShort(nil)
	wantErr(t, err, ErrTooLarge)
	early := Message{Type: TypeData, Expiration: time.Unix(-1, 0)}
	_, err = early.AppendStandard(nil)
	wantErr(t, err, ErrInvalid)
	_, err = early.AppendShort(nil)
	wantErr(t, err, ErrInvalid)
	late := Message{Type: TypeData, Expiration: time.Unix(1<<32, 0)}
	_, err = late.AppendShort(nil)
	wantErr(t, err, ErrInvalid)
	_, err = ParseShort(make([]byte, 8))
	wantErr(t, err, ErrTruncated)
	_, err = ParseShort(make([]byte, ShortHeaderSize+MaxShortPayloadSize+1))
	wantErr(t, err, ErrTooLarge)

	// The largest payloads still encode.
	max := Message{Type: TypeData, Expiration: testTime, Payload: make([]byte, MaxPayloadSize)}
	b, err := max.AppendStandard(nil)
	wantErr(t, err, nil)
	if _, _, err := ParseStandard(b); err != nil {
		t.Fatal(err)
	}
}

func TestExpired(t *testing.T) {
	exp := testTime
	tests := []struct {
		now  time.Time
		want bool
	}{
		{exp, false},
		{exp.Add(ClockSkew), false},
		{exp.Add(ClockSkew + time.Millisecond), true},
		{exp.Add(-MaxFutureExpiration), false},
		{exp.Add(-MaxFutureExpiration - time.Millisecond), true},
		{exp.Add(-ExpirationTimeout), false},
	}
	for _, tc := range tests {
		if got := (Message{Expiration: exp}).Expired(tc.now); got != tc.want {
			t.Errorf("Expired(exp%+v) = %v, want %v", tc.now.Sub(exp), got, tc.want)
		}
	}
}

func TestTypeString(t *testing.T) {
	for ty, want := range map[Type]string{
		TypeDatabaseStore: "DatabaseStore", TypeOutboundTunnelBuildReply: "OutboundTunnelBuildReply",
		231: "Type(231)", 0: "Type(0)",
	} {
		if ty.String() != want {
			t.Errorf("%d: %q, want %q", uint8(ty), ty.String(), want)
		}
	}
	if Type(4).Known() || !TypeGarlic.Known() {
		t.Error("Known")
	}
}
