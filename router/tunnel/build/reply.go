package build

import (
	"bytes"
	"errors"
	"fmt"

	"i2pgate/router/crypto"
	"i2pgate/router/i2np"
)

// ErrTampered means our fake record in an inbound build came back
// changed: a hop is probing the tunnel, and it must be discarded.
var ErrTampered = errors.New("fake record modified")

// HandleReply checks the reply to p and returns each hop's reply in
// tunnel order. msg is the ShortTunnelBuild (inbound) or
// OutboundTunnelBuildReply (outbound) of a short build, or the
// VariableTunnelBuild or VariableTunnelBuildReply of a long one. Any
// record that fails to authenticate fails the whole reply. Neither p nor
// msg is modified, so a bad reply can be dropped and a later one tried.
func (p *Pending) HandleReply(msg i2np.Payload) ([]Reply, error) {
	recs, short, err := replyRecords(msg)
	if err != nil {
		return nil, err
	}
	if short != p.Short || len(recs) != p.Records {
		return nil, fmt.Errorf("build: reply of %d records (short %t) to a build of %d (short %t): %w",
			len(recs), short, p.Records, p.Short, ErrInvalid)
	}
	if p.selfIndex >= 0 && !bytes.Equal(recs[p.selfIndex], p.selfRecord) {
		return nil, fmt.Errorf("build: reply: %w", ErrTampered)
	}
	out := make([]Reply, len(p.Hops))
	var buf [LongReplySize]byte
	for k := len(p.Hops) - 1; k >= 0; k-- {
		r, err := p.openReply(k, buf[:0], recs[p.Hops[k].Index])
		if err != nil {
			return nil, err
		}
		out[k] = r
		for j := 0; j < k; j++ {
			if err := p.undo(k, recs[p.Hops[j].Index], p.Hops[j].Index); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// openReply decrypts and parses hop k's reply record.
func (p *Pending) openReply(k int, dst, rec []byte) (Reply, error) {
	h := &p.Hops[k]
	n := uint64(0)
	if p.Short {
		n = uint64(h.Index)
	}
	plain, err := crypto.Open(&h.replyKey, n, dst, rec, h.h[:])
	if err != nil {
		return Reply{}, fmt.Errorf("build: hop %d reply: %w", k, ErrDecrypt)
	}
	var r Reply
	if p.Short {
		r, err = ParseShortReply(plain)
	} else {
		r, err = ParseLongReply(plain)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("build: hop %d: %w", k, err)
	}
	return r, nil
}

// replyRecords copies the records of a reply message.
func replyRecords(msg i2np.Payload) ([][]byte, bool, error) {
	switch m := msg.(type) {
	case i2np.ShortTunnelBuild:
		return copyShort(m.Records), true, nil
	case i2np.OutboundTunnelBuildReply:
		return copyShort(m.Records), true, nil
	case i2np.VariableTunnelBuild:
		return copyLong(m.Records), false, nil
	case i2np.VariableTunnelBuildReply:
		return copyLong(m.Records), false, nil
	}
	return nil, false, fmt.Errorf("build: reply message %T: %w", msg, ErrInvalid)
}

func copyShort(in []i2np.ShortBuildRecord) [][]byte {
	out := make([][]byte, len(in))
	for i := range in {
		out[i] = append([]byte(nil), in[i][:]...)
	}
	return out
}

func copyLong(in []i2np.BuildRecord) [][]byte {
	out := make([][]byte, len(in))
	for i := range in {
		out[i] = append([]byte(nil), in[i][:]...)
	}
	return out
}

// AllAccepted reports whether every hop accepted.
func AllAccepted(replies []Reply) bool {
	for i := range replies {
		if !replies[i].Accepted() {
			return false
		}
	}
	return len(replies) > 0
}
