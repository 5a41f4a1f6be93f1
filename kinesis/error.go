package kinesis

// Kinesis error types: the __type member of an error body and the x-amzn-ErrorType header,
// as AWS names them (KINESIS-API.md §1.5, §2).
const (
	// Errors of an operation, modeled in the API.
	TypeResourceNotFound              = "ResourceNotFoundException"
	TypeResourceInUse                 = "ResourceInUseException"
	TypeInvalidArgument               = "InvalidArgumentException"
	TypeLimitExceeded                 = "LimitExceededException"
	TypeProvisionedThroughputExceeded = "ProvisionedThroughputExceededException"
	TypeExpiredIterator               = "ExpiredIteratorException"
	TypeExpiredNextToken              = "ExpiredNextTokenException"
	TypeDryRunOperation               = "DryRunOperationException"

	// Errors of the protocol: the body, the operation name, the signature.
	TypeSerialization       = "SerializationException"
	TypeValidation          = "ValidationException"
	TypeUnknownOperation    = "UnknownOperationException"
	TypeAccessDenied        = "AccessDeniedException"
	TypeMissingAuthToken    = "MissingAuthenticationTokenException"
	TypeIncompleteSignature = "IncompleteSignatureException"
	TypeInvalidSignature    = "InvalidSignatureException"
	TypeUnrecognizedClient  = "UnrecognizedClientException"
	TypeRequestTooLarge     = "RequestEntityTooLargeException"
	TypeRequestTimeout      = "RequestTimeoutException"

	// Faults of the server, answered with 5xx.
	TypeInternalFailure    = "InternalFailure"
	TypeServiceUnavailable = "ServiceUnavailable"
)

// HTTP statuses of the answers, spelled out so that this package needs no net/http.
const (
	statusBadRequest          = 400
	statusRequestTimeout      = 408
	statusRequestTooLarge     = 413
	statusInternalServerError = 500
	statusServiceUnavailable  = 503
)

// statusByType is the one table from error type to HTTP status. AWS answers every modeled
// client error, and the protocol errors of the JSON path, with 400 (KINESIS-API.md §1.5);
// only server faults get 5xx. A type missing from the table is a client error and gets 400
// too, so any modeled type (the KMS… exceptions, say) may be used without registering it.
var statusByType = map[string]int{
	TypeResourceNotFound:              statusBadRequest,
	TypeResourceInUse:                 statusBadRequest,
	TypeInvalidArgument:               statusBadRequest,
	TypeLimitExceeded:                 statusBadRequest,
	TypeProvisionedThroughputExceeded: statusBadRequest,
	TypeExpiredIterator:               statusBadRequest,
	TypeExpiredNextToken:              statusBadRequest,
	TypeValidation:                    statusBadRequest,
	TypeSerialization:                 statusBadRequest,
	TypeAccessDenied:                  statusBadRequest,
	TypeDryRunOperation:               statusBadRequest,
	TypeUnknownOperation:              statusBadRequest,
	TypeMissingAuthToken:              statusBadRequest,
	TypeIncompleteSignature:           statusBadRequest,
	TypeInvalidSignature:              statusBadRequest,
	TypeUnrecognizedClient:            statusBadRequest,
	"KMSAccessDeniedException":        statusBadRequest,
	"KMSDisabledException":            statusBadRequest,
	"KMSInvalidStateException":        statusBadRequest,
	"KMSNotFoundException":            statusBadRequest,
	"KMSOptInRequired":                statusBadRequest,
	"KMSThrottlingException":          statusBadRequest,
	TypeRequestTooLarge:               statusRequestTooLarge,
	TypeRequestTimeout:                statusRequestTimeout,
	TypeInternalFailure:               statusInternalServerError,
	"InternalFailureException":        statusInternalServerError,
	TypeServiceUnavailable:            statusServiceUnavailable,
	"ServiceUnavailableException":     statusServiceUnavailable,
}

// Status returns the HTTP status Kinesis answers an error type with: 400 for a type it does
// not know.
func Status(errorType string) int {
	if s, ok := statusByType[errorType]; ok {
		return s
	}
	return statusBadRequest
}

// Error is a Kinesis error: what Kinesis refuses, or fails at, in the words it uses. A
// server answers it with Status() and the body {"__type": Type, "message": Message}. The
// messages are quoted from AWS (as recorded by kinesalite's tests against AWS and by
// KINESIS-API.md §2), because clients and conformance tests compare them byte for byte.
//
// errors.Is(err, &Error{Type: t}) reports whether err is an *Error of type t; a non-empty
// Message in the target must match too.
type Error struct {
	Type    string // the Kinesis error type, one of the Type… constants
	Message string // the message, exactly as AWS words it; empty: the body has none
	Err     error  // the cause, for errors.Is and errors.As; never sent to the client
}

// NewError returns the error of the given type and message.
func NewError(typ, message string) *Error {
	return &Error{Type: typ, Message: message}
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "kinesis: " + e.Type
	}
	return "kinesis: " + e.Type + ": " + e.Message
}

// ErrorType returns the Kinesis error type. Errors of other types that have this method
// reach the client with their type and their Error text as the message.
func (e *Error) ErrorType() string { return e.Type }

// Status returns the HTTP status the error is answered with.
func (e *Error) Status() int { return Status(e.Type) }

// Is reports whether target is an *Error of the same type and, if the target has a message,
// the same message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Type == e.Type && (t.Message == "" || t.Message == e.Message)
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.Err }
