package kinesis

import (
	"encoding/binary"
	"math/bits"
)

// Consecutive records of one shard written in one batch share their shard and arrival
// second and differ by one in their counter, so their numbers differ by exactly
// 2^counterShift. A PutRecords answer renders hundreds of such numbers: adding that step to
// the digits of the number before costs a copy and four word additions, where rendering from
// binary costs 128-by-64-bit divisions and a digit loop.

// counterStep is 2^counterShift in decimal: the distance between the numbers of two
// consecutive records of a shard that arrived in the same second.
const counterStep = "1208925819614629174706176"

// Follows reports whether n is the number of the record right after prev in the same shard
// and arrival second, so that AppendNextDecimal can render n from prev's digits.
func (n SequenceNumber) Follows(prev SequenceNumber) bool {
	return n.ShardCreatedSec == prev.ShardCreatedSec &&
		n.ShardIndex == prev.ShardIndex &&
		n.TimeSec == prev.TimeSec &&
		n.Counter == prev.Counter+1 &&
		n.Counter != 0 // prev's counter did not wrap
}

// AppendNextDecimal appends to dst the decimal string of the number that follows the one
// prev spells (see Follows), and returns the extended slice. prev must be a decimal string
// as AppendDecimal writes it. The result is the same as AppendDecimal's for the next
// number, byte for byte; it does not allocate when dst has room.
func AppendNextDecimal(dst, prev []byte) []byte {
	if len(prev) < stepWordCount*8 {
		return appendNextSlow(dst, prev) // a number this small is no record's
	}
	start := len(dst)
	dst = append(dst, prev...)
	if addStep(dst[start:]) {
		return appendNextSlow(dst[:start], prev) // one digit more: leave that to the exact path
	}
	return dst
}

// The step is added eight digits at a time, as one 64-bit word per eight ASCII digits
// (loaded big-endian, so the last digit is the low byte), branch-free: a carry that depends
// on the digits would cost a mispredicted branch every other digit.
const (
	stepWordCount = (len(counterStep) + 7) / 8 // words the step's digits span
	asciiZeros    = 0x3030303030303030         // '0' in every byte
	carryBias     = 0xf6f6f6f6f6f6f6f6         // 256-10 in every byte: a digit sum of 10 or more carries into the next byte
	lowBits       = 0x0101010101010101
)

// stepWords holds counterStep's digits as words of digit values (0 to 9 per byte), the
// least significant eight first.
var stepWords = func() [stepWordCount]uint64 {
	var w [stepWordCount]uint64
	for i := range len(counterStep) {
		d := uint64(counterStep[len(counterStep)-1-i] - '0')
		w[i/8] |= d << (8 * (i % 8))
	}
	return w
}()

// addStep adds counterStep to the decimal number in digits, in place, and reports whether
// the sum carried out of the most significant digit (digits then hold the sum without
// that leading 1). digits must have at least stepWordCount*8 digits.
//
// For each word: digit values plus the step's digits plus the carry in, each byte at most
// 19; adding carryBias makes every byte of 10 or more carry into the byte above, which is
// the decimal carry, rippling as far as it goes. A byte that carried holds its digit; one
// that did not holds digit+246, which has its high bit set, so it is found and corrected.
func addStep(digits []byte) (carry bool) {
	var c uint64
	i := len(digits)
	for k := 0; i >= 8 && (k < stepWordCount || c != 0); k, i = k+1, i-8 {
		w := binary.BigEndian.Uint64(digits[i-8:i]) - asciiZeros
		if k < stepWordCount {
			w += stepWords[k]
		}
		w, c = bits.Add64(w, carryBias, c)
		w -= (w >> 7 & lowBits) * (carryBias & 0xff)
		binary.BigEndian.PutUint64(digits[i-8:i], w+asciiZeros)
	}
	for ; c != 0 && i > 0; i-- { // the digits left of the last whole word
		if digits[i-1] != '9' {
			digits[i-1]++
			return false
		}
		digits[i-1] = '0'
	}
	return c != 0
}

// appendNextSlow is AppendNextDecimal by way of binary: parse, add the step, render.
func appendNextSlow(dst, prev []byte) []byte {
	x, ok := parseUint192(string(prev))
	if !ok {
		panic("kinesis: AppendNextDecimal of " + string(prev) + ", not a decimal number")
	}
	var step uint192
	step.setField(counterShift, 1, 1)
	return x.add(step).appendDecimal(dst)
}
