package i2np

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"i2pgate/router/data"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func buildRecords(n int) []BuildRecord {
	r := make([]BuildRecord, n)
	for i := range r {
		copy(r[i][:], filled(byte(0xa0+i), BuildRecordSize))
	}
	return r
}

func shortRecords(n int) []ShortBuildRecord {
	r := make([]ShortBuildRecord, n)
	for i := range r {
		copy(r[i][:], filled(byte(0xb0+i), ShortBuildRecordSize))
	}
	return r
}

func recordsHex(first byte, n, size int) string {
	var s strings.Builder
	for i := range n {
		s.WriteString(rep(first+byte(i), size))
	}
	return s.String()
}

// innerMessage is a DeliveryStatus with a standard header, for TunnelGateway.
func innerMessage(t testing.TB) []byte {
	m, err := AppendStandardPayload(nil, DeliveryStatus{MessageID: 7, Timestamp: 8}, 9, testTime)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type sample struct {
	name string
	p    Payload
	hex  string // the payload, from the spec layout
}

// samples holds one message of every type, with its payload as built by
// hand from the spec's layout.
func samples(t testing.TB) []sample {
	inner := innerMessage(t)
	return []sample{
		{"DatabaseStore", DatabaseStore{Key: hash(1), StoreType: StoreLeaseSet2, Data: []byte{1, 2, 3}},
			rep(1, 32) + "03 00000000 010203"},
		{"DatabaseLookup", DatabaseLookup{Key: hash(1), From: hash(2), Flags: 0x08},
			rep(1, 32) + rep(2, 32) + "08 0000"},
		{"DatabaseSearchReply", DatabaseSearchReply{Key: hash(1), Peers: []data.Hash{hash(3), hash(4)}, From: hash(2)},
			rep(1, 32) + "02" + rep(3, 32) + rep(4, 32) + rep(2, 32)},
		{"DatabaseSearchReply empty", DatabaseSearchReply{Key: hash(1), From: hash(2)},
			rep(1, 32) + "00" + rep(2, 32)},
		{"DeliveryStatus", DeliveryStatus{MessageID: 0x01020304, Timestamp: 0x0000018f34069e00},
			"01020304 0000018f34069e00"},
		{"DeliveryStatus SSU netid", DeliveryStatus{MessageID: 5, Timestamp: 2}, "00000005 0000000000000002"},
		{"Garlic", Garlic{Data: []byte{0xde, 0xad}}, "00000002 dead"},
		{"Garlic empty", Garlic{}, "00000000"},
		{"TunnelData", TunnelData{TunnelID: 0x0a0b0c0d, Data: filled(0xcc, TunnelDataBodySize)},
			"0a0b0c0d" + rep(0xcc, TunnelDataBodySize)},
		{"TunnelGateway", TunnelGateway{TunnelID: 0x11223344, Message: inner},
			fmt.Sprintf("11223344 %04x %x", len(inner), inner)},
		{"Data", Data{Data: []byte("hi")}, "00000002 6869"},
		{"TunnelBuild", TunnelBuild{Records: buildRecords(8)}, recordsHex(0xa0, 8, BuildRecordSize)},
		{"TunnelBuildReply", TunnelBuildReply{Records: buildRecords(8)}, recordsHex(0xa0, 8, BuildRecordSize)},
		{"VariableTunnelBuild", VariableTunnelBuild{Records: buildRecords(5)}, "05" + recordsHex(0xa0, 5, BuildRecordSize)},
		{"VariableTunnelBuildReply", VariableTunnelBuildReply{Records: buildRecords(1)}, "01" + recordsHex(0xa0, 1, BuildRecordSize)},
		{"ShortTunnelBuild", ShortTunnelBuild{Records: shortRecords(4)}, "04" + recordsHex(0xb0, 4, ShortBuildRecordSize)},
		{"OutboundTunnelBuildReply", OutboundTunnelBuildReply{Records: shortRecords(8)}, "08" + recordsHex(0xb0, 8, ShortBuildRecordSize)},
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	for _, s := range samples(t) {
		t.Run(s.name, func(t *testing.T) {
			want := mustHex(t, s.hex)
			got := mustAppend(t, s.p)
			if !bytes.Equal(got, want) {
				t.Fatalf("Append\n got %x\nwant %x", got, want)
			}
			back, err := ParsePayload(s.p.Type(), want)
			wantErr(t, err, nil)
			if !reflect.DeepEqual(normalize(back), normalize(s.p)) {
				t.Fatalf("parsed %+v\nwant   %+v", back, s.p)
			}
			// Appending to a non-empty dst keeps its prefix.
			pre, err := s.p.Append([]byte{0xee})
			wantErr(t, err, nil)
			if pre[0] != 0xee || !bytes.Equal(pre[1:], want) {
				t.Fatal("Append lost its dst prefix")
			}
		})
	}
}

// normalize maps an empty byte slice to nil so that DeepEqual compares
// contents (a parsed empty Garlic has a non-nil empty Data).
func normalize(p Payload) Payload {
	switch v := p.(type) {
	case Garlic:
		if len(v.Data) == 0 {
			v.Data = nil
		}
		return v
	case Data:
		if len(v.Data) == 0 {
			v.Data = nil
		}
		return v
	}
	return p
}

// TestGoldenMessages compares each sample, with a standard header (id 1,
// expiration testTime), with testdata/messages.golden; -update rewrites it.
func TestGoldenMessages(t *testing.T) {
	var out strings.Builder
	for i, s := range samples(t) {
		m, err := AppendStandardPayload(nil, s.p, uint32(i+1), testTime)
		wantErr(t, err, nil)
		fmt.Fprintf(&out, "%s %x\n", strings.ReplaceAll(s.name, " ", "_"), m)
	}
	path := filepath.Join("testdata", "messages.golden")
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<16)
	var got strings.Builder
	for sc.Scan() {
		line := sc.Text()
		got.WriteString(line + "\n")
		name, hx, _ := strings.Cut(line, " ")
		b, err := hex.DecodeString(hx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m, rest, err := ParseStandard(b)
		if err != nil || len(rest) != 0 {
			t.Fatalf("%s: %v, %d bytes left", name, err, len(rest))
		}
		if _, err := m.Decode(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if got.String() != out.String() {
		t.Fatal("encodings differ from testdata/messages.golden (run with -update after checking why)")
	}
}

func TestMessageHelpers(t *testing.T) {
	ds := DeliveryStatus{MessageID: 1, Timestamp: 2}
	m, err := NewMessage(ds, 77, testTime)
	wantErr(t, err, nil)
	std, err := m.AppendStandard(nil)
	wantErr(t, err, nil)
	direct, err := AppendStandardPayload(nil, ds, 77, testTime)
	wantErr(t, err, nil)
	if !bytes.Equal(std, direct) {
		t.Fatal("AppendStandardPayload differs from NewMessage + AppendStandard")
	}
	short, err := m.AppendShort(nil)
	wantErr(t, err, nil)
	directShort, err := AppendShortPayload(nil, ds, 77, testTime)
	wantErr(t, err, nil)
	if !bytes.Equal(short, directShort) {
		t.Fatal("AppendShortPayload differs")
	}
	// Errors leave dst as it was.
	bad := TunnelData{Data: []byte{1}}
	for _, f := range []func([]byte, Payload, uint32, time.Time) ([]byte, error){AppendStandardPayload[Payload], AppendShortPayload[Payload]} {
		dst, err := f([]byte{1, 2}, bad, 1, testTime)
		wantErr(t, err, ErrInvalid)
		if !bytes.Equal(dst, []byte{1, 2}) {
			t.Fatalf("dst %x after error", dst)
		}
	}
	if _, err := NewMessage(bad, 1, testTime); err == nil {
		t.Fatal("NewMessage accepted a bad payload")
	}
	big := Data{Data: make([]byte, MaxPayloadSize-lengthPrefixSize)}
	if _, err := AppendShortPayload(nil, big, 1, testTime); err == nil {
		t.Fatal("AppendShortPayload accepted an oversized payload")
	}
	if _, err := ParsePayload(4, nil); err == nil {
		t.Fatal("ParsePayload accepted type 4")
	}
}

func TestTunnelGatewayInner(t *testing.T) {
	inner := innerMessage(t)
	g, err := NewTunnelGateway(3, Message{Type: TypeDeliveryStatus, ID: 9, Expiration: testTime,
		Payload: mustAppend(t, DeliveryStatus{MessageID: 7, Timestamp: 8})})
	wantErr(t, err, nil)
	if !bytes.Equal(g.Message, inner) {
		t.Fatal("NewTunnelGateway encoding differs")
	}
	m, err := g.Inner()
	wantErr(t, err, nil)
	if m.ID != 9 || m.Type != TypeDeliveryStatus {
		t.Fatalf("inner %+v", m)
	}
	g.Message = append(bytes.Clone(inner), 0)
	_, err = g.Inner()
	wantErr(t, err, ErrTrailingData)
	g.Message = inner[:10]
	_, err = g.Inner()
	wantErr(t, err, ErrTruncated)
	if _, err := NewTunnelGateway(1, Message{Expiration: testTime, Payload: make([]byte, MaxPayloadSize+1)}); err == nil {
		t.Fatal("oversized inner message accepted")
	}
}

func TestPayloadErrors(t *testing.T) {
	rec := BuildRecordSize
	srec := ShortBuildRecordSize
	tests := []struct {
		name string
		t    Type
		in   []byte
		want error
	}{
		{"search reply empty", TypeDatabaseSearchReply, nil, ErrTruncated},
		{"search reply from cut", TypeDatabaseSearchReply, append(append(make([]byte, 32), 1), make([]byte, 32+31)...), ErrTruncated},
		{"search reply trailing", TypeDatabaseSearchReply, make([]byte, 32+1+32+1), ErrTrailingData},
		{"search reply count beyond", TypeDatabaseSearchReply, append(make([]byte, 32), append([]byte{3}, make([]byte, 3*32)...)...), ErrTruncated},
		{"delivery status short", TypeDeliveryStatus, make([]byte, 11), ErrTruncated},
		{"delivery status long", TypeDeliveryStatus, make([]byte, 13), ErrTrailingData},
		{"garlic no length", TypeGarlic, []byte{0, 0, 0}, ErrTruncated},
		{"garlic length beyond", TypeGarlic, []byte{0, 0, 0, 2, 1}, ErrTruncated},
		{"garlic huge length", TypeGarlic, []byte{0xff, 0xff, 0xff, 0xff, 1}, ErrTruncated},
		{"garlic trailing", TypeGarlic, []byte{0, 0, 0, 1, 1, 2}, ErrTrailingData},
		{"data length beyond", TypeData, []byte{0, 0, 1, 0}, ErrTruncated},
		{"data trailing", TypeData, []byte{0, 0, 0, 0, 9}, ErrTrailingData},
		{"tunnel data short", TypeTunnelData, make([]byte, TunnelDataSize-1), ErrTruncated},
		{"tunnel data long", TypeTunnelData, make([]byte, TunnelDataSize+1), ErrTrailingData},
		{"tunnel gateway short", TypeTunnelGateway, make([]byte, 5), ErrTruncated},
		{"tunnel gateway length beyond", TypeTunnelGateway, []byte{0, 0, 0, 1, 0, 2, 1}, ErrTruncated},
		{"tunnel gateway trailing", TypeTunnelGateway, []byte{0, 0, 0, 1, 0, 0, 1}, ErrTrailingData},
		{"tunnel build 7 records", TypeTunnelBuild, make([]byte, 7*rec), ErrTruncated},
		{"tunnel build reply extra byte", TypeTunnelBuildReply, make([]byte, 8*rec+1), ErrTrailingData},
		{"variable empty", TypeVariableTunnelBuild, nil, ErrTruncated},
		{"variable 0 records", TypeVariableTunnelBuild, []byte{0}, ErrInvalid},
		{"variable 9 records", TypeVariableTunnelBuildReply, append([]byte{9}, make([]byte, 9*rec)...), ErrInvalid},
		{"variable record cut", TypeVariableTunnelBuild, append([]byte{2}, make([]byte, 2*rec-1)...), ErrTruncated},
		{"variable extra byte", TypeVariableTunnelBuildReply, append([]byte{1}, make([]byte, rec+1)...), ErrTrailingData},
		{"short 0 records", TypeShortTunnelBuild, []byte{0}, ErrInvalid},
		{"short 255 records", TypeOutboundTunnelBuildReply, []byte{255}, ErrInvalid},
		{"short record cut", TypeShortTunnelBuild, append([]byte{4}, make([]byte, 4*srec-1)...), ErrTruncated},
		{"short given long records", TypeOutboundTunnelBuildReply, append([]byte{1}, make([]byte, rec)...), ErrTrailingData},
		{"unknown type", 231, nil, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePayload(tc.t, tc.in)
			wantErr(t, err, tc.want)
		})
	}
}

func TestPayloadAppendErrors(t *testing.T) {
	tests := []struct {
		name string
		p    Payload
		want error
	}{
		{"search reply 256 peers", DatabaseSearchReply{Peers: make([]data.Hash, 256)}, ErrInvalid},
		{"tunnel data short", TunnelData{Data: make([]byte, 1023)}, ErrInvalid},
		{"tunnel data nil", TunnelData{}, ErrInvalid},
		{"tunnel gateway huge", TunnelGateway{Message: make([]byte, 1<<16)}, ErrTooLarge},
		{"garlic huge", Garlic{Data: make([]byte, MaxPayloadSize)}, ErrTooLarge},
		{"data huge", Data{Data: make([]byte, MaxPayloadSize)}, ErrTooLarge},
		{"tunnel build 5", TunnelBuild{Records: buildRecords(5)}, ErrInvalid},
		{"tunnel build reply none", TunnelBuildReply{}, ErrInvalid},
		{"variable none", VariableTunnelBuild{}, ErrInvalid},
		{"variable 9", VariableTunnelBuildReply{Records: buildRecords(9)}, ErrInvalid},
		{"short none", ShortTunnelBuild{}, ErrInvalid},
		{"short 9", OutboundTunnelBuildReply{Records: shortRecords(9)}, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst, err := tc.p.Append([]byte{7})
			wantErr(t, err, tc.want)
			if !bytes.Equal(dst, []byte{7}) {
				t.Fatalf("dst %x after error", dst)
			}
		})
	}
}
