package router

import (
	"context"
	"encoding/binary"
	"io"
	mathrand "math/rand/v2"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Outgoing messages that the router originates from a transport's reader
// goroutine (forwarded cloves, tunnel traffic) go through a bounded queue and a
// few workers, so a slow dial never stalls a session's reader.
const (
	sendQueueSize = 256
	sendWorkers   = 2
	sendTimeout   = 10 * time.Second
)

type outbound struct {
	to  data.Hash
	msg i2np.Message
}

// send queues msg for to; when the queue is full the message is dropped and
// counted.
func (r *Router) send(to data.Hash, msg i2np.Message) {
	select {
	case r.outq <- outbound{to, msg}:
	default:
		r.counters.sendDropped.Add(1)
	}
}

// sendLoop delivers queued messages until the router closes.
func (r *Router) sendLoop() {
	defer r.wg.Done()
	for {
		select {
		case <-r.ctx.Done():
			return
		case o := <-r.outq:
			ctx, cancel := context.WithTimeout(r.ctx, sendTimeout)
			if err := (routerSender{r}).SendMessage(ctx, o.to, o.msg); err != nil {
				r.counters.sendFailed.Add(1)
				r.log.Debug("send", "type", o.msg.Type.String(), "err", err)
			}
			cancel()
		}
	}
}

// newMessageID is a fresh random I2NP message id for a message that wraps
// another (garlic, TunnelGateway). It must differ from the inner message's id:
// the receiver's duplicate filter sees both.
func (r *Router) newMessageID() uint32 {
	var b [4]byte
	if _, err := io.ReadFull(r.rand, b[:]); err != nil {
		return mathrand.Uint32()
	}
	return binary.BigEndian.Uint32(b[:])
}
