package bench

import (
	"errors"
	"fmt"
)

// Errors of starting a run.
var (
	// ErrConfig is returned by Run for a Config field out of its bounds; the message names it.
	ErrConfig = errors.New("bench: bad config")
)

// Errors of a run under way.
var (
	// ErrTooManyErrors is returned by Run when calls keep failing (a stopped server, a wrong
	// endpoint): maxConsecutiveErrors calls in a row on one connection failed.
	ErrTooManyErrors = errors.New("bench: too many failed calls in a row")
	// ErrVerify is matched by the error Run returns, beside a complete Result, when the read-back
	// found records lost, duplicated, out of order, changed or on the wrong shard.
	ErrVerify = errors.New("bench: read-back verification failed")
)

// APIError is a Kinesis error answer: an HTTP status other than 200, with the error type and
// message the server sent.
type APIError struct {
	Operation string // the X-Amz-Target operation, e.g. PutRecords
	Status    int    // the HTTP status
	Type      string // __type, e.g. ResourceNotFoundException; empty if the body had none
	Message   string // message, if any
}

func (e *APIError) Error() string {
	return fmt.Sprintf("bench: %s: HTTP %d %s: %s", e.Operation, e.Status, e.Type, e.Message)
}
