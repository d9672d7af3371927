package router

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
)

// ntcp2Keys is i2pd's ntcp2.keys file: static public key 32, static private key 32,
// AES IV 16 (the "s" and "i" of our published NTCP2 address).
type ntcp2Keys struct {
	pub  crypto.X25519PublicKey
	priv crypto.X25519PrivateKey
	iv   [16]byte
}

const ntcp2KeysSize = 32 + 32 + 16

// Costs i2pd gives NTCP2 addresses, published and unpublished.
const (
	costNTCP2Published   = 3
	costNTCP2Unpublished = 14
)

// Port range for a port chosen at first start (as i2pd does).
const (
	randomPortMin = 9111
	randomPortMax = 30777
)

// loadIdentity reads router.keys and ntcp2.keys, creating them on first start.
func (r *Router) loadIdentity() error {
	keys, err := loadOrCreate(filepath.Join(r.cfg.DataDir, routerKeysFile),
		data.ParsePrivateKeys,
		func() ([]byte, error) {
			k, err := data.GenerateRouterKeys(r.rand)
			if err != nil {
				return nil, err
			}
			return k.Bytes(), nil
		})
	if err != nil {
		return err
	}
	if keys.Identity().CryptoType() != data.CryptoX25519 || keys.Identity().SigType() != data.SigEd25519 {
		return fmt.Errorf("router: %s: identity is %v/%v, want X25519/Ed25519", routerKeysFile,
			keys.Identity().CryptoType(), keys.Identity().SigType())
	}
	signer, err := keys.Signer()
	if err != nil {
		return fmt.Errorf("router: %s: %w", routerKeysFile, err)
	}
	nk, err := loadOrCreate(filepath.Join(r.cfg.DataDir, ntcp2KeysFile), parseNTCP2Keys,
		func() ([]byte, error) { return generateNTCP2Keys(r.rand) })
	if err != nil {
		return err
	}
	r.keys, r.signer, r.ntcp2 = keys, signer, nk
	return nil
}

// loadOrCreate parses the file at path, or creates it with gen's bytes (mode 0600,
// written atomically) when it does not exist. A file that exists but does not parse
// is an error: keys are never silently replaced.
func loadOrCreate[T any](path string, parse func([]byte) (T, error), gen func() ([]byte, error)) (T, error) {
	var zero T
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if b, err = gen(); err != nil {
			return zero, fmt.Errorf("router: create %s: %w", filepath.Base(path), err)
		}
		if err := writeFileAtomic(path, b, 0o600); err != nil {
			return zero, err
		}
	} else if err != nil {
		return zero, fmt.Errorf("router: %w", err)
	}
	v, err := parse(b)
	if err != nil {
		return zero, fmt.Errorf("router: %s: %w", path, err)
	}
	return v, nil
}

func parseNTCP2Keys(b []byte) (*ntcp2Keys, error) {
	if len(b) != ntcp2KeysSize {
		return nil, fmt.Errorf("ntcp2 keys: %d bytes, want %d", len(b), ntcp2KeysSize)
	}
	k := new(ntcp2Keys)
	copy(k.pub[:], b[:32])
	copy(k.priv[:], b[32:64])
	copy(k.iv[:], b[64:])
	if k.priv.PublicKey() != k.pub {
		return nil, errors.New("ntcp2 keys: public key does not match the private key")
	}
	return k, nil
}

func generateNTCP2Keys(rand io.Reader) ([]byte, error) {
	kp, err := crypto.GenerateX25519(rand)
	if err != nil {
		return nil, err
	}
	var iv [16]byte
	if _, err := io.ReadFull(rand, iv[:]); err != nil {
		return nil, err
	}
	out := make([]byte, 0, ntcp2KeysSize)
	out = append(out, kp.Public[:]...)
	out = append(out, kp.Private[:]...)
	return append(out, iv[:]...), nil
}

// ntcp2Port is the configured NTCP2 port, or the one our previous router.info
// published, or a new random one.
func (r *Router) ntcp2Port() (int, error) {
	if r.cfg.NTCP2Port != 0 {
		return r.cfg.NTCP2Port, nil
	}
	if r.cfg.Port != 0 {
		return r.cfg.Port, nil
	}
	if b, err := os.ReadFile(filepath.Join(r.cfg.DataDir, routerInfoFile)); err == nil {
		if old, err := data.ParseRouterInfo(b); err == nil && old.Hash() == r.keys.Identity().Hash() {
			if a := old.Address("NTCP2"); a != nil {
				if p, ok := a.Port(); ok && p != 0 {
					return int(p), nil
				}
			}
		}
	}
	var buf [4]byte
	if _, err := io.ReadFull(r.rand, buf[:]); err != nil {
		return 0, fmt.Errorf("router: %w", err)
	}
	return randomPortMin + int(binary.BigEndian.Uint32(buf[:])%(randomPortMax-randomPortMin+1)), nil
}

// caps is the RouterInfo "caps" option: bandwidth class, f when floodfill, and R or
// U for reachability.
func (r *Router) caps() string {
	var b bytes.Buffer
	b.WriteByte(r.cfg.BandwidthCaps)
	if r.cfg.Floodfill {
		b.WriteByte('f')
	}
	if r.cfg.Host != "" && r.cfg.NTCP2Enabled {
		b.WriteByte('R')
	} else {
		b.WriteByte('U')
	}
	return b.String()
}

// buildRouterInfo signs a fresh RouterInfo for our identity and addresses.
func (r *Router) buildRouterInfo() (*data.RouterInfo, error) {
	var addrs []*data.RouterAddress
	if r.cfg.NTCP2Enabled {
		a, err := r.ntcp2Address()
		if err != nil {
			return nil, err
		}
		addrs = append(addrs, a)
	}
	var opts data.Mapping
	for _, kv := range [][2]string{
		{"caps", r.caps()},
		{"netId", strconv.Itoa(r.cfg.NetID)},
		{"router.version", Version},
	} {
		if err := opts.Set(kv[0], kv[1]); err != nil {
			return nil, fmt.Errorf("router: %w", err)
		}
	}
	ri, err := data.NewRouterInfo(r.keys.RouterIdentity(), r.clk.Now(), addrs, opts, r.signer)
	if err != nil {
		return nil, fmt.Errorf("router: router info: %w", err)
	}
	return ri, nil
}

// ntcp2Address is our NTCP2 RouterAddress: with host, port and i when we have a
// public address, otherwise only s and v (an outbound-only router).
func (r *Router) ntcp2Address() (*data.RouterAddress, error) {
	a := &data.RouterAddress{Transport: "NTCP2", Cost: costNTCP2Unpublished}
	set := func(k, v string) error { return a.Options.Set(k, v) }
	if err := set("s", data.EncodeBase64(r.ntcp2.pub[:])); err != nil {
		return nil, err
	}
	if err := set("v", "2"); err != nil {
		return nil, err
	}
	if r.cfg.Host == "" {
		return a, set("caps", "4")
	}
	port, err := r.ntcp2Port()
	if err != nil {
		return nil, err
	}
	a.Cost = costNTCP2Published
	for _, kv := range [][2]string{
		{"host", r.cfg.Host},
		{"port", strconv.Itoa(port)},
		{"i", data.EncodeBase64(r.ntcp2.iv[:])},
	} {
		if err := set(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	return a, nil
}
