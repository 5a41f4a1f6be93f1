package kinesis

import (
	"fmt"
	"math"
)

// A sequence number, written in hex, is 47 digits in the "version 2" layout that AWS uses
// today (reverse-engineered by kinesalite, confirmed on real AWS traces; KINESIS-API.md
// §3.1). In decimal it is 56 digits. Hex digit 0 is the most significant:
//
//	+---+-----------+---+------------------+----+-----------+-----------+---+
//	| 2 | created   | i | counter          | 00 | time      | index     | 2 |
//	+---+-----------+---+------------------+----+-----------+-----------+---+
//	  0   1–9         10  11–26              27–28 29–37      38–45       46
//
//	2        constant
//	created  shard creation time, epoch seconds (9 hex digits)
//	i        low nibble of the shard index
//	counter  the record's offset in its shard (16 hex digits; first digit at most 7)
//	00       a byte AWS always leaves zero
//	time     the record's arrival time, epoch seconds (9 hex digits)
//	index    shard index, 32 bits
//	2        layout version
//
// The counter sits above the time, so within a shard numeric order is write order, and a
// reshard's children get a later creation time than their parents, so every child number is
// greater than every parent number. The constants below give each field's bit position,
// counted from the least significant bit.
const (
	versionShift = 0
	versionWidth = 4
	indexShift   = versionShift + versionWidth
	indexWidth   = 32
	timeShift    = indexShift + indexWidth
	timeWidth    = 36
	zeroShift    = timeShift + timeWidth // the byte AWS leaves zero
	zeroWidth    = 8
	counterShift = zeroShift + zeroWidth
	counterWidth = 64
	nibbleShift  = counterShift + counterWidth
	nibbleWidth  = 4
	createdShift = nibbleShift + nibbleWidth
	createdWidth = 36
	leadShift    = createdShift + createdWidth
	leadWidth    = 4
	layoutBits   = leadShift + leadWidth // 188 bits, 47 hex digits

	layoutVersion = 2 // the version nibble, and the leading constant
)

// Bounds of the fields, as kinesalite (tested against AWS) checks them when parsing.
const (
	// MaxCounter is the largest counter a sequence number holds: the first of its 16 hex
	// digits is at most 7. A closed shard's EndingSequenceNumber carries it.
	MaxCounter = math.MaxInt64

	// MaxCreatedSec bounds a shard creation time, exclusive (about the year 2477).
	MaxCreatedSec = 16025175000
)

// SequenceNumber is a Kinesis sequence number taken apart: the shard it belongs to (index
// and creation time) and the record's position in it (Counter, the shard offset) and
// arrival second. It renders to, and parses from, the 56-digit decimal strings AWS uses,
// with no lookup and no allocation on the way out.
//
// Numbers compare (Compare) the way their decimal strings do numerically.
type SequenceNumber struct {
	ShardCreatedSec int64  // creation time of the shard, epoch seconds; below 16025175000
	ShardIndex      int32  // index of the shard in its stream; not negative
	Counter         uint64 // offset of the record in its shard; at most MaxCounter
	TimeSec         int64  // arrival time of the record, epoch seconds; below 2^36
}

// StartingSequenceNumber returns the StartingSequenceNumber of a shard: counter 0, at the
// shard's creation time.
func StartingSequenceNumber(shardCreatedSec int64, shardIndex int32) SequenceNumber {
	return SequenceNumber{ShardCreatedSec: shardCreatedSec, ShardIndex: shardIndex, TimeSec: shardCreatedSec}
}

// EndingSequenceNumber returns the EndingSequenceNumber of a shard closed at closeSec:
// the largest counter, at the close time, as AWS renders it.
func EndingSequenceNumber(shardCreatedSec int64, shardIndex int32, closeSec int64) SequenceNumber {
	return SequenceNumber{
		ShardCreatedSec: shardCreatedSec,
		ShardIndex:      shardIndex,
		Counter:         MaxCounter,
		TimeSec:         closeSec,
	}
}

// value packs n into the version 2 layout. Fields wider than their slot are cut to it; the
// bounds on the fields keep that from happening for any shard or record shardlog makes.
func (n SequenceNumber) value() uint192 {
	var x uint192
	x.setField(versionShift, versionWidth, layoutVersion)
	x.setField(indexShift, indexWidth, uint64(uint32(n.ShardIndex)))
	x.setField(timeShift, timeWidth, uint64(n.TimeSec))
	x.setField(counterShift, counterWidth, n.Counter)
	x.setField(nibbleShift, nibbleWidth, uint64(n.ShardIndex))
	x.setField(createdShift, createdWidth, uint64(n.ShardCreatedSec))
	x.setField(leadShift, leadWidth, layoutVersion)
	return x
}

// AppendDecimal appends n as a decimal string (56 digits for any time after 1982) to dst
// and returns the extended slice. It does not allocate when dst has room.
func (n SequenceNumber) AppendDecimal(dst []byte) []byte {
	return n.value().appendDecimal(dst)
}

// String returns n as a decimal string.
func (n SequenceNumber) String() string {
	var buf [64]byte
	return string(n.AppendDecimal(buf[:0]))
}

// Compare returns -1, 0 or +1 as n is less than, equal to or greater than m, comparing the
// numbers their strings denote.
func (n SequenceNumber) Compare(m SequenceNumber) int {
	return n.value().cmp(m.value())
}

// Bounds that tell the layouts apart, as kinesalite does (KINESIS-API.md §3.1): a number
// below 2^124 is read with 2^124 added; up to 2^129 it is version 0; between 2^185 and
// 1.5·2^185 the last hex digit is the version (1 or 2); anything else is invalid.
var (
	pow124        = uint192{mid: 1 << 60}
	pow129        = uint192{hi: 1 << 1}
	pow185        = uint192{hi: 1 << 57}
	pow185AndHalf = uint192{hi: 3 << 56}
)

// ParseSequenceNumber parses a decimal sequence number. A version 2 number, the layout
// shardlog writes, parses into a SequenceNumber. A number in AWS's older layouts parses
// into a *LegacySequenceNumberError (matched by ErrLegacySequenceNumber), which carries
// what the layout holds; anything else is an error that matches ErrInvalidSequenceNumber.
//
// s must be ASCII digits only; the server checks the API's pattern for the member first.
func ParseSequenceNumber(s string) (SequenceNumber, error) {
	x, ok := parseUint192(s)
	if !ok {
		return SequenceNumber{}, invalidSequence(s, "not a decimal number below 2^192")
	}
	if x.cmp(pow124) < 0 {
		x = x.add(pow124)
	}
	switch {
	case x.cmp(pow129) < 0:
		return SequenceNumber{}, parseVersion0(s, x)
	case x.cmp(pow185) <= 0 || x.cmp(pow185AndHalf) >= 0:
		return SequenceNumber{}, invalidSequence(s, "outside every known layout")
	}
	switch v := x.field(versionShift, versionWidth); v {
	case layoutVersion:
		return parseVersion2(s, x)
	case 1:
		return SequenceNumber{}, parseVersion1(s, x)
	default:
		return SequenceNumber{}, fmt.Errorf("%w %s: %w %d", ErrInvalidSequenceNumber, s, ErrUnknownSequenceVersion, v)
	}
}

func invalidSequence(s, reason string) error {
	return fmt.Errorf("%w %s: %s", ErrInvalidSequenceNumber, s, reason)
}

func parseVersion2(s string, x uint192) (SequenceNumber, error) {
	n := SequenceNumber{
		ShardCreatedSec: int64(x.field(createdShift, createdWidth)),
		Counter:         x.field(counterShift, counterWidth),
		TimeSec:         int64(x.field(timeShift, timeWidth)),
	}
	index := x.field(indexShift, indexWidth)
	switch {
	case n.Counter > MaxCounter:
		return SequenceNumber{}, invalidSequence(s, fmt.Sprintf("counter %#x above %#x", n.Counter, uint64(MaxCounter)))
	case index > math.MaxInt32:
		return SequenceNumber{}, invalidSequence(s, fmt.Sprintf("shard index %#x above %#x", index, math.MaxInt32))
	case n.ShardCreatedSec >= MaxCreatedSec:
		return SequenceNumber{}, invalidSequence(s, fmt.Sprintf("shard creation time %d not below %d", n.ShardCreatedSec, MaxCreatedSec))
	}
	n.ShardIndex = int32(index)
	return n, nil
}

// parseVersion1 reads the older 47-digit layout: hex digits 1–9 shard creation time,
// 13–21 record time, 36–37 a per-second counter, 38–45 shard index, 46 the version (1).
func parseVersion1(s string, x uint192) error {
	const timeShift1 = 4 * (46 - 21) // hex digit 21 is the time's last
	index := x.field(indexShift, indexWidth)
	if index > math.MaxInt32 {
		return invalidSequence(s, fmt.Sprintf("shard index %#x above %#x", index, math.MaxInt32))
	}
	return &LegacySequenceNumberError{
		Version:         1,
		ShardIndex:      int32(index),
		ShardCreatedSec: int64(x.field(createdShift, createdWidth)),
		TimeSec:         int64(x.field(timeShift1, timeWidth)),
		Canonical:       string(x.appendDecimal(nil)),
	}
}

// parseVersion0 reads the legacy layout of 32 (or, read as kinesalite does, 33) hex
// digits: digit 0 a leading 1, 1–9 shard creation time, 10–27 unknown, 28–31 shard index.
// AWS quotes such a number back rebuilt from those fields, with its leading digit 1.
func parseVersion0(s string, x uint192) error {
	digits := (x.bitLen() + 3) / 4
	digitShift := func(i int) uint { return uint(4 * (digits - 1 - i)) } // shift of hex digit i's low bit
	created := int64(x.field(digitShift(9), createdWidth))
	if created >= MaxCreatedSec {
		return invalidSequence(s, fmt.Sprintf("shard creation time %d not below %d", created, MaxCreatedSec))
	}
	low := digitShift(31)
	canonical := uint192{lo: x.field(low, 64), mid: x.field(low+64, 60) | 1<<60}
	return &LegacySequenceNumberError{
		Version:         0,
		ShardIndex:      int32(x.field(low, 16)),
		ShardCreatedSec: created,
		Canonical:       string(canonical.appendDecimal(nil)),
	}
}
