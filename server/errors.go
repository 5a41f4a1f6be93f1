package server

import (
	"errors"
	"net/http"
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
	// errSyntax stops parsing a body nested deeper than maxDepth; the client
	// gets a SerializationException.
	errSyntax = errors.New("server: malformed body")
)

// Error is a Kinesis error answered to the client: Type becomes the body's
// __type and the x-amzn-ErrorType header, Message the body's message. Backends
// may return *Error, or any error of their own with an ErrorType() method.
type Error struct {
	Type    string // bare exception name, e.g. "ResourceNotFoundException"
	Message string // exact text; empty means the body has no message member

	// capitalMessage writes the member as "Message", the way coral writes
	// SerializationException bodies produced by its type checks (§1.5).
	capitalMessage bool
}

// Error returns the message, exactly as the client will see it.
func (e *Error) Error() string { return e.Message }

// ErrorType returns the Kinesis error type.
func (e *Error) ErrorType() string { return e.Type }

// Kinesis error types the server itself produces.
const (
	TypeSerialization       = "SerializationException"
	TypeValidation          = "ValidationException"
	TypeUnknownOperation    = "UnknownOperationException"
	TypeInvalidArgument     = "InvalidArgumentException"
	TypeResourceNotFound    = "ResourceNotFoundException"
	TypeAccessDenied        = "AccessDeniedException"
	TypeMissingAuthToken    = "MissingAuthenticationTokenException"
	TypeIncompleteSignature = "IncompleteSignatureException"
	TypeInvalidSignature    = "InvalidSignatureException"
	TypeUnrecognizedClient  = "UnrecognizedClientException"
	TypeInternalFailure     = "InternalFailure"
	TypeRequestTooLarge     = "RequestEntityTooLargeException"
	TypeServiceUnavailable  = "ServiceUnavailable"
	TypeRequestTimeout      = "RequestTimeoutException"
)

// statusByType is the one table from error type to HTTP status. AWS answers every
// modeled client error, and the protocol-level errors of the JSON path, with 400
// (KINESIS-API.md §1.5); only server faults get 5xx. A type missing from the table
// is a client error and gets 400 too, so a Backend may use any modeled type
// (ExpiredIteratorException, KMS…, DryRunOperationException) without registering it.
var statusByType = map[string]int{
	"ResourceNotFoundException":              http.StatusBadRequest,
	"ResourceInUseException":                 http.StatusBadRequest,
	"InvalidArgumentException":               http.StatusBadRequest,
	"LimitExceededException":                 http.StatusBadRequest,
	"ProvisionedThroughputExceededException": http.StatusBadRequest,
	"ExpiredIteratorException":               http.StatusBadRequest,
	"ExpiredNextTokenException":              http.StatusBadRequest,
	"ValidationException":                    http.StatusBadRequest,
	"SerializationException":                 http.StatusBadRequest,
	"AccessDeniedException":                  http.StatusBadRequest,
	"DryRunOperationException":               http.StatusBadRequest,
	"UnknownOperationException":              http.StatusBadRequest,
	"MissingAuthenticationTokenException":    http.StatusBadRequest,
	"IncompleteSignatureException":           http.StatusBadRequest,
	"InvalidSignatureException":              http.StatusBadRequest,
	"UnrecognizedClientException":            http.StatusBadRequest,
	"KMSAccessDeniedException":               http.StatusBadRequest,
	"KMSDisabledException":                   http.StatusBadRequest,
	"KMSInvalidStateException":               http.StatusBadRequest,
	"KMSNotFoundException":                   http.StatusBadRequest,
	"KMSOptInRequired":                       http.StatusBadRequest,
	"KMSThrottlingException":                 http.StatusBadRequest,
	"RequestEntityTooLargeException":         http.StatusRequestEntityTooLarge,
	"RequestTimeoutException":                http.StatusRequestTimeout,
	"InternalFailure":                        http.StatusInternalServerError,
	"InternalFailureException":               http.StatusInternalServerError,
	"ServiceUnavailable":                     http.StatusServiceUnavailable,
	"ServiceUnavailableException":            http.StatusServiceUnavailable,
}

// StatusCode returns the HTTP status the server answers an error type with.
func StatusCode(errorType string) int {
	if s, ok := statusByType[errorType]; ok {
		return s
	}
	return http.StatusBadRequest
}

// typedError is what a Backend error must implement to reach the client as a
// Kinesis error rather than as an InternalFailure.
type typedError interface {
	error
	ErrorType() string
}

// asKinesisError converts a Backend error into the error the client sees. It
// reports false for errors without a type, which the server logs and answers
// with an InternalFailure.
func asKinesisError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	var t typedError
	if errors.As(err, &t) && t.ErrorType() != "" {
		return &Error{Type: t.ErrorType(), Message: t.Error()}, true
	}
	return nil, false
}

// internalFailure is the answer to an error the server cannot classify. Like
// AWS and kinesalite, its body names the type and says nothing more.
var internalFailure = &Error{Type: TypeInternalFailure}

// Constructors for the errors of the protocol layer.

func serializationError(msg string) *Error {
	return &Error{Type: TypeSerialization, Message: msg, capitalMessage: msg != ""}
}

func validationError(msg string) *Error {
	return &Error{Type: TypeValidation, Message: msg}
}

func invalidArgument(msg string) *Error {
	return &Error{Type: TypeInvalidArgument, Message: msg}
}

// Rendering. The JSON body is exactly {"__type":"…","message":"…"} in that
// order, as AWS and kinesalite write it; a missing message is left out.

// appendErrorJSON appends the JSON body of e to dst.
func appendErrorJSON(dst []byte, e *Error) []byte {
	dst = append(dst, `{"__type":`...)
	dst = appendJSONString(dst, e.Type)
	if e.Message != "" {
		if e.capitalMessage {
			dst = append(dst, `,"Message":`...)
		} else {
			dst = append(dst, `,"message":`...)
		}
		dst = appendJSONString(dst, e.Message)
	}
	return append(dst, '}')
}

// appendErrorCBOR appends the CBOR body of e to dst: the same map as the JSON
// body, for clients that sent application/x-amz-cbor-1.1.
func appendErrorCBOR(dst []byte, e *Error) []byte {
	n := 1
	if e.Message != "" {
		n = 2
	}
	dst = cborAppendHead(dst, cborMap, uint64(n))
	dst = cborAppendText(dst, "__type")
	dst = cborAppendText(dst, e.Type)
	if e.Message != "" {
		if e.capitalMessage {
			dst = cborAppendText(dst, "Message")
		} else {
			dst = cborAppendText(dst, "message")
		}
		dst = cborAppendText(dst, e.Message)
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
