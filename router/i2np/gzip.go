package i2np

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
)

const (
	// MaxRouterInfoSize is i2pd's MAX_RI_BUFFER_SIZE: it treats larger
	// RouterInfos as malformed. A sensible max for DecompressRouterInfo.
	MaxRouterInfoSize = 3072
	// maxDecompressLimit bounds the max a caller may pass (16 MiB).
	maxDecompressLimit = 1 << 24
	// decompressChunk is how much output buffer is added at a time.
	decompressChunk = 4096
)

// CompressRouterInfo gzips a serialized RouterInfo for a DatabaseStore the
// way Java I2P does, as the spec recommends: best compression, modification
// time 0, no name, OS byte 0xFF, so the stream starts 1F 8B 08 00 00 00 00
// 00 02 FF. It allocates a fresh compressor (about 1 MB of tables); callers
// that compress often should keep a Compressor.
func CompressRouterInfo(ri []byte) ([]byte, error) {
	var c Compressor
	return c.Compress(nil, ri)
}

// DecompressRouterInfo inflates the gzip stream of a DatabaseStore and
// returns the RouterInfo bytes. Any valid single-member gzip is accepted
// (bytes after the first member are ignored, as i2pd does); the CRC and
// length of the trailer are checked. Output beyond max bytes is an
// ErrTooLarge error: at most max+1 bytes are ever inflated.
func DecompressRouterInfo(gz []byte, max int) ([]byte, error) {
	var d Decompressor
	return d.Decompress(nil, gz, max)
}

// Compressor gzips RouterInfos, reusing its deflate state between calls.
// The zero value is ready to use; it is not safe for concurrent use.
type Compressor struct {
	w   *gzip.Writer
	out appendWriter
}

// Compress appends the gzip stream of ri to dst (see CompressRouterInfo).
func (c *Compressor) Compress(dst, ri []byte) ([]byte, error) {
	c.out.b = dst
	if c.w == nil {
		w, err := gzip.NewWriterLevel(&c.out, gzip.BestCompression)
		if err != nil {
			return dst, fmt.Errorf("i2np: router info: gzip: %w", err)
		}
		c.w = w
	} else {
		c.w.Reset(&c.out)
	}
	// gzip.Writer's defaults already give mtime 0, no name and OS 0xFF;
	// BestCompression sets XFL to 2.
	if _, err := c.w.Write(ri); err != nil {
		return dst, fmt.Errorf("i2np: router info: gzip: %w", err)
	}
	if err := c.w.Close(); err != nil {
		return dst, fmt.Errorf("i2np: router info: gzip: %w", err)
	}
	out := c.out.b
	c.out.b = nil
	return out, nil
}

// appendWriter is an io.Writer appending to a slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// Decompressor inflates gzip streams, reusing its inflate state between
// calls. The zero value is ready to use; it is not safe for concurrent use.
type Decompressor struct {
	r   gzip.Reader
	src bytes.Reader
}

// Decompress appends the inflated content of gz to dst, producing at most
// max bytes (see DecompressRouterInfo).
func (d *Decompressor) Decompress(dst, gz []byte, max int) ([]byte, error) {
	if max < 0 || max > maxDecompressLimit {
		return dst, fmt.Errorf("i2np: router info: limit %d: %w", max, ErrInvalid)
	}
	d.src.Reset(gz)
	if err := d.r.Reset(&d.src); err != nil {
		return dst, fmt.Errorf("i2np: router info: gzip: %w: %w", ErrInvalid, err)
	}
	d.r.Multistream(false)
	start := len(dst)
	for {
		produced := len(dst) - start
		if produced > max {
			return dst[:start], fmt.Errorf("i2np: router info: more than %d bytes: %w", max, ErrTooLarge)
		}
		room := max + 1 - produced // one byte beyond max detects overflow
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, min(room, decompressChunk))
		}
		room = min(room, cap(dst)-len(dst))
		n, err := d.r.Read(dst[len(dst) : len(dst)+room])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return dst[:start], fmt.Errorf("i2np: router info: gzip: %w: %w", ErrInvalid, err)
		}
	}
	if len(dst)-start > max {
		return dst[:start], fmt.Errorf("i2np: router info: more than %d bytes: %w", max, ErrTooLarge)
	}
	return dst, nil
}
