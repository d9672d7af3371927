package ntcp2

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"i2pgate/router/transport"
)

// ErrIdle is the error of a session closed for inactivity.
var ErrIdle = errors.New("ntcp2: idle timeout")

// writeState is the writer goroutine's reusable memory.
type writeState struct {
	payload []byte
	out     []byte
	carry   *queued // taken from the queue but did not fit the last frame
	rng     *mrand.Rand
}

// writeLoop sends queued messages, DateTime and RouterInfo blocks, checks
// for idleness, and on shutdown sends the Termination block and closes the
// connection.
func (s *Session) writeLoop() {
	w := &writeState{
		payload: make([]byte, 0, MaxPayloadSize),
		out:     make([]byte, 0, LengthSize+MaxFrameSize),
		rng:     mrand.New(mrand.NewPCG(s.t.seed())),
	}
	idle := s.t.clock.NewTicker(s.t.cfg.IdleTimeout / 4)
	defer idle.Stop()
	riTimer := s.t.clock.NewTimer(RouterInfoInterval + time.Duration(w.rng.Int64N(int64(RouterInfoInterval))))
	defer riTimer.Stop()
	defer s.finish(w)

	// Start the data phase with our time, as Java I2P does, so the peer
	// can sample its skew against us.
	if err := s.writeFrame(w, AppendDateTime(w.payload[:0], Timestamp(s.t.clock.Now()))); err != nil {
		s.shutdown(transport.ReasonNormal, err, false)
		return
	}
	for {
		select {
		case <-s.closing:
			return
		case q := <-s.queue:
			if err := s.writeBatch(w, q); err != nil {
				s.shutdown(transport.ReasonNormal, err, false)
				return
			}
		case <-idle.C():
			if s.t.clock.Now().Sub(s.LastActivity()) >= s.t.cfg.IdleTimeout {
				s.shutdown(transport.ReasonIdleTimeout, ErrIdle, true)
				return
			}
		case <-riTimer.C():
			riTimer.Reset(RouterInfoInterval + time.Duration(w.rng.Int64N(int64(RouterInfoInterval))))
			if ri := s.t.localRouterInfo(); ri != nil {
				if err := s.writeBatch(w, queued{ri: ri.Bytes()}); err != nil {
					s.shutdown(transport.ReasonNormal, err, false)
					return
				}
			}
		}
	}
}

func itemSize(q *queued) int {
	if q.ri != nil {
		return BlockHeaderSize + routerInfoFlagSize + len(q.ri)
	}
	return BlockHeaderSize + q.msg.ShortLen()
}

func appendItem(dst []byte, q *queued) ([]byte, error) {
	if q.ri != nil {
		return AppendRouterInfo(dst, q.ri, q.flood)
	}
	return AppendI2NP(dst, q.msg)
}

// writeBatch packs first and as many queued items as fit into frames.
func (s *Session) writeBatch(w *writeState, first queued) error {
	next := &first
	for next != nil {
		p, err := appendItem(w.payload[:0], next)
		if err != nil {
			return err
		}
		next = nil
	fill:
		for {
			select {
			case q := <-s.queue:
				if len(p)+itemSize(&q) > MaxPayloadSize {
					next = &q
					break fill
				}
				if p, err = appendItem(p, &q); err != nil {
					return err
				}
			default:
				break fill
			}
		}
		if err := s.writeFrame(w, p); err != nil {
			return err
		}
	}
	return nil
}

// writeFrame adds a padding block to payload, seals and writes the frame.
func (s *Session) writeFrame(w *writeState, payload []byte) error {
	payload = appendFramePadding(payload, w.rng)
	out, err := s.send.seal(w.out[:0], payload)
	if err != nil {
		return err
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
	if _, err := s.conn.Write(out); err != nil {
		return fmt.Errorf("ntcp2: write: %w", err)
	}
	s.touch()
	return nil
}

// appendFramePadding adds a Padding block of a random size up to
// maxPaddingRatio percent of the payload (at least of minPaddingBase
// bytes), within the frame limit, as i2pd does.
func appendFramePadding(p []byte, rng *mrand.Rand) []byte {
	room := MaxPayloadSize - len(p) - BlockHeaderSize
	if room < 0 {
		return p
	}
	base := max(len(p), minPaddingBase)
	limit := min(base*maxPaddingRatio/100, room)
	n := 0
	if limit > 0 {
		n = rng.IntN(limit)
	}
	return AppendPadding(p, n)
}

// finish sends the Termination block when the reason calls for one, then
// closes the connection so that the reader stops.
func (s *Session) finish(w *writeState) {
	if s.end.terminate {
		p, err := AppendTermination(w.payload[:0], Termination{FramesReceived: s.framesRecv.Load(), Reason: s.end.reason})
		if err == nil {
			p = appendFramePadding(p, w.rng)
			if out, err := s.send.seal(w.out[:0], p); err == nil {
				_ = s.conn.SetWriteDeadline(time.Now().Add(terminationWriteTimeout))
				_, _ = s.conn.Write(out)
			}
		}
	}
	_ = s.conn.Close()
}
