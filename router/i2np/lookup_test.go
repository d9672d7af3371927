package i2np

import (
	"bytes"
	"reflect"
	"testing"

	"i2pgate/router/data"
)

func sessionTag(c byte) (s SessionTag) {
	copy(s[:], filled(c, SessionTagSize))
	return s
}

func ratchetTag(c byte) (r RatchetTag) {
	copy(r[:], filled(c, RatchetTagSize))
	return r
}

func replyKey(c byte) (k [SessionKeySize]byte) {
	copy(k[:], filled(c, SessionKeySize))
	return k
}

func TestDatabaseLookupVectors(t *testing.T) {
	kf := rep(0x11, 32) + rep(0x22, 32)
	tests := []struct {
		name string
		hex  string
		want DatabaseLookup
		typ  LookupType
	}{
		{
			"normal, direct, nothing excluded",
			kf + "00 0000",
			DatabaseLookup{Key: hash(0x11), From: hash(0x22)},
			LookupNormal,
		},
		{
			// i2pd CreateRouterInfoDatabaseLookupMsg with a reply tunnel.
			"router info via tunnel, two excluded",
			kf + "09 01020304 0002" + rep(0x33, 32) + rep(0x44, 32),
			DatabaseLookup{Key: hash(0x11), From: hash(0x22), Flags: FlagTunnelReply | 0x08,
				ReplyTunnelID: 0x01020304, Excluded: []data.Hash{hash(0x33), hash(0x44)}},
			LookupRouterInfo,
		},
		{
			"exploration with the all-zero exclusion",
			kf + "0c 0001" + rep(0, 32),
			DatabaseLookup{Key: hash(0x11), From: hash(0x22), Flags: 0x0c, Excluded: []data.Hash{{}}},
			LookupExploration,
		},
		{
			// i2pd CreateLeaseSetDatabaseLookupMsg, ElGamal reply.
			"lease set, ElGamal/AES reply",
			kf + "07 00000005 0001" + rep(0x33, 32) + rep(0x55, 32) + "01" + rep(0x66, 32),
			DatabaseLookup{Key: hash(0x11), From: hash(0x22), Flags: FlagTunnelReply | FlagEncryption | 0x04,
				ReplyTunnelID: 5, Excluded: []data.Hash{hash(0x33)}, ReplyKey: replyKey(0x55),
				Tags: []SessionTag{sessionTag(0x66)}},
			LookupLeaseSet,
		},
		{
			// i2pd CreateLeaseSetDatabaseLookupMsg, ECIES reply.
			"lease set, ECIES reply",
			kf + "15 00000005 0000" + rep(0x55, 32) + "01" + rep(0x77, 8),
			DatabaseLookup{Key: hash(0x11), From: hash(0x22), Flags: FlagTunnelReply | FlagECIES | 0x04,
				ReplyTunnelID: 5, ReplyKey: replyKey(0x55), RatchetTags: []RatchetTag{ratchetTag(0x77)}},
			LookupLeaseSet,
		},
		{
			"several ElGamal tags, direct",
			kf + "02 0000" + rep(0x55, 32) + "02" + rep(0x66, 32) + rep(0x67, 32),
			DatabaseLookup{Key: hash(0x11), From: hash(0x22), Flags: FlagEncryption, ReplyKey: replyKey(0x55),
				Tags: []SessionTag{sessionTag(0x66), sessionTag(0x67)}},
			LookupNormal,
		},
		{
			"reserved bits kept",
			kf + "e8 0000",
			DatabaseLookup{Key: hash(0x11), From: hash(0x22), Flags: 0xe8},
			LookupRouterInfo,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mustHex(t, tc.hex)
			got, err := ParseDatabaseLookup(in)
			wantErr(t, err, nil)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("parsed %+v\nwant   %+v", got, tc.want)
			}
			if got.LookupType() != tc.typ {
				t.Fatalf("lookup type %d, want %d", got.LookupType(), tc.typ)
			}
			out := mustAppend(t, tc.want)
			if !bytes.Equal(out, in) || tc.want.Len() != len(in) {
				t.Fatalf("Append %x\nwant   %x (Len %d)", out, in, tc.want.Len())
			}
		})
	}
}

func TestDatabaseLookupErrors(t *testing.T) {
	kf := rep(0x11, 32) + rep(0x22, 32)
	tests := []struct {
		name string
		hex  string
		want error
	}{
		{"empty", "", ErrTruncated},
		{"no flags", kf, ErrTruncated},
		{"no tunnel id", kf + "01 0102", ErrTruncated},
		{"no excluded count", kf + "00 00", ErrTruncated},
		{"513 excluded", kf + "00 0201", ErrInvalid},
		{"65535 excluded", kf + "00 ffff", ErrInvalid},
		{"excluded cut", kf + "00 0002" + rep(0x33, 63), ErrTruncated},
		{"trailing byte", kf + "00 0000 00", ErrTrailingData},
		{"both encryption bits", kf + "12 0000" + rep(0x55, 32) + "01" + rep(0x77, 8), ErrInvalid},
		{"no reply key", kf + "02 0000" + rep(0x55, 31), ErrTruncated},
		{"no tag count", kf + "10 0000" + rep(0x55, 32), ErrTruncated},
		{"zero tags", kf + "10 0000" + rep(0x55, 32) + "00", ErrInvalid},
		{"33 tags", kf + "02 0000" + rep(0x55, 32) + "21" + rep(0x66, 33*32), ErrInvalid},
		{"ElGamal tag cut", kf + "02 0000" + rep(0x55, 32) + "01" + rep(0x66, 31), ErrTruncated},
		{"ECIES tag cut", kf + "10 0000" + rep(0x55, 32) + "01" + rep(0x77, 7), ErrTruncated},
		{"ECIES tag with ElGamal size", kf + "10 0000" + rep(0x55, 32) + "01" + rep(0x77, 32), ErrTrailingData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDatabaseLookup(mustHex(t, tc.hex))
			wantErr(t, err, tc.want)
		})
	}
}

func TestDatabaseLookupAppendErrors(t *testing.T) {
	tests := []struct {
		name string
		l    DatabaseLookup
	}{
		{"too many excluded", DatabaseLookup{Excluded: make([]data.Hash, MaxExcludedPeers+1)}},
		{"tunnel id without flag", DatabaseLookup{ReplyTunnelID: 1}},
		{"key without flag", DatabaseLookup{ReplyKey: replyKey(1)}},
		{"tags without flag", DatabaseLookup{Tags: []SessionTag{{}}}},
		{"ratchet tags without flag", DatabaseLookup{RatchetTags: []RatchetTag{{}}}},
		{"both flags", DatabaseLookup{Flags: FlagECIES | FlagEncryption, RatchetTags: []RatchetTag{{}}}},
		{"ElGamal without tags", DatabaseLookup{Flags: FlagEncryption}},
		{"ElGamal with ratchet tags", DatabaseLookup{Flags: FlagEncryption, Tags: []SessionTag{{}}, RatchetTags: []RatchetTag{{}}}},
		{"ECIES with session tags", DatabaseLookup{Flags: FlagECIES, Tags: []SessionTag{{}}}},
		{"33 ECIES tags", DatabaseLookup{Flags: FlagECIES, RatchetTags: make([]RatchetTag, MaxReplyTags+1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.l.Append(nil)
			wantErr(t, err, ErrInvalid)
		})
	}
	// The bounds themselves are fine.
	l := DatabaseLookup{Flags: FlagECIES, Excluded: make([]data.Hash, MaxExcludedPeers),
		RatchetTags: make([]RatchetTag, MaxReplyTags)}
	b := mustAppend(t, l)
	back, err := ParseDatabaseLookup(b)
	wantErr(t, err, nil)
	if len(back.Excluded) != MaxExcludedPeers || len(back.RatchetTags) != MaxReplyTags {
		t.Fatal("bounds lost")
	}
}

func TestLookupFlags(t *testing.T) {
	for _, lt := range []LookupType{LookupNormal, LookupLeaseSet, LookupRouterInfo, LookupExploration} {
		f := (FlagTunnelReply | FlagECIES | 0xe0).WithLookupType(lt)
		if f.LookupType() != lt || f&^lookupTypeMask != FlagTunnelReply|FlagECIES|0xe0 {
			t.Errorf("WithLookupType(%d) = %#x", lt, uint8(f))
		}
	}
}
