package kinesis

import (
	"fmt"
	"math"
	"strings"
)

// shardIDPrefix starts every shard id shardlog writes; the KPL parses the digits after it.
const shardIDPrefix = "shardId-"

// shardIDDigits is the zero-padded width of the index in a shard id.
const shardIDDigits = 12

// ShardID returns the id of the shard with the given index: "shardId-" and the index
// zero-padded to 12 digits, as in shardId-000000000000.
func ShardID(index int) string {
	var buf [len(shardIDPrefix) + shardIDDigits]byte
	return string(AppendShardID(buf[:0], index))
}

// AppendShardID appends the id of the shard with the given index to dst, without
// allocating when dst has room (20 bytes).
func AppendShardID(dst []byte, index int) []byte {
	dst = append(dst, shardIDPrefix...)
	var digits [20]byte // any int
	i := len(digits)
	for v := uint64(index); v > 0 || i > len(digits)-shardIDDigits; v /= 10 {
		i--
		digits[i] = byte('0' + v%10)
	}
	return append(dst, digits[i:]...)
}

// ParseShardID returns the shard index a client's shard id names. Kinesis is lenient here
// (kinesalite's tests against AWS): the text after the first '-', or the whole id if there
// is no '-' or nothing follows it, must be a decimal number in [0, 2147483647]; so
// shardId-1, shard-1, x-1 and 1 all name shardId-000000000001. Anything else is an error
// that matches ErrInvalidShardID, which Kinesis reports as "Could not find shard …".
func ParseShardID(s string) (int, error) {
	digits := s
	if _, after, found := strings.Cut(s, "-"); found {
		if part, _, _ := strings.Cut(after, "-"); part != "" {
			digits = part
		}
	}
	if digits == "" {
		return 0, fmt.Errorf("%w: %q", ErrInvalidShardID, s)
	}
	index := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[i]) - '0'
		if d < 0 || d > 9 {
			return 0, fmt.Errorf("%w: %q", ErrInvalidShardID, s)
		}
		index = index*10 + d
		if index > math.MaxInt32 {
			return 0, fmt.Errorf("%w: %q names an index above %d", ErrInvalidShardID, s, math.MaxInt32)
		}
	}
	return index, nil
}
