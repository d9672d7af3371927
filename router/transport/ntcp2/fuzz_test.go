package ntcp2

import (
	"bytes"
	"testing"
)

func FuzzParseBlocks(f *testing.F) {
	f.Add([]byte{0, 0, 4, 1, 2, 3, 4})
	f.Add([]byte{3, 0, 10, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 254, 0, 1, 0})
	f.Add([]byte{4, 0, 9, 0, 0, 0, 0, 0, 0, 0, 3, 2})
	f.Add([]byte{2, 0, 3, 1, 'r', 'i', 1, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Fuzz(func(t *testing.T, b []byte) {
		blocks, err := ParseBlocks(b)
		if err != nil {
			return
		}
		var re []byte
		for _, bl := range blocks {
			re = appendBlockHeader(re, bl.Type, len(bl.Data))
			re = append(re, bl.Data...)
			_, _ = bl.DateTime()
			_, _, _ = bl.RouterInfo()
			_, _ = bl.I2NP()
			_, _ = bl.Termination()
			_, _ = bl.Options()
		}
		if !bytes.Equal(re, b) {
			t.Fatalf("re-encoding differs")
		}
	})
}

// fuzzPair returns a deterministic pair whose valid messages are the seeds.
func fuzzPair(t testing.TB) (*pair, [][]byte) {
	p := newPair(t, pairOpts{seed: 7})
	var msgs [][]byte
	if _, err := p.run(func(_ int, m []byte) []byte { msgs = append(msgs, bytes.Clone(m)); return m }); err != nil {
		t.Fatal(err)
	}
	return newPair(t, pairOpts{seed: 7}), msgs
}

func FuzzSessionRequest(f *testing.F) {
	_, msgs := fuzzPair(f)
	f.Add(msgs[0])
	f.Add(make([]byte, SessionRequestSize))
	f.Fuzz(func(t *testing.T, m []byte) {
		p := newPair(t, pairOpts{seed: 7})
		if len(m) < SessionRequestSize {
			_, _ = p.resp.ConsumeSessionRequest(m)
			return
		}
		pad, err := p.resp.ConsumeSessionRequest(m[:SessionRequestSize])
		if err == nil && pad <= len(m)-SessionRequestSize {
			_ = p.resp.ConsumePadding(m[SessionRequestSize : SessionRequestSize+pad])
			_, _ = p.resp.CreateSessionCreated()
		}
	})
}

func FuzzSessionCreated(f *testing.F) {
	_, msgs := fuzzPair(f)
	f.Add(msgs[1])
	f.Fuzz(func(t *testing.T, m []byte) {
		p := newPair(t, pairOpts{seed: 7})
		if _, err := p.ini.CreateSessionRequest(); err != nil {
			t.Fatal(err)
		}
		n := min(len(m), SessionCreatedSize)
		pad, err := p.ini.ConsumeSessionCreated(m[:n])
		if err == nil && pad <= len(m)-n {
			if p.ini.ConsumePadding(m[n:n+pad]) == nil {
				_, _ = p.ini.CreateSessionConfirmed()
			}
		}
	})
}

func FuzzSessionConfirmed(f *testing.F) {
	_, msgs := fuzzPair(f)
	f.Add(msgs[2])
	f.Fuzz(func(t *testing.T, m []byte) {
		p := newPair(t, pairOpts{seed: 7})
		m1, _ := p.ini.CreateSessionRequest()
		pad, err := p.resp.ConsumeSessionRequest(m1[:SessionRequestSize])
		if err != nil || p.resp.ConsumePadding(m1[SessionRequestSize:SessionRequestSize+pad]) != nil {
			t.Fatal(err)
		}
		if _, err := p.resp.CreateSessionCreated(); err != nil {
			t.Fatal(err)
		}
		n := min(len(m), ConfirmedPart1Size)
		_, _ = p.resp.ConsumeSessionConfirmed(m[:n], m[n:])
	})
}

func FuzzFrame(f *testing.F) {
	f.Add([]byte{0, 16, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		var k Keys
		o := newOpener(&k.RecvKey, &k.RecvSipKeys)
		for len(b) >= LengthSize {
			n, err := o.length([LengthSize]byte(b[:LengthSize]))
			b = b[LengthSize:]
			if err != nil || n > len(b) {
				return
			}
			p, err := o.open(nil, b[:n])
			if err != nil {
				return
			}
			_, _ = ParseBlocks(p)
			b = b[n:]
		}
	})
}
