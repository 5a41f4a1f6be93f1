package kinesis

import (
	"errors"
	"fmt"
)

// Errors from parsing values that clients send (ParseSequenceNumber, ParseHashKey,
// ParseShardID). They are Go errors, not answers: the store turns
// each into the Kinesis error of the operation at hand, whose message quotes the value.
var (
	// ErrInvalidSequenceNumber is matched by every error of ParseSequenceNumber except
	// *LegacySequenceNumberError: not a decimal number, out of every known layout, or a field
	// out of its bounds.
	ErrInvalidSequenceNumber = errors.New("kinesis: invalid sequence number")

	// ErrUnknownSequenceVersion is matched, together with ErrInvalidSequenceNumber, when a
	// number has the size of a version 1 or 2 number but another version nibble. kinesalite
	// (tested against AWS) answers such a number in PutRecord with a 500 InternalFailure
	// rather than an InvalidArgumentException.
	ErrUnknownSequenceVersion = errors.New("kinesis: unknown sequence number version")

	// ErrLegacySequenceNumber is matched by *LegacySequenceNumberError: a well-formed number
	// in one of AWS's older layouts (version 0 or 1), which no shardlog shard issues.
	ErrLegacySequenceNumber = errors.New("kinesis: sequence number in a legacy layout")

	// ErrInvalidHashKey is returned by ParseHashKey for text that is not a decimal number in
	// [0, 2^128-1].
	ErrInvalidHashKey = errors.New("kinesis: invalid hash key")

	// ErrInvalidShardID is returned by ParseShardID for text that does not name a shard
	// index in [0, 2147483647].
	ErrInvalidShardID = errors.New("kinesis: invalid shard id")
)

// LegacySequenceNumberError is returned by ParseSequenceNumber for a well-formed number in
// an older AWS layout (version 0 or 1). Clients may still hold such numbers and AWS accepts
// them where any sequence number will do (SequenceNumberForOrdering), but shardlog only
// issues version 2, so used as a position such a number "did not come from this stream".
// The fields are those the old layout holds; it matches ErrLegacySequenceNumber.
type LegacySequenceNumberError struct {
	Version         int    // 0 or 1
	ShardIndex      int32  // the shard index the number encodes
	ShardCreatedSec int64  // the shard creation time it encodes, epoch seconds
	TimeSec         int64  // the record time it encodes, epoch seconds; 0 in version 0
	Canonical       string // the number as AWS quotes it back in error messages
}

func (e *LegacySequenceNumberError) Error() string {
	return fmt.Sprintf("kinesis: sequence number %s is in the legacy layout version %d", e.Canonical, e.Version)
}

// Is reports whether target is ErrLegacySequenceNumber.
func (e *LegacySequenceNumberError) Is(target error) bool { return target == ErrLegacySequenceNumber }
