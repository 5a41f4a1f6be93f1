package kinesis

import "math/bits"

// uint192 is an unsigned integer of up to 192 bits, wide enough for a sequence number
// (188 bits in the version 2 layout) and a hash key (128 bits). Sequence numbers and hash
// keys are rendered and parsed for every record, so they use this fixed-size value and
// math/bits instead of math/big, which allocates.
type uint192 struct{ hi, mid, lo uint64 }

// field returns width (at most 64) bits of x starting at bit shift (bit 0 is the least
// significant). Go defines a shift by 64 or more as 0, so a field that starts on a word
// boundary needs no special case.
func (x uint192) field(shift, width uint) uint64 {
	var v uint64
	switch {
	case shift >= 128:
		v = x.hi >> (shift - 128)
	case shift >= 64:
		v = x.mid>>(shift-64) | x.hi<<(128-shift)
	default:
		v = x.lo>>shift | x.mid<<(64-shift)
	}
	if width < 64 {
		v &= 1<<width - 1
	}
	return v
}

// setField stores the low width bits of v at bit shift; those bits of x must be zero.
func (x *uint192) setField(shift, width uint, v uint64) {
	if width < 64 {
		v &= 1<<width - 1
	}
	switch {
	case shift >= 128:
		x.hi |= v << (shift - 128)
	case shift >= 64:
		x.mid |= v << (shift - 64)
		x.hi |= v >> (128 - shift)
	default:
		x.lo |= v << shift
		x.mid |= v >> (64 - shift)
	}
}

func (x uint192) cmp(y uint192) int {
	switch {
	case x.hi != y.hi:
		return cmpUint64(x.hi, y.hi)
	case x.mid != y.mid:
		return cmpUint64(x.mid, y.mid)
	default:
		return cmpUint64(x.lo, y.lo)
	}
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (x uint192) add(y uint192) uint192 {
	var c uint64
	x.lo, c = bits.Add64(x.lo, y.lo, 0)
	x.mid, c = bits.Add64(x.mid, y.mid, c)
	x.hi, _ = bits.Add64(x.hi, y.hi, c)
	return x
}

// bitLen returns the number of bits needed to write x (0 for 0).
func (x uint192) bitLen() int {
	switch {
	case x.hi != 0:
		return 128 + bits.Len64(x.hi)
	case x.mid != 0:
		return 64 + bits.Len64(x.mid)
	}
	return bits.Len64(x.lo)
}

// parseUint192 parses a non-empty string of ASCII digits. It reports false for any other
// byte and for a value of 2^192 or more. Digits are taken 19 at a time into a word, so a
// 56-digit number costs three wide multiplications.
func parseUint192(s string) (uint192, bool) {
	if s == "" {
		return uint192{}, false
	}
	var x uint192
	for len(s) > 0 {
		n := len(s) % chunkDigits
		if n == 0 {
			n = chunkDigits
		}
		var chunk, scale uint64 = 0, 1
		for i := 0; i < n; i++ {
			d := s[i] - '0'
			if d > 9 {
				return uint192{}, false
			}
			chunk = chunk*10 + uint64(d)
			scale *= 10
		}
		var ok bool
		if x, ok = x.mulAdd(scale, chunk); !ok {
			return uint192{}, false
		}
		s = s[n:]
	}
	return x, true
}

// mulAdd returns x*m + a, and false if that overflows 192 bits.
func (x uint192) mulAdd(m, a uint64) (uint192, bool) {
	loHi, lo := bits.Mul64(x.lo, m)
	midHi, mid := bits.Mul64(x.mid, m)
	hiHi, hi := bits.Mul64(x.hi, m)
	var c uint64
	lo, c = bits.Add64(lo, a, 0)
	mid, c = bits.Add64(mid, loHi, c)
	hi, c2 := bits.Add64(hi, midHi, c)
	return uint192{hi: hi, mid: mid, lo: lo}, hiHi == 0 && c2 == 0
}

const (
	chunkDigits = 19                   // decimal digits in one chunk
	chunkBase   = 10000000000000000000 // 10^chunkDigits, the largest power of ten in a uint64
)

// divChunk returns x / chunkBase and x % chunkBase. Division by a 64-bit divisor goes one
// word at a time, and zero high words are skipped: hardware division is the cost here.
func (x uint192) divChunk() (uint192, uint64) {
	var q uint192
	var r uint64
	if x.hi != 0 {
		q.hi, r = x.hi/chunkBase, x.hi%chunkBase
	}
	q.mid, r = bits.Div64(r, x.mid, chunkBase)
	q.lo, r = bits.Div64(r, x.lo, chunkBase)
	return q, r
}

// appendDecimal appends x in decimal, without leading zeros, to dst. It does not allocate
// when dst has room for the digits (at most 58). The digits are written right to left into
// one buffer: 19 digits per 128/64-bit division, and within those, two digits per step
// on 32-bit parts.
func (x uint192) appendDecimal(dst []byte) []byte {
	var buf [maxDigits]byte
	i := len(buf)
	for x.hi != 0 || x.mid != 0 {
		var chunk uint64
		x, chunk = x.divChunk()
		i = putChunk(&buf, i, chunk)
	}
	i = putUint64(&buf, i, x.lo)
	return append(dst, buf[i:]...)
}

const (
	maxDigits = 58         // digits of 2^192-1
	nineBase  = 1000000000 // 10^9, so that nine digits fit a uint32
)

// digitPairs holds "00" to "99", so that digits are written two per division.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// putChunk writes v (less than chunkBase) as exactly chunkDigits digits ending before
// buf[i], and returns the index of the first.
func putChunk(buf *[maxDigits]byte, i int, v uint64) int {
	i = putNine(buf, i, uint32(v%nineBase))
	v /= nineBase
	i = putNine(buf, i, uint32(v%nineBase))
	i--
	buf[i] = byte('0' + v/nineBase)
	return i
}

// putNine writes v (less than 10^9) as exactly nine digits ending before buf[i].
func putNine(buf *[maxDigits]byte, i int, v uint32) int {
	for range 4 {
		p := v % 100 * 2
		v /= 100
		i -= 2
		buf[i], buf[i+1] = digitPairs[p], digitPairs[p+1]
	}
	i--
	buf[i] = byte('0' + v)
	return i
}

// putUint64 writes v with no leading zeros ("0" for 0) ending before buf[i].
func putUint64(buf *[maxDigits]byte, i int, v uint64) int {
	for v >= nineBase {
		i = putNine(buf, i, uint32(v%nineBase))
		v /= nineBase
	}
	u := uint32(v)
	for u >= 100 {
		p := u % 100 * 2
		u /= 100
		i -= 2
		buf[i], buf[i+1] = digitPairs[p], digitPairs[p+1]
	}
	if u >= 10 {
		i -= 2
		buf[i], buf[i+1] = digitPairs[u*2], digitPairs[u*2+1]
		return i
	}
	i--
	buf[i] = byte('0' + u)
	return i
}
