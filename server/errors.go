package server

import (
	"errors"

	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/kinesis"
)

// Errors of the Go API.
var (
	// ErrClosed is returned by Serve once Shutdown has been called.
	ErrClosed = errors.New("server: closed")
)

// Errors that stay inside the server and become Kinesis answers.
var (
	// errTooLarge stops reading a body over Options.MaxRequestBytes; the client
	// gets a 413.
	errTooLarge = errors.New("server: request body too large")
)

// typedError is what a Backend error other than a *kinesis.Error must implement to
// reach the client as a Kinesis error rather than as an InternalFailure: its Error text
// becomes the message.
type typedError interface {
	error
	ErrorType() string
}

// asKinesisError converts a Backend error into the error the client sees. It
// reports false for errors without a type, which the server logs and answers
// with an InternalFailure.
func asKinesisError(err error) (*kinesis.Error, bool) {
	var e *kinesis.Error
	if errors.As(err, &e) {
		return e, true
	}
	var t typedError
	if errors.As(err, &t) && t.ErrorType() != "" {
		return &kinesis.Error{Type: t.ErrorType(), Message: t.Error()}, true
	}
	return nil, false
}

// internalFailure is the answer to an error the server cannot classify. Like
// AWS and kinesalite, its body names the type and says nothing more.
var internalFailure = &kinesis.Error{Type: kinesis.TypeInternalFailure}

// Constructors for the errors of the protocol layer.

func serializationError(msg string) *kinesis.Error {
	return &kinesis.Error{Type: kinesis.TypeSerialization, Message: msg}
}

func validationError(msg string) *kinesis.Error {
	return &kinesis.Error{Type: kinesis.TypeValidation, Message: msg}
}

func invalidArgument(msg string) *kinesis.Error {
	return &kinesis.Error{Type: kinesis.TypeInvalidArgument, Message: msg}
}

// Rendering. The JSON body is exactly {"__type":"…","message":"…"} in that
// order, as AWS and kinesalite write it; a missing message is left out.

// capitalMessage reports whether the body writes the message member as "Message",
// the way coral writes the SerializationException bodies of its type checks (§1.5):
// the server's own, the only SerializationExceptions with a message.
func capitalMessage(e *kinesis.Error) bool {
	return e.Type == kinesis.TypeSerialization
}

// appendErrorJSON appends the JSON body of e to dst.
func appendErrorJSON(dst []byte, e *kinesis.Error) []byte {
	dst = append(dst, `{"__type":`...)
	dst = wire.AppendString(dst, e.Type)
	if e.Message != "" {
		if capitalMessage(e) {
			dst = append(dst, `,"Message":`...)
		} else {
			dst = append(dst, `,"message":`...)
		}
		dst = wire.AppendString(dst, e.Message)
	}
	return append(dst, '}')
}

// appendErrorCBOR appends the CBOR body of e to dst: the same map as the JSON
// body, for clients that sent application/x-amz-cbor-1.1.
func appendErrorCBOR(dst []byte, e *kinesis.Error) []byte {
	n := 1
	if e.Message != "" {
		n = 2
	}
	dst = wire.AppendCBORHead(dst, wire.CBORMap, uint64(n))
	dst = wire.AppendCBORText(dst, "__type")
	dst = wire.AppendCBORText(dst, e.Type)
	if e.Message != "" {
		if capitalMessage(e) {
			dst = wire.AppendCBORText(dst, "Message")
		} else {
			dst = wire.AppendCBORText(dst, "message")
		}
		dst = wire.AppendCBORText(dst, e.Message)
	}
	return dst
}

// XML bodies for the requests that never reach the JSON protocol: a method
// other than POST, or an unknown content type (§1.6 steps 4 and 7).
const (
	accessDeniedXML = "<AccessDeniedException>\n" +
		"  <Message>Unable to determine service/operation name to be authorized</Message>\n" +
		"</AccessDeniedException>\n"
	unknownOperationXML = "<UnknownOperationException/>\n"
)

// Bodies for the legacy application/json content type, which coral answers in
// its old envelope and never routes to an operation (§1.6 steps 8 and 9).
const (
	legacySerializationJSON    = `{"Output":{"__type":"com.amazon.coral.service#SerializationException"},"Version":"1.0"}`
	legacyUnknownOperationJSON = `{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}`
)
