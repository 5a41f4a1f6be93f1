package b64

import "encoding/binary"

// Alphabet is the standard base64 alphabet.
const Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// PutRecords' Data comes in as standard base64 with padding, and is decoded strictly:
// DecodeInto accepts exactly what base64.StdEncoding.Strict().Decode accepts without
// skipping a byte (no CR or LF, whole quanta, '=' only as the last one or two characters,
// zero padding bits) and writes the same bytes, in less time (BenchmarkDecodeBase64:
// see bench/README.md). Each quantum of four characters is one OR of four look-ups in
// base64Quad, whose entries hold a character's six bits already in their place in the
// 24-bit result, and a byte outside the alphabet sets a bit above them; two quanta are
// checked with one test and stored with one 8-byte store.

// base64Invalid is the bit that base64Quad sets for a byte outside the alphabet.
const base64Invalid = 1 << 31

// base64Quad[k][c] is the value of character c at position k of a quantum, shifted to its
// place in the 24 bits the quantum decodes to, or base64Invalid.
var base64Quad = func() (t [4][256]uint32) {
	for k := range t {
		for c := range t[k] {
			t[k][c] = base64Invalid
		}
	}
	for v := range len(Alphabet) {
		c := Alphabet[v]
		for k := range t {
			t[k][c] = uint32(v) << (18 - 6*k)
		}
	}
	return t
}()

// quad returns the 24 bits of the four characters of s, with base64Invalid set when one
// of them is outside the alphabet.
func quad(s []byte) uint32 {
	_ = s[3]
	return base64Quad[0][s[0]] | base64Quad[1][s[1]] | base64Quad[2][s[2]] | base64Quad[3][s[3]]
}

// Len returns how many bytes standard base64 text of whole quanta decodes to:
// three per four characters, less one for each '=' of its last two. It does not check the
// text; Decode does.
func Len(text []byte) int {
	n := len(text) / 4 * 3
	for i := len(text) - 1; i >= 0 && i >= len(text)-2 && text[i] == '='; i-- {
		n--
	}
	return max(n, 0)
}

// Decode decodes text into dst, which must be exactly Len(text) bytes, and reports whether
// text was canonical standard base64 (what DecodeInto accepts). It writes nothing outside
// dst; when it reports false, dst holds partial data.
func Decode(dst, text []byte) bool {
	if len(text)%4 != 0 || len(dst) != Len(text) {
		return false
	}
	n, ok := decode(dst, text)
	return ok && n == len(dst)
}

// DecodeInto decodes src, whose length is a multiple of 4, into dst, which must have room
// for Len(src) bytes, and returns the count of bytes decoded. It reports false for input
// that the strict standard decoder refuses or for which it would skip a byte.
func DecodeInto(dst, src []byte) (int, bool) {
	if len(src)%4 != 0 || len(dst) < Len(src) {
		return 0, false
	}
	return decode(dst, src)
}

// decode is DecodeInto once the lengths are checked.
func decode(dst, src []byte) (int, bool) {
	if len(src) == 0 {
		return 0, true
	}
	body := len(src) - 4 // every quantum but the last, which may carry padding
	si, di := 0, 0
	// Four quanta a step, then two, then one; each two stored with one 8-byte store while
	// the store stays within dst. (Loading 8 characters at once and taking them apart with
	// shifts is slower here than the byte loads.)
	for ; body-si >= 16 && len(dst)-di >= 14; si, di = si+16, di+12 {
		s := src[si : si+16]
		a, b, c, d := quad(s[0:4]), quad(s[4:8]), quad(s[8:12]), quad(s[12:16])
		if (a|b|c|d)&base64Invalid != 0 {
			return 0, false
		}
		o := dst[di : di+14]
		binary.BigEndian.PutUint64(o, uint64(a)<<40|uint64(b)<<16)
		binary.BigEndian.PutUint64(o[6:], uint64(c)<<40|uint64(d)<<16)
	}
	if body-si >= 8 && len(dst)-di >= 8 {
		s := src[si : si+8]
		a, b := quad(s[0:4]), quad(s[4:8])
		if (a|b)&base64Invalid != 0 {
			return 0, false
		}
		binary.BigEndian.PutUint64(dst[di:], uint64(a)<<40|uint64(b)<<16)
		si, di = si+8, di+6
	}
	for ; si < body; si, di = si+4, di+3 {
		a := quad(src[si : si+4])
		if a&base64Invalid != 0 {
			return 0, false
		}
		d := dst[di : di+3]
		d[0], d[1], d[2] = byte(a>>16), byte(a>>8), byte(a)
	}
	s := src[si : si+4]
	switch {
	case s[3] != '=':
		a := quad(s)
		if a&base64Invalid != 0 {
			return 0, false
		}
		d := dst[di : di+3]
		d[0], d[1], d[2] = byte(a>>16), byte(a>>8), byte(a)
		return di + 3, true
	case s[2] != '=':
		a := base64Quad[0][s[0]] | base64Quad[1][s[1]] | base64Quad[2][s[2]]
		if a&(base64Invalid|0xff) != 0 { // strict: the padding bits are zero
			return 0, false
		}
		d := dst[di : di+2]
		d[0], d[1] = byte(a>>16), byte(a>>8)
		return di + 2, true
	default:
		a := base64Quad[0][s[0]] | base64Quad[1][s[1]]
		if a&(base64Invalid|0xffff) != 0 {
			return 0, false
		}
		dst[di] = byte(a >> 16)
		return di + 1, true
	}
}
