package kinesis

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// HashKey is a point of the 128-bit hash key space, [0, 2^128-1], that the open shards of a
// stream divide among themselves. A record's hash key is its ExplicitHashKey if it has one,
// else the MD5 of its partition key read as a big-endian number. It is two words rather
// than a math/big value because every record written is routed by one.
type HashKey struct {
	Hi uint64 // the high 64 bits
	Lo uint64 // the low 64 bits
}

// MaxHashKey is the largest hash key, 2^128-1.
var MaxHashKey = HashKey{Hi: math.MaxUint64, Lo: math.MaxUint64}

// HashPartitionKey returns the hash key of a partition key given as UTF-8 bytes: its MD5
// digest as a big-endian 128-bit number.
func HashPartitionKey(partitionKey []byte) HashKey {
	sum := md5.Sum(partitionKey)
	return HashKey{Hi: binary.BigEndian.Uint64(sum[:8]), Lo: binary.BigEndian.Uint64(sum[8:])}
}

// ParseHashKey parses a decimal hash key (ExplicitHashKey, NewStartingHashKey) in
// [0, 2^128-1]. Any other text, including signs and spaces, is an error that matches
// ErrInvalidHashKey.
func ParseHashKey(s string) (HashKey, error) {
	x, ok := parseUint192(s)
	if !ok || x.hi != 0 {
		return HashKey{}, fmt.Errorf("%w: %q is not a decimal number in [0, 2^128-1]", ErrInvalidHashKey, s)
	}
	return HashKey{Hi: x.mid, Lo: x.lo}, nil
}

// AppendDecimal appends h in decimal to dst and returns the extended slice.
func (h HashKey) AppendDecimal(dst []byte) []byte {
	return uint192{mid: h.Hi, lo: h.Lo}.appendDecimal(dst)
}

// String returns h in decimal, as Kinesis writes StartingHashKey and EndingHashKey.
func (h HashKey) String() string {
	var buf [40]byte
	return string(h.AppendDecimal(buf[:0]))
}

// MarshalText writes h in decimal, so that hash keys are decimal strings in JSON.
func (h HashKey) MarshalText() ([]byte, error) { return h.AppendDecimal(nil), nil }

// UnmarshalText parses a decimal hash key.
func (h *HashKey) UnmarshalText(text []byte) error {
	k, err := ParseHashKey(string(text))
	if err != nil {
		return err
	}
	*h = k
	return nil
}

// Compare returns -1, 0 or +1 as h is less than, equal to or greater than k.
func (h HashKey) Compare(k HashKey) int {
	if h.Hi != k.Hi {
		return cmpUint64(h.Hi, k.Hi)
	}
	return cmpUint64(h.Lo, k.Lo)
}

// Next returns h+1, wrapping MaxHashKey to 0.
func (h HashKey) Next() HashKey {
	lo, c := bits.Add64(h.Lo, 1, 0)
	return HashKey{Hi: h.Hi + c, Lo: lo}
}

// Prev returns h-1, wrapping 0 to MaxHashKey.
func (h HashKey) Prev() HashKey {
	lo, b := bits.Sub64(h.Lo, 1, 0)
	return HashKey{Hi: h.Hi - b, Lo: lo}
}

// HashKeyRange is the closed interval of hash keys a shard owns, [Start, End], as Kinesis
// reports it in HashKeyRange {StartingHashKey, EndingHashKey}.
type HashKeyRange struct {
	Start HashKey `json:"start"`
	End   HashKey `json:"end"`
}

// FullHashKeyRange is the whole hash key space, which the open shards of a stream always
// cover exactly once.
var FullHashKeyRange = HashKeyRange{End: MaxHashKey}

// Contains reports whether h lies in r.
func (r HashKeyRange) Contains(h HashKey) bool {
	return r.Start.Compare(h) <= 0 && h.Compare(r.End) <= 0
}

// Split divides r at key as SplitShard does: the first child gets [Start, key-1], the
// second [key, End]. It reports false, following AWS's rule, unless
// Start+1 < key < End.
func (r HashKeyRange) Split(key HashKey) (first, second HashKeyRange, ok bool) {
	// key > Start makes key at least 1, so key.Prev() does not wrap.
	if key.Compare(r.End) >= 0 || key.Compare(r.Start) <= 0 || key.Prev().Compare(r.Start) <= 0 {
		return HashKeyRange{}, HashKeyRange{}, false
	}
	return HashKeyRange{Start: r.Start, End: key.Prev()}, HashKeyRange{Start: key, End: r.End}, true
}

// Adjacent reports whether next starts right after r ends, which MergeShards requires of
// ShardToMerge (r) and AdjacentShardToMerge (next), in that order.
func (r HashKeyRange) Adjacent(next HashKeyRange) bool {
	return r.End != MaxHashKey && r.End.Next() == next.Start
}

// Merge returns the range MergeShards gives the child of r and next: [r.Start, next.End].
// The ranges must be Adjacent.
func (r HashKeyRange) Merge(next HashKeyRange) HashKeyRange {
	return HashKeyRange{Start: r.Start, End: next.End}
}

// UniformHashKeyRanges returns the hash key ranges of n shards that divide the space evenly,
// as CreateStream and UpdateShardCount (UNIFORM_SCALING) do on AWS: with
// step = floor(2^128 / n), shard i gets [i·step, (i+1)·step - 1], and the last shard ends at
// 2^128-1. It panics if n < 1.
func UniformHashKeyRanges(n int) []HashKeyRange {
	if n < 1 {
		panic(fmt.Sprintf("kinesis: UniformHashKeyRanges(%d): need at least one shard", n))
	}
	step := hashSpaceStep(uint64(n))
	ranges := make([]HashKeyRange, n)
	for i := range ranges {
		ranges[i].Start = step.times(uint64(i))
		if i > 0 {
			ranges[i-1].End = ranges[i].Start.Prev()
		}
	}
	ranges[n-1].End = MaxHashKey
	return ranges
}

// hashSpaceStep returns floor(2^128 / n) for n ≥ 2, and 0 for n = 1 (whose step, 2^128,
// does not fit, and is never multiplied by anything but 0).
func hashSpaceStep(n uint64) HashKey {
	if n == 1 {
		return HashKey{}
	}
	// Long division of 2^128, one 64-bit word at a time. Its top word, 1, divided by n ≥ 2
	// gives 0 remainder 1, which carries into the next word.
	hi, r := bits.Div64(1, 0, n)
	lo, _ := bits.Div64(r, 0, n)
	return HashKey{Hi: hi, Lo: lo}
}

// times returns h·m; the caller keeps the product below 2^128.
func (h HashKey) times(m uint64) HashKey {
	carry, lo := bits.Mul64(h.Lo, m)
	return HashKey{Hi: h.Hi*m + carry, Lo: lo}
}
