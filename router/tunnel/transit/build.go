package transit

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
	"i2pgate/router/tunnel/build"
)

// recordPrefixSize is the truncated router hash that marks a record
// (tunnel-creation-ecies.rst "Request Record Encrypted", toPeer).
const recordPrefixSize = 16

// errRequest marks a request refused for its fields.
var errRequest = errors.New("transit: invalid request")

// opened is our record of a build message, opened.
type opened struct {
	req   *build.Request
	keys  build.Keys
	short bool
	reply func(build.Status, data.Mapping) (i2np.Payload, error)
}

// HandleBuild handles a ShortTunnelBuild (25) or VariableTunnelBuild (23)
// message that is not a reply to one of our own builds: it opens our
// record, accepts or rejects the tunnel and sends the build message on
// (or, at the OBEP, the reply to the reply tunnel). Requests over the
// build rate limits, malformed or undecryptable ones and requests with
// bad times or tunnel ids are dropped without an answer. It reports
// whether msg is a build message this handles, whatever became of it.
func (m *Manager) HandleBuild(from data.Hash, msg i2np.Message) bool {
	if msg.Type != i2np.TypeShortTunnelBuild && msg.Type != i2np.TypeVariableTunnelBuild {
		return false
	}
	now := m.cfg.Clock.Now()
	o, err := m.openBuild(from, msg, now)
	if err != nil {
		m.cfg.Logger.Debug("build request dropped", "type", msg.Type, "err", err)
		return true
	}
	status, t := m.decide(from, o, now)
	switch {
	case !m.answer(o, status, now):
		// As i2pd's onDrop: a tunnel whose answer is lost is dropped.
		m.c.dropUnsent.Add(1)
		if t != nil {
			m.remove(t.receive, t)
		}
	case t != nil:
		m.c.accepted.Add(1)
	}
	return true
}

// openBuild parses msg, applies the rate limits and opens our record.
func (m *Manager) openBuild(from data.Hash, msg i2np.Message, now time.Time) (*opened, error) {
	if msg.Expired(now) {
		m.c.dropMalformed.Add(1)
		return nil, fmt.Errorf("%w: message expired", errRequest)
	}
	p, err := i2np.ParsePayload(msg.Type, msg.Payload)
	if err != nil {
		m.c.dropMalformed.Add(1)
		return nil, err
	}
	cands := m.candidates(p)
	if len(cands) == 0 {
		m.c.dropNotOurs.Add(1)
		return nil, fmt.Errorf("transit: %w", build.ErrNotFound)
	}
	m.c.requests.Add(1)
	if !m.lim.allowHop(from, now) {
		m.c.dropHop.Add(1)
		return nil, fmt.Errorf("%w: previous hop over its rate", errRequest)
	}
	if !m.lim.allowGlobal(now) {
		m.c.dropRate.Add(1)
		return nil, fmt.Errorf("%w: build rate exceeded", errRequest)
	}
	var o *opened
	switch b := p.(type) {
	case i2np.ShortTunnelBuild:
		o, err = openShort(m.cfg.Identity, b, cands)
	case i2np.VariableTunnelBuild:
		o, err = openLong(m.cfg.Identity, b, cands)
	}
	if err == nil {
		err = checkRequest(o.req, now)
	}
	switch {
	case err == nil:
		return o, nil
	case errors.Is(err, build.ErrDecrypt):
		m.c.dropMalformed.Add(1)
	default:
		m.c.dropInvalid.Add(1)
	}
	return nil, err
}

// candidates lists the records whose prefix is our truncated hash. We
// may be two hops of one tunnel, and a record of an earlier pass or a
// forged one may carry our prefix, so each is tried in turn.
func (m *Manager) candidates(p i2np.Payload) []int {
	prefix := m.cfg.Identity.Hash[:recordPrefixSize]
	var out []int
	switch b := p.(type) {
	case i2np.ShortTunnelBuild:
		for i := range b.Records {
			if bytes.Equal(b.Records[i][:recordPrefixSize], prefix) {
				out = append(out, i)
			}
		}
	case i2np.VariableTunnelBuild:
		for i := range b.Records {
			if bytes.Equal(b.Records[i][:recordPrefixSize], prefix) {
				out = append(out, i)
			}
		}
	}
	return out
}

// maskRecords returns recs with the first byte of the records at idx flipped
// (a copy; recs itself when idx is empty), so that build.OpenShort/OpenLong,
// which take the first record with our prefix, skip them.
func maskRecords[R i2np.ShortBuildRecord | i2np.BuildRecord](recs []R, idx []int) []R {
	if len(idx) == 0 {
		return recs
	}
	out := append([]R(nil), recs...)
	for _, j := range idx {
		out[j][0] ^= 0xff
	}
	return out
}

// openShort opens the first candidate record that decrypts. build.OpenShort
// takes the first record with our prefix, so earlier candidates are
// masked in a copy and restored in the reply: other records are
// ChaCha20-encrypted by XOR, so flipping a byte back is exact.
func openShort(id *build.Identity, msg i2np.ShortTunnelBuild, cands []int) (*opened, error) {
	var err error
	for k := range cands {
		in := msg
		in.Records = maskRecords(msg.Records, cands[:k])
		var h *build.ShortHop
		h, err = build.OpenShort(id, in)
		if errors.Is(err, build.ErrDecrypt) {
			continue
		}
		if err != nil {
			return nil, err
		}
		masked := cands[:k]
		reply := func(s build.Status, opts data.Mapping) (i2np.Payload, error) {
			p, err := h.Reply(s, opts)
			if err != nil {
				return nil, err
			}
			var recs []i2np.ShortBuildRecord
			switch r := p.(type) {
			case i2np.ShortTunnelBuild:
				recs = r.Records
			case i2np.OutboundTunnelBuildReply:
				recs = r.Records
			}
			for _, j := range masked {
				recs[j][0] ^= 0xff
			}
			return p, nil
		}
		return &opened{req: &h.Request.Request, keys: h.Keys, short: true, reply: reply}, nil
	}
	return nil, err
}

// openLong is openShort for long records, whose other records are
// AES-CBC encrypted: the masked ones are encrypted again from the
// original.
func openLong(id *build.Identity, msg i2np.VariableTunnelBuild, cands []int) (*opened, error) {
	var err error
	for k := range cands {
		in := msg
		in.Records = maskRecords(msg.Records, cands[:k])
		var h *build.LongHop
		h, err = build.OpenLong(id, in)
		if errors.Is(err, build.ErrDecrypt) {
			continue
		}
		if err != nil {
			return nil, err
		}
		masked := cands[:k]
		reply := func(s build.Status, opts data.Mapping) (i2np.Payload, error) {
			p, err := h.Reply(s, opts)
			if err != nil {
				return nil, err
			}
			var recs []i2np.BuildRecord
			switch r := p.(type) {
			case i2np.VariableTunnelBuild:
				recs = r.Records
			case i2np.VariableTunnelBuildReply:
				recs = r.Records
			}
			for _, j := range masked {
				if err := crypto.EncryptCBC(&h.Keys.Reply, &h.Keys.ReplyIV, recs[j][:], msg.Records[j][:]); err != nil {
					return nil, fmt.Errorf("transit: %w", err)
				}
			}
			return p, nil
		}
		return &opened{req: &h.Request.Request, keys: h.Keys, reply: reply}, nil
	}
	return nil, err
}

// checkRequest applies the checks build leaves to us: the request time
// within Java I2P's window, the expiration in the future, nonzero
// tunnel ids and not both gateway and endpoint.
func checkRequest(r *build.Request, now time.Time) error {
	t := r.Time()
	switch {
	case now.Sub(t) > MaxRequestAge:
		return fmt.Errorf("%w: request time %v too old", errRequest, t)
	case t.Sub(now) > MaxRequestFuture:
		return fmt.Errorf("%w: request time %v in the future", errRequest, t)
	case !r.ExpiresAt().After(now):
		return fmt.Errorf("%w: expired", errRequest)
	case r.ReceiveTunnel == 0 || r.NextTunnel == 0:
		return fmt.Errorf("%w: zero tunnel id", errRequest)
	case r.Flags&build.FlagIBGW != 0 && r.Flags&build.FlagOBEP != 0:
		return fmt.Errorf("%w: both gateway and endpoint", errRequest)
	}
	return nil
}

func roleOf(f build.Flags) Role {
	switch {
	case f&build.FlagIBGW != 0:
		return RoleInboundGateway
	case f&build.FlagOBEP != 0:
		return RoleOutboundEndpoint
	}
	return RoleParticipant
}

// decide accepts or rejects the request; an accepted tunnel is added and
// returned.
func (m *Manager) decide(from data.Hash, o *opened, now time.Time) (build.Status, *transitTunnel) {
	r := o.req
	role := roleOf(r.Flags)
	if m.overloaded.Load() {
		m.c.rejPressure.Add(1)
		return build.StatusBandwidth, nil
	}
	if m.cfg.ShareKBps > 0 && m.meter.rate(now) > uint64(m.cfg.ShareKBps)*1024 {
		m.c.rejBandwidth.Add(1)
		return build.StatusBandwidth, nil
	}
	inUse := m.cfg.InUse != nil && m.cfg.InUse(r.ReceiveTunnel)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cfg.MaxTunnels < 0 {
		m.c.rejDisabled.Add(1)
		return build.StatusBandwidth, nil
	}
	switch {
	case len(m.tunnels) >= m.cfg.MaxTunnels:
		m.c.rejFull.Add(1)
	case m.cfg.MemoryBudget > 0 && m.memory+role.cost() > m.cfg.MemoryBudget-m.cfg.MemoryBudget/ReassemblyShare:
		m.c.rejMem.Add(1)
	case inUse || m.tunnels[r.ReceiveTunnel] != nil:
		m.c.rejTunnelID.Add(1)
	default:
		next := tunnel.Hop{Router: r.NextRouter, TunnelID: r.NextTunnel}
		t := newTransitTunnel(r.ReceiveTunnel, role, next, from, &o.keys.Layer, &o.keys.IV, now)
		m.tunnels[t.receive] = t
		m.memory += role.cost()
		return build.StatusAccept, t
	}
	return build.StatusBandwidth, nil
}

// answer writes our reply record and queues the build message for the
// next hop, or at the OBEP the reply for the reply tunnel's gateway.
func (m *Manager) answer(o *opened, status build.Status, now time.Time) bool {
	p, err := o.reply(status, data.Mapping{})
	if err != nil {
		m.cfg.Logger.Debug("build reply failed", "err", err)
		return false
	}
	exp := now.Add(outgoingExpiration)
	msg, err := i2np.NewMessage(p, o.req.NextMessageID, exp)
	if err != nil {
		return false
	}
	if o.req.Flags&build.FlagOBEP == 0 {
		return m.send(o.req.NextRouter, msg)
	}
	if o.req.NextRouter == m.cfg.Identity.Hash {
		// The reply tunnel starts here: no garlic, as i2pd.
		return m.toGateway(o.req.NextTunnel, msg, exp)
	}
	if o.short {
		if msg, err = m.cfg.WrapReply(o.keys.GarlicKey, o.keys.GarlicTag, msg); err != nil {
			m.cfg.Logger.Debug("wrapping build reply failed", "err", err)
			return false
		}
	}
	return m.sendToTunnel(o.req.NextRouter, o.req.NextTunnel, msg, exp)
}

// sendToTunnel queues msg in a TunnelGateway message for tunnel id at
// gateway gw.
func (m *Manager) sendToTunnel(gw data.Hash, id uint32, msg i2np.Message, exp time.Time) bool {
	if gw == m.cfg.Identity.Hash {
		return m.toGateway(id, msg, exp)
	}
	tg, err := i2np.NewTunnelGateway(id, msg)
	if err != nil {
		m.c.dataDropped.Add(1)
		return false
	}
	out, err := i2np.NewMessage(tg, rand.Uint32(), exp)
	if err != nil {
		m.c.dataDropped.Add(1)
		return false
	}
	return m.send(gw, out)
}

// toGateway hands msg to tunnel id, whose gateway is this router: one of
// our transit IBGWs, or else the router (Config.Local).
func (m *Manager) toGateway(id uint32, msg i2np.Message, exp time.Time) bool {
	tg, err := i2np.NewTunnelGateway(id, msg)
	if err != nil {
		m.c.dataDropped.Add(1)
		return false
	}
	if m.HandleTunnelGateway(m.cfg.Identity.Hash, tg) {
		return true
	}
	out, err := i2np.NewMessage(tg, rand.Uint32(), exp)
	if err != nil {
		m.c.dataDropped.Add(1)
		return false
	}
	return m.local(out)
}

func (m *Manager) local(msg i2np.Message) bool {
	if m.cfg.Local == nil {
		m.c.dataDropped.Add(1)
		return false
	}
	m.cfg.Local(msg)
	return true
}
