package build

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Record counts: at least StandardRecords, as the spec recommends, and
// MaxRecords when more hops need it.
const (
	StandardRecords = 4
	MaxRecords      = i2np.MaxBuildRecords
)

// Peer is one hop of a tunnel to build.
type Peer struct {
	Hash data.Hash
	// Key is the hop's X25519 encryption public key.
	Key crypto.X25519PublicKey
	// Short reports that the hop takes short records (an ECIES router of
	// version 0.9.51 or later).
	Short bool
	// Options are the build options of this hop's record.
	Options data.Mapping
}

// Config describes a tunnel to build.
type Config struct {
	// Hops lists the tunnel's hops from the gateway side to the endpoint
	// side: for an outbound tunnel the first hop follows us, for an
	// inbound tunnel the first hop is the gateway and we follow the last.
	Hops []Peer
	// Inbound selects an inbound tunnel; otherwise it is outbound.
	Inbound bool
	// Self is our router hash: the next router of the last inbound hop
	// and the prefix of our fake record in an inbound build.
	Self data.Hash
	// ReplyGateway and ReplyTunnel name the inbound tunnel that carries
	// the reply of an outbound build.
	ReplyGateway data.Hash
	ReplyTunnel  uint32
	// Records is the number of records; 0 means StandardRecords, or
	// MaxRecords when more are needed.
	Records int
	// Now is the request time; zero means time.Now().
	Now time.Time
	// Rand is the source of keys, IDs and the shuffle; nil means
	// crypto/rand.
	Rand io.Reader
}

// HopInfo is what the creator keeps about one hop of a pending build.
type HopInfo struct {
	Hash          data.Hash
	ReceiveTunnel uint32
	NextTunnel    uint32
	Flags         Flags
	// Index is the hop's record position in the build message.
	Index int
	// Keys are the hop's tunnel keys, equal to what the hop derives.
	Keys Keys
	// replyKey opens the hop's reply record; h is its associated data.
	replyKey, h [32]byte
}

// Pending is a build request waiting for its reply.
type Pending struct {
	Inbound bool
	Short   bool
	// ReplyMessageID is the ID of the message that brings the reply: an
	// OutboundTunnelBuildReply or VariableTunnelBuildReply for an
	// outbound tunnel, a ShortTunnelBuild or VariableTunnelBuild from the
	// last hop for an inbound tunnel.
	ReplyMessageID uint32
	// Hops are in tunnel order (Config.Hops).
	Hops []HopInfo
	// EndpointTunnel is, for an inbound tunnel, the tunnel ID we receive
	// on as its endpoint (the last hop's next tunnel).
	EndpointTunnel uint32
	// Records is the number of records in the message.
	Records int

	selfIndex  int    // our fake record's position, inbound only; else -1
	selfRecord []byte // its expected content in the reply
}

// New builds the request message for cfg: a ShortTunnelBuild when every
// hop takes short records, else a VariableTunnelBuild. Send it to the
// first hop (for an inbound tunnel through an outbound tunnel, ideally
// garlic-wrapped) and keep the Pending for the reply.
func New(cfg Config) (*Pending, i2np.Payload, error) {
	n, err := checkConfig(&cfg)
	if err != nil {
		return nil, nil, err
	}
	rnd := cfg.Rand
	if rnd == nil {
		rnd = crand.Reader
	}
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	p := &Pending{Inbound: cfg.Inbound, Short: allShort(cfg.Hops), Records: n, selfIndex: -1}
	if err := p.plan(&cfg, rnd); err != nil {
		return nil, nil, err
	}
	size := i2np.BuildRecordSize
	if p.Short {
		size = i2np.ShortBuildRecordSize
	}
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = make([]byte, size)
		if _, err := io.ReadFull(rnd, recs[i]); err != nil {
			return nil, nil, fmt.Errorf("build: rand: %w", err)
		}
	}
	minutes := uint32(now.Unix() / 60)
	for k := range p.Hops {
		if err := p.writeRecord(&cfg, k, recs[p.Hops[k].Index], minutes, rnd); err != nil {
			return nil, nil, err
		}
	}
	if cfg.Inbound {
		if err := p.writeSelfRecord(&cfg, recs[p.selfIndex], rnd); err != nil {
			return nil, nil, err
		}
	}
	if err := p.preDecrypt(recs); err != nil {
		return nil, nil, err
	}
	return p, p.message(recs), nil
}

func checkConfig(cfg *Config) (int, error) {
	hops := len(cfg.Hops)
	need := hops
	if cfg.Inbound {
		need++
	}
	switch {
	case hops == 0:
		return 0, fmt.Errorf("build: no hops: %w", ErrInvalid)
	case need > MaxRecords:
		return 0, fmt.Errorf("build: %d hops: %w", hops, ErrInvalid)
	case !cfg.Inbound && cfg.ReplyTunnel == 0:
		return 0, fmt.Errorf("build: outbound tunnel without reply tunnel: %w", ErrInvalid)
	}
	n := cfg.Records
	if n == 0 {
		n = StandardRecords
		if need > n {
			n = MaxRecords
		}
	}
	if n < need || n > MaxRecords {
		return 0, fmt.Errorf("build: %d records for %d hops: %w", n, hops, ErrInvalid)
	}
	return n, nil
}

func allShort(hops []Peer) bool {
	for i := range hops {
		if !hops[i].Short {
			return false
		}
	}
	return true
}

// plan draws tunnel and message IDs and shuffles record positions.
func (p *Pending) plan(cfg *Config, rnd io.Reader) error {
	perm, err := shuffle(rnd, p.Records)
	if err != nil {
		return err
	}
	ids := make([]uint32, len(cfg.Hops)+2)
	for i := range ids {
		if ids[i], err = randomID(rnd); err != nil {
			return err
		}
	}
	p.ReplyMessageID = ids[len(ids)-1]
	p.Hops = make([]HopInfo, len(cfg.Hops))
	for k := range p.Hops {
		h := &p.Hops[k]
		h.Hash = cfg.Hops[k].Hash
		h.ReceiveTunnel = ids[k]
		h.NextTunnel = ids[k+1]
		h.Index = perm[k]
	}
	first, last := &p.Hops[0], &p.Hops[len(p.Hops)-1]
	if cfg.Inbound {
		first.Flags |= FlagIBGW
		p.EndpointTunnel = last.NextTunnel
		p.selfIndex = perm[len(cfg.Hops)]
	} else {
		last.Flags |= FlagOBEP
		last.NextTunnel = cfg.ReplyTunnel
	}
	return nil
}

// writeRecord fills hop k's encrypted request record.
func (p *Pending) writeRecord(cfg *Config, k int, rec []byte, minutes uint32, rnd io.Reader) error {
	h := &p.Hops[k]
	req := Request{
		ReceiveTunnel: h.ReceiveTunnel,
		NextTunnel:    h.NextTunnel,
		Flags:         h.Flags,
		RequestTime:   minutes,
		Expiration:    DefaultExpiration,
		Options:       cfg.Hops[k].Options,
	}
	switch {
	case k+1 < len(p.Hops):
		req.NextRouter = p.Hops[k+1].Hash
		id, err := randomID(rnd)
		if err != nil {
			return err
		}
		req.NextMessageID = id
	case cfg.Inbound:
		req.NextRouter, req.NextMessageID = cfg.Self, p.ReplyMessageID
	default:
		req.NextRouter, req.NextMessageID = cfg.ReplyGateway, p.ReplyMessageID
	}
	eph, err := crypto.GenerateX25519(rnd)
	if err != nil {
		return fmt.Errorf("build: ephemeral key: %w", err)
	}
	var plain []byte
	if p.Short {
		sr := ShortRequest{Request: req, LayerEncryption: LayerAES}
		plain, err = sr.Append(nil)
	} else {
		lr := LongRequest{Request: req}
		if err := readKeys(rnd, lr.LayerKey[:], lr.IVKey[:], lr.ReplyKey[:], lr.ReplyIV[:]); err != nil {
			return err
		}
		h.Keys = longKeys(&lr)
		plain, err = lr.Append(nil)
	}
	if err != nil {
		return err
	}
	st, err := sealRecord(rec, &cfg.Hops[k].Key, &eph, plain)
	if err != nil {
		return fmt.Errorf("build: hop %d: %w", k, err)
	}
	copy(rec[:toPeerSize], h.Hash[:toPeerSize])
	h.h = st.h
	if p.Short {
		h.Keys = shortKeys(st.ck, h.Flags&FlagOBEP != 0)
		h.replyKey = h.Keys.Reply
	} else {
		h.replyKey = st.ck
	}
	return nil
}

// writeSelfRecord makes our fake record of an inbound build: our hash
// prefix, a real ephemeral key, random rest (tunnel-creation-ecies.rst
// "Build Records"). It must come back unchanged.
func (p *Pending) writeSelfRecord(cfg *Config, rec []byte, rnd io.Reader) error {
	eph, err := crypto.GenerateX25519(rnd)
	if err != nil {
		return fmt.Errorf("build: ephemeral key: %w", err)
	}
	copy(rec[:toPeerSize], cfg.Self[:toPeerSize])
	copy(rec[ephemeralOffset:cipherOffset], eph.Public[:])
	p.selfRecord = append([]byte(nil), rec...)
	return nil
}

// preDecrypt undoes, for each hop's record and our fake record, the
// reply-key encryption that the hops before it will apply, so that each
// hop sees its record as written.
func (p *Pending) preDecrypt(recs [][]byte) error {
	if p.selfIndex >= 0 {
		for k := len(p.Hops) - 1; k >= 0; k-- {
			if err := p.undo(k, recs[p.selfIndex], p.selfIndex); err != nil {
				return err
			}
		}
	}
	for k := len(p.Hops) - 2; k >= 0; k-- {
		for j := k + 1; j < len(p.Hops); j++ {
			if err := p.undo(k, recs[p.Hops[j].Index], p.Hops[j].Index); err != nil {
				return err
			}
		}
	}
	return nil
}

// undo reverses hop k's encryption of a record that is not its own: the
// ChaCha20 stream for short records, AES-256-CBC decryption for long ones.
func (p *Pending) undo(k int, rec []byte, index int) error {
	keys := &p.Hops[k].Keys
	if p.Short {
		shortStream(&keys.Reply, index, rec)
		return nil
	}
	if err := crypto.DecryptCBC(&keys.Reply, &keys.ReplyIV, rec, rec); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return nil
}

func (p *Pending) message(recs [][]byte) i2np.Payload {
	if p.Short {
		out := make([]i2np.ShortBuildRecord, len(recs))
		for i := range recs {
			copy(out[i][:], recs[i])
		}
		return i2np.ShortTunnelBuild{Records: out}
	}
	out := make([]i2np.BuildRecord, len(recs))
	for i := range recs {
		copy(out[i][:], recs[i])
	}
	return i2np.VariableTunnelBuild{Records: out}
}

func readKeys(rnd io.Reader, keys ...[]byte) error {
	for _, k := range keys {
		if _, err := io.ReadFull(rnd, k); err != nil {
			return fmt.Errorf("build: rand: %w", err)
		}
	}
	return nil
}

// randomID returns a random nonzero 32-bit ID.
func randomID(rnd io.Reader) (uint32, error) {
	var b [4]byte
	for {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return 0, fmt.Errorf("build: rand: %w", err)
		}
		if id := binary.BigEndian.Uint32(b[:]); id != 0 {
			return id, nil
		}
	}
}

// shuffle returns a uniformly random permutation of 0..n-1 (n <= 256),
// Fisher-Yates with rejection sampling.
func shuffle(rnd io.Reader, n int) ([]int, error) {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	var b [1]byte
	for i := n - 1; i > 0; i-- {
		bound := 256 - 256%(i+1)
		for {
			if _, err := io.ReadFull(rnd, b[:]); err != nil {
				return nil, fmt.Errorf("build: rand: %w", err)
			}
			if int(b[0]) < bound {
				break
			}
		}
		j := int(b[0]) % (i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm, nil
}
