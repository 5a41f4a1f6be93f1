package kinesis_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/shardlog/shardlog/kinesis"
)

func TestError_Is(t *testing.T) {
	invalid := kinesis.NewError(kinesis.TypeInvalidArgument, "Invalid ShardIterator.")
	err := fmt.Errorf("get records: %w", invalid)
	tests := []struct {
		name   string
		target error
		want   bool
	}{
		{"same type", &kinesis.Error{Type: kinesis.TypeInvalidArgument}, true},
		{"same type and message", kinesis.NewError(kinesis.TypeInvalidArgument, "Invalid ShardIterator."), true},
		{"same type, other message", &kinesis.Error{Type: kinesis.TypeInvalidArgument, Message: "x"}, false},
		{"other type", &kinesis.Error{Type: kinesis.TypeExpiredIterator}, false},
		{"a sentinel", kinesis.ErrInvalidHashKey, false},
	}
	for _, tt := range tests {
		if got := errors.Is(err, tt.target); got != tt.want {
			t.Errorf("%s: errors.Is(%v, %v) = %v, want %v", tt.name, err, tt.target, got, tt.want)
		}
	}
	// The server finds the Kinesis type through any wrapping.
	var typed interface{ ErrorType() string }
	if !errors.As(err, &typed) || typed.ErrorType() != "InvalidArgumentException" {
		t.Errorf("errors.As(%v, ErrorType) failed", err)
	}
}

func TestError_Error(t *testing.T) {
	tests := []struct {
		err  *kinesis.Error
		want string
	}{
		{kinesis.NewError(kinesis.TypeInvalidArgument, "Invalid ShardIterator."), "kinesis: InvalidArgumentException: Invalid ShardIterator."},
		{&kinesis.Error{Type: kinesis.TypeInternalFailure}, "kinesis: InternalFailure"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// The cause of an Error is reachable with errors.Is and errors.As, and never part of the
// message a client sees.
func TestError_Unwrap(t *testing.T) {
	cause := errors.New("disk on fire")
	e := &kinesis.Error{Type: kinesis.TypeInternalFailure, Message: "Internal Service Failure", Err: cause}
	if !errors.Is(fmt.Errorf("read: %w", e), cause) {
		t.Errorf("errors.Is(%v, cause) = false", e)
	}
	if e.Message != "Internal Service Failure" {
		t.Errorf("Message = %q", e.Message)
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		typ  string
		want int
	}{
		{kinesis.TypeResourceNotFound, http.StatusBadRequest},
		{kinesis.TypeProvisionedThroughputExceeded, http.StatusBadRequest},
		{kinesis.TypeSerialization, http.StatusBadRequest},
		{"KMSThrottlingException", http.StatusBadRequest},
		{"SomeFutureException", http.StatusBadRequest},
		{kinesis.TypeRequestTooLarge, http.StatusRequestEntityTooLarge},
		{kinesis.TypeRequestTimeout, http.StatusRequestTimeout},
		{kinesis.TypeInternalFailure, http.StatusInternalServerError},
		{"InternalFailureException", http.StatusInternalServerError},
		{kinesis.TypeServiceUnavailable, http.StatusServiceUnavailable},
		{"ServiceUnavailableException", http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		if got := kinesis.Status(tt.typ); got != tt.want {
			t.Errorf("Status(%s) = %d, want %d", tt.typ, got, tt.want)
		}
		if got := (&kinesis.Error{Type: tt.typ}).Status(); got != tt.want {
			t.Errorf("(&Error{Type: %s}).Status() = %d, want %d", tt.typ, got, tt.want)
		}
	}
}
