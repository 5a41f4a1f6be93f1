package wire

import (
	"encoding/base64"
	"encoding/binary"
	"slices"

	"github.com/shardlog/shardlog/internal/b64"
)

// The records' Data goes out in standard base64 (with padding). appendBase64 writes the same
// bytes as base64.StdEncoding.AppendEncode in less time (BenchmarkAppendBase64: 1000 bytes in
// 0.71 µs against 1.62 µs, 100 bytes in 78 ns against 115 ns): it turns each 12 bits of input
// into two output characters with one look-up in base64Pairs, and six input bytes into eight
// characters with one 8-byte load and one 8-byte store; the last few bytes go to the
// standard encoder.

// base64Pairs[v] is the two characters of the 12-bit value v, first character in the low byte.
var base64Pairs = func() (t [1 << 12]uint16) {
	for v := range t {
		t[v] = uint16(b64.Alphabet[v>>6]) | uint16(b64.Alphabet[v&63])<<8
	}
	return t
}()

// appendBase64 appends the standard base64 encoding of src to dst.
func appendBase64(dst, src []byte) []byte {
	n := base64.StdEncoding.EncodedLen(len(src))
	start := len(dst)
	dst = slices.Grow(dst, n)
	out := dst[start : start+n] // each 8-byte store writes 8 characters of the answer
	di, si := 0, 0
	// Each step loads 8 bytes and uses the first 6, so it needs 8 bytes of input left; four
	// steps a round while 26 are left.
	for ; len(src)-si >= 26; si, di = si+24, di+32 {
		s, o := src[si:si+26], out[di:di+32]
		v0, v1 := binary.BigEndian.Uint64(s[0:]), binary.BigEndian.Uint64(s[6:])
		v2, v3 := binary.BigEndian.Uint64(s[12:]), binary.BigEndian.Uint64(s[18:])
		binary.LittleEndian.PutUint64(o[0:], base64Eight(v0))
		binary.LittleEndian.PutUint64(o[8:], base64Eight(v1))
		binary.LittleEndian.PutUint64(o[16:], base64Eight(v2))
		binary.LittleEndian.PutUint64(o[24:], base64Eight(v3))
	}
	for ; len(src)-si >= 8; si, di = si+6, di+8 {
		binary.LittleEndian.PutUint64(out[di:], base64Eight(binary.BigEndian.Uint64(src[si:])))
	}
	base64.StdEncoding.Encode(out[di:n], src[si:])
	return dst[:start+n]
}

// base64Eight returns the eight characters of the first (highest) six bytes of v, the first
// character in the low byte.
func base64Eight(v uint64) uint64 {
	return uint64(base64Pairs[v>>52&0xfff]) |
		uint64(base64Pairs[v>>40&0xfff])<<16 |
		uint64(base64Pairs[v>>28&0xfff])<<32 |
		uint64(base64Pairs[v>>16&0xfff])<<48
}
