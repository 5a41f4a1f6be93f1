package server

import (
	"encoding/base64"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/kinesis"
)

// The general request path decodes a body in three steps, each with the error
// AWS gives for that step (KINESIS-API.md §1.6, §1.8):
//
//  1. parse JSON (or CBOR) into a tree of plain values; a body that does not
//     parse, or is not an object, is a SerializationException with no message;
//  2. check the tree's types against the operation's shape, in model member
//     order; the first mismatch is a SerializationException with coral's text;
//  3. check the constraints (validate.go), then copy the tree into the Go input
//     struct (assign.go).
//
// The tree is package wire's (wire.Object, wire.Number, …): unknown members
// are dropped and null members count as absent.

// parseBounds returns the bounds of a parse for the type check and the
// validation that follow: elements beyond what a message can count or render
// are only counted.
func parseBounds() wire.Bounds {
	return wire.Bounds{MaxMessages: maxValidationErrors, MaxRendered: maxRenderedElements}
}

// Type checking.

// Coral's messages for values of the wrong type (KINESIS-API.md §1.8).
const (
	msgNumberClass  = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
	msgBooleanClass = "class java.lang.Boolean"
	msgStringClass  = "class java.lang.String"
	msgBytesClass   = "class java.nio.HeapByteBuffer"
	msgListStart    = "Start of list found where not expected"
	msgObjectStart  = "Start of structure or map found where not expected."
)

// checkStructure type-checks obj against the structure shape s and returns the
// members it knows, converted: strings, int64 for integers, bool, []byte for
// blobs, time.Time for timestamps, []any for lists, wire.Object for maps and
// checked for structures. Lists and maps are converted in place: the tree is
// read once.
func checkStructure(obj wire.Object, s *shape) (checked, *kinesis.Error) {
	var out checked
	for i, m := range s.members {
		v, ok := obj.Get(m.name)
		if !ok || v == nil {
			continue
		}
		cv, err := checkValue(v, m.shape)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = make(checked, len(s.members))
		}
		out[i] = cv
	}
	return out, nil
}

// checked is a type-checked structure: the value of each member of its shape,
// by position, nil where absent. A structure without members is nil, which
// costs nothing, however many of them a list holds.
type checked []any

// member returns the value of the member named name, or nil.
func (c checked) member(s *shape, name string) any {
	for i := range s.members {
		if s.members[i].name == name && i < len(c) {
			return c[i]
		}
	}
	return nil
}

// at returns the value of the i-th member, or nil.
func (c checked) at(i int) any {
	if i < len(c) {
		return c[i]
	}
	return nil
}

func checkValue(v any, s *shape) (any, *kinesis.Error) {
	switch s.kind {
	case kindString:
		return checkString(v)
	case kindInteger:
		return checkInteger(v)
	case kindBoolean:
		return checkBoolean(v)
	case kindBlob:
		return checkBlob(v)
	case kindTimestamp:
		return checkTimestamp(v)
	case kindList:
		return checkList(v, s)
	case kindMap:
		return checkMap(v, s)
	default:
		return checkNested(v, s)
	}
}

// containerMismatch returns coral's message for a list or object where a
// scalar belongs, or "" if v is not a container.
func containerMismatch(v any) string {
	switch v.(type) {
	case []any:
		return msgListStart
	case wire.Object:
		return msgObjectStart
	}
	return ""
}

// The checks return a value that needs no conversion as v itself, so that
// checking it allocates nothing.

func checkString(v any) (any, *kinesis.Error) {
	switch v.(type) {
	case string:
		return v, nil
	case bool:
		return nil, serializationError(msgBooleanClass + " can not be converted to an String")
	case wire.Number:
		return nil, serializationError(msgNumberClass + " can not be converted to an String")
	case []byte:
		return nil, serializationError(msgBytesClass + " can not be converted to an String")
	}
	return nil, scalarMismatch(v, "an String")
}

func checkInteger(v any) (any, *kinesis.Error) {
	switch t := v.(type) {
	case wire.Number:
		return truncateInteger(t), nil
	case string:
		return nil, serializationError(msgStringClass + " can not be converted to an Integer")
	case bool:
		return nil, serializationError(msgBooleanClass + " can not be converted to an Integer")
	}
	return nil, scalarMismatch(v, "an Integer")
}

// truncateInteger reads a number the way coral reads an Integer member: floored,
// then clamped to the int32 range, so ShardCount 100000000000 is reported as
// Value '2147483647'.
func truncateInteger(n wire.Number) int64 {
	f, _ := strconv.ParseFloat(string(n), 64) // syntax was checked by the parser; ±Inf on overflow
	f = math.Floor(f)
	switch {
	case f > math.MaxInt32:
		return math.MaxInt32
	case f < math.MinInt32:
		return math.MinInt32
	}
	return int64(f)
}

func checkBoolean(v any) (any, *kinesis.Error) {
	switch t := v.(type) {
	case bool:
		return v, nil
	case string:
		return nil, serializationError("'" + strings.ToUpper(t) + "' can not be converted to an Boolean")
	case wire.Number:
		return nil, serializationError(msgNumberClass + " can not be converted to an Boolean")
	}
	return nil, scalarMismatch(v, "an Boolean")
}

func checkBlob(v any) (any, *kinesis.Error) {
	switch t := v.(type) {
	case []byte:
		return v, nil
	case string:
		return decodeBlob(t)
	case bool:
		return nil, serializationError(msgBooleanClass + " can not be converted to a Blob")
	case wire.Number:
		return nil, serializationError(msgNumberClass + " can not be converted to a Blob")
	}
	return nil, scalarMismatch(v, "a Blob")
}

// decodeBlob decodes a base64 blob the way coral does, with its messages: the
// length must be a multiple of 4, every character must be in the standard
// alphabet with '=' only as trailing padding, and the padding bits must be zero
// (the text must be the canonical encoding of its bytes).
func decodeBlob(s string) ([]byte, *kinesis.Error) {
	if len(s)%4 != 0 {
		return nil, serializationError("'" + s + "' can not be converted to a Blob: " +
			"Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s)))
	}
	if i := invalidBase64At(s); i >= 0 {
		return nil, serializationError("'" + s + "' can not be converted to a Blob: " +
			"Invalid Base64 character: '" + s[i:i+1] + "'")
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, serializationError("'" + s + "' can not be converted to a Blob: " +
			"Invalid last non-pad Base64 character dectected")
	}
	return b, nil
}

// invalidBase64At returns the index of the first character that cannot appear in
// standard base64 text, counting an '=' followed by anything but '=' as invalid,
// or -1.
func invalidBase64At(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		case c == '=':
			if i+1 < len(s) && s[i+1] != '=' {
				return i
			}
		default:
			return i
		}
	}
	return -1
}

func checkTimestamp(v any) (any, *kinesis.Error) {
	switch t := v.(type) {
	case wire.Number:
		f, _ := strconv.ParseFloat(string(t), 64) // ±Inf beyond the range of a float
		return time.UnixMilli(wire.SaturatedMillis(f * 1000)).UTC(), nil
	case wire.EpochMillis:
		return time.UnixMilli(int64(t)).UTC(), nil
	case string:
		return nil, serializationError(msgStringClass + " can not be converted to milliseconds since epoch")
	case bool:
		return nil, serializationError(msgBooleanClass + " can not be converted to milliseconds since epoch")
	}
	return nil, scalarMismatch(v, "milliseconds since epoch")
}

// scalarMismatch is the error for a container, or an unexpected CBOR value,
// where a scalar belongs.
func scalarMismatch(v any, target string) *kinesis.Error {
	if msg := containerMismatch(v); msg != "" {
		return serializationError(msg)
	}
	return serializationError("Unexpected value can not be converted to " + target)
}

func checkList(v any, s *shape) (any, *kinesis.Error) {
	list, ok := v.([]any)
	if !ok {
		if _, isObj := v.(wire.Object); isObj {
			return nil, serializationError(msgObjectStart)
		}
		return nil, serializationError("Expected list or null")
	}
	for i, e := range list {
		if _, more := e.(wire.MoreElements); e == nil || more {
			continue // nulls are absent; the elements counted are null or empty
		}
		ce, err := checkValue(e, s.elem)
		if err != nil {
			return nil, err
		}
		list[i] = ce
	}
	return list, nil
}

func checkMap(v any, s *shape) (any, *kinesis.Error) {
	obj, ok := v.(wire.Object)
	if !ok {
		if _, isList := v.([]any); isList {
			return nil, serializationError(msgListStart)
		}
		return nil, serializationError("Expected map or null")
	}
	for i, f := range obj {
		if f.Val != nil {
			cv, err := checkValue(f.Val, s.elem)
			if err != nil {
				return nil, err
			}
			obj[i].Val = cv
		}
	}
	return obj, nil
}

func checkNested(v any, s *shape) (any, *kinesis.Error) {
	obj, ok := v.(wire.Object)
	if !ok {
		if _, isList := v.([]any); isList {
			return nil, serializationError(msgListStart)
		}
		return nil, serializationError("Expected null")
	}
	return checkStructure(obj, s)
}

// Exported entry points to the decoders, for fuzzing and tests. Both stop where
// decoding stops: the request-level rules that follow (StreamName from
// StreamARN, the PutRecords size limit) are not applied.

// DecodeRequest decodes a body for an operation ("PutRecords") the way the
// server's general path does, in the format its Content-Type names
// (application/x-amz-json-1.1 or application/x-amz-cbor-1.1). It returns the
// input struct (*PutRecordsInput), or the *kinesis.Error the client would get: a
// SerializationException or a ValidationException. An unknown operation is an
// UnknownOperationException.
func DecodeRequest(operation, contentType string, body []byte, opts Options) (any, error) {
	op := newOperations(opts.withDefaults())[operation]
	if op == nil {
		return nil, &kinesis.Error{Type: kinesis.TypeUnknownOperation}
	}
	c := call{proto: protocolOf(contentType), body: body}
	if c.proto != protoJSON && c.proto != protoCBOR {
		return nil, &kinesis.Error{Type: kinesis.TypeUnknownOperation}
	}
	if !c.parse(op.shape) {
		return nil, serializationError("")
	}
	return c.decode(op)
}

// DecodePutRecordsFast runs only the focused PutRecords decoder. It reports
// false when the decoder declines the body, which the server then hands to the
// general path; when it accepts, its result equals DecodeRequest's.
func DecodePutRecordsFast(body []byte, opts Options) (*PutRecordsInput, bool) {
	opts = opts.withDefaults()
	return decodePutRecordsFast(body, fastLimits{maxData: opts.MaxRecordDataBytes}, new(putArena))
}

// DecodePutRecordsText runs the focused PutRecords decoder as the server does for a
// Base64Putter: each record's Data is left as its base64 text in body. When every record's
// text is canonical base64, its result, with the texts decoded, equals DecodeRequest's; when
// one is not, DecodeRequest fails with a SerializationException.
func DecodePutRecordsText(body []byte, opts Options) (*PutRecordsInput, bool) {
	opts = opts.withDefaults()
	return decodePutRecordsFast(body, fastLimits{maxData: opts.MaxRecordDataBytes, text: true}, new(putArena))
}

// DecodePutRecordFast is DecodePutRecordsFast for PutRecord.
func DecodePutRecordFast(body []byte, opts Options) (*PutRecordInput, bool) {
	opts = opts.withDefaults()
	return decodePutRecordFast(body, fastLimits{maxData: opts.MaxRecordDataBytes}, new(putArena))
}

// Operations returns the names of the operations the server answers, sorted.
func Operations() []string {
	names := make([]string, 0, 32)
	for name := range newOperations(Options{}.withDefaults()) {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
