package kpl

import (
	"errors"
	"fmt"
)

// Errors of Deaggregate. Every one means that the record is to be used as an ordinary one.
var (
	// ErrNotAggregated: the record does not start with the magic bytes, or is too short to
	// hold the magic, a body and the MD5 trailer.
	ErrNotAggregated = errors.New("kpl: not an aggregated record")
	// ErrChecksum: the record starts with the magic bytes, but its trailer is not the MD5 of
	// its body. Matched by errors.Is through a *FormatError.
	ErrChecksum = errors.New("kpl: MD5 trailer does not match the body")
	// ErrMalformed: the body is not a well-formed AggregatedRecord. Matched by errors.Is
	// through a *FormatError.
	ErrMalformed = errors.New("kpl: malformed AggregatedRecord")
)

// Errors of Aggregate.
var (
	// ErrNoRecords: Aggregate was given no user records. An aggregate of none would be no
	// longer than the magic and the trailer, which every deaggregator reads as an ordinary
	// record.
	ErrNoRecords = errors.New("kpl: no user records to aggregate")
)

// FormatError is a record that has the magic bytes but is not a valid aggregate. Offset is
// the byte of the Kinesis record's data where the fault was found.
type FormatError struct {
	Offset int
	Reason string
	Err    error // ErrChecksum or ErrMalformed
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%v at byte %d: %s", e.Err, e.Offset, e.Reason)
}

func (e *FormatError) Unwrap() error { return e.Err }
