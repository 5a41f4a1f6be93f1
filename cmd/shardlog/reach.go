package main

import (
	"errors"
	"fmt"
	"io"
	"net"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// unreachableError is a command's failure to connect to its endpoint at all: nothing
// listens there, or the host is unknown. It replaces the SDK's "https response error
// StatusCode: 0 … connection refused", which names neither the endpoint nor a remedy.
type unreachableError struct {
	endpoint string
	err      error // the dial's own error, e.g. "connect: connection refused"
}

func (e *unreachableError) Error() string {
	endpoint := e.endpoint
	if endpoint == "" {
		endpoint = "the AWS SDK's Kinesis endpoint"
	}
	return fmt.Sprintf("cannot connect to %s: %v; is shardlog serve running? (start it with 'shardlog serve', or point --endpoint at the server)", endpoint, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }

// friendly returns err as an *unreachableError when it is a failed connection to endpoint,
// and unchanged otherwise.
func friendly(err error, endpoint string) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return &unreachableError{endpoint: endpoint, err: op.Err}
	}
	return err
}

// isUnavailable reports whether err says that the server is away for now, so that a
// follower (tail) should wait and try again rather than give up: the request could not be
// sent or its answer was cut off (refused, reset, closed: a network error, or the end of
// the connection), or the server answered 5xx.
func isUnavailable(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var resp *awshttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() >= 500
}

// unavailableCause is the short reason of an error for which isUnavailable holds, for a
// log line: "connect: connection refused", "HTTP 503", "connection closed".
func unavailableCause(err error) string {
	var op *net.OpError
	var resp *awshttp.ResponseError
	switch {
	case errors.As(err, &op):
		return op.Err.Error()
	case errors.As(err, &resp) && resp.HTTPStatusCode() >= 500:
		return fmt.Sprintf("HTTP %d", resp.HTTPStatusCode())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed"
	}
	return err.Error()
}
