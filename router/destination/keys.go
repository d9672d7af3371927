package destination

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
)

// maxKeysFile bounds what LoadKeys reads (an i2pd keys file with an offline
// signature is well under 1 KB).
const maxKeysFile = 4096

// GenerateKeys makes transient destination keys: Ed25519 signing and X25519
// (crypto type 4) encryption, as i2pd makes for new tunnels.
func GenerateKeys(rand io.Reader) (*data.PrivateKeys, error) {
	k, err := data.GenerateDestinationKeys(rand, data.CryptoX25519)
	if err != nil {
		return nil, fmt.Errorf("destination: keys: %w", err)
	}
	return k, nil
}

// LoadKeys reads the keys file at path (i2pd's format, so i2pd's .dat files
// work) or, when it does not exist, creates new keys and writes them there
// (mode 0600, atomically), so that the destination keeps its address across
// restarts.
func LoadKeys(path string, rand io.Reader) (*data.PrivateKeys, error) {
	b, err := readLimited(path)
	switch {
	case err == nil:
		k, err := data.ParsePrivateKeys(b)
		if err != nil {
			return nil, fmt.Errorf("destination: keys file %s: %w", path, err)
		}
		return k, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("destination: keys file: %w", err)
	}
	k, err := GenerateKeys(rand)
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(path, k.Bytes()); err != nil {
		return nil, err
	}
	return k, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeysFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeysFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxKeysFile)
	}
	return b, nil
}

func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("destination: keys file: %w", err)
	}
	f, err := os.CreateTemp(dir, ".keys-*")
	if err != nil {
		return fmt.Errorf("destination: keys file: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(b)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o600)
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("destination: keys file: %w", werr)
	}
	return nil
}

// EncryptionKey returns the X25519 key pair that this destination's lease
// set offers for the ratchet. It is the identity's own key when the identity
// has crypto type X25519; an identity of another type (i2pd's eepsite keys
// carry an ElGamal key there) gets a key derived from its signing private
// key, so that it stays the same across restarts without another file.
func EncryptionKey(k *data.PrivateKeys) (crypto.X25519KeyPair, error) {
	if k.Identity().CryptoType() == data.CryptoX25519 {
		priv, err := k.X25519PrivateKey()
		if err != nil {
			return crypto.X25519KeyPair{}, fmt.Errorf("destination: %w", err)
		}
		sk := crypto.X25519PrivateKey(priv)
		return crypto.X25519KeyPair{Private: sk, Public: sk.PublicKey()}, nil
	}
	seed := k.SigningPrivateKey()
	if len(seed) == 0 {
		return crypto.X25519KeyPair{}, errors.New("destination: keys without a signing private key")
	}
	h := sha256.Sum256(k.Identity().Bytes())
	sk := crypto.X25519PrivateKey(crypto.HKDF32(h[:], seed, "i2pgate-ls-x25519"))
	return crypto.X25519KeyPair{Private: sk, Public: sk.PublicKey()}, nil
}
