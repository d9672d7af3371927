package i2cp

import (
	"encoding/binary"
	"math/bits"
)

// A compact deflate encoder (RFC 1951): greedy LZ77 over a small hash
// table, coded in one block with the fixed Huffman codes of section 3.2.6.
// It needs a 16 KB table on the stack and no other state, and does well on
// what compresses in I2P payloads: repeated identity padding and text.

const (
	hashBits   = 12
	minMatch   = 4
	maxMatch   = 258
	windowSize = 32768

	blockFixedFinal = 0x3 // BFINAL=1, BTYPE=01, least significant bit first
	endOfBlock      = 256
)

// Length codes 257..285 (RFC 1951 section 3.2.5).
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// bitWriter appends bits least significant first, as deflate packs them.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

func (w *bitWriter) bits(v uint32, nb uint) {
	w.acc |= uint64(v) << w.n
	w.n += nb
	for w.n >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

// code writes a Huffman code, which deflate stores most significant bit
// first.
func (w *bitWriter) code(c uint16, nb uint) {
	w.bits(uint32(bits.Reverse16(c)>>(16-nb)), nb)
}

func (w *bitWriter) flush() []byte {
	if w.n > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc, w.n = 0, 0
	}
	return w.out
}

// literal writes a fixed-code literal/length symbol (0..287).
func (w *bitWriter) literal(sym uint16) {
	switch {
	case sym < 144:
		w.code(0x30+sym, 8)
	case sym < 256:
		w.code(0x190+sym-144, 9)
	case sym < 280:
		w.code(sym-256, 7)
	default:
		w.code(0xc0+sym-280, 8)
	}
}

// match writes a length (3..258) and distance (1..32768) pair.
func (w *bitWriter) match(length, dist int) {
	i := len(lengthBase) - 1
	for int(lengthBase[i]) > length {
		i--
	}
	w.literal(uint16(257 + i))
	if lengthExtra[i] > 0 {
		w.bits(uint32(length-int(lengthBase[i])), uint(lengthExtra[i]))
	}
	j := len(distBase) - 1
	for int(distBase[j]) > dist {
		j--
	}
	w.code(uint16(j), 5)
	if distExtra[j] > 0 {
		w.bits(uint32(dist-int(distBase[j])), uint(distExtra[j]))
	}
}

func hash4(b []byte) uint32 {
	return (binary.LittleEndian.Uint32(b) * 2654435761) >> (32 - hashBits)
}

// appendDeflate appends the deflate stream of data to out. It gives up,
// returning false, as soon as the output would exceed limit bytes.
func appendDeflate(out, data []byte, limit int) ([]byte, bool) {
	var table [1 << hashBits]int32 // position+1 of the last 4-byte prefix
	w := bitWriter{out: out}
	w.bits(blockFixedFinal, 3)
	for i := 0; i < len(data); {
		if len(w.out) > limit {
			return nil, false
		}
		length, dist := 0, 0
		if i+minMatch <= len(data) {
			h := hash4(data[i:])
			cand := int(table[h]) - 1
			table[h] = int32(i + 1)
			if cand >= 0 && i-cand <= windowSize {
				length = matchLen(data[cand:], data[i:])
				dist = i - cand
			}
		}
		if length < minMatch {
			w.literal(uint16(data[i]))
			i++
			continue
		}
		w.match(length, dist)
		// Index the positions inside the match so later repeats find it.
		end := i + length
		for i++; i < end && i+minMatch <= len(data); i++ {
			table[hash4(data[i:])] = int32(i + 1)
		}
		i = end
	}
	w.literal(endOfBlock)
	w.flush()
	if len(w.out) > limit {
		return nil, false
	}
	return w.out, true
}

// matchLen returns the length of the common prefix of a and b, at most
// maxMatch.
func matchLen(a, b []byte) int {
	n := min(len(a), len(b), maxMatch)
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}
