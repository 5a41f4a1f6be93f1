package wire

import "math"

// The tree a request body parses into, for JSON (parse.go) and CBOR
// (cbor.go) alike. It uses these Go types: nil, bool, string, Number (a JSON
// number's text), []byte (a CBOR byte string), EpochMillis (a CBOR tag-1
// timestamp), []any (a list, perhaps ending in a MoreElements) and Object.
// Members a shape does not have are dropped; the caller type-checks the rest.

// Object is a JSON object or CBOR map with its members in arrival order; a
// repeated key keeps its first position and takes its last value, as
// JSON.parse does.
type Object []Field

// Field is one member of an Object.
type Field struct {
	Key string
	Val any
}

// Number is the text of a JSON number (or of a CBOR integer or float), kept
// exact until a shape says how to read it.
type Number string

// EpochMillis is a timestamp as CBOR carries it: tag 1 around epoch
// milliseconds.
type EpochMillis int64

// MoreElements stands, at the end of a list, for N elements that the parser
// counted without keeping (Bounds); Invalid notes that one of them fails its
// element rules.
type MoreElements struct {
	N       int
	Invalid bool
}

// MaxDepth bounds nesting, so that a hostile body cannot exhaust the stack.
const MaxDepth = 128

// Get returns the value of the member key.
func (o Object) Get(key string) (any, bool) {
	for _, f := range o {
		if f.Key == key {
			return f.Val, true
		}
	}
	return nil, false
}

// Set gives the member key the value val, adding it at the end if it is new.
func (o *Object) Set(key string, val any) {
	for i := range *o {
		if (*o)[i].Key == key {
			(*o)[i].Val = val
			return
		}
	}
	*o = append(*o, Field{key, val})
}

// ListLen is the number of elements of a list, counting a MoreElements.
func ListLen(list []any) int {
	if n := len(list); n > 0 {
		if more, ok := list[n-1].(MoreElements); ok {
			return n - 1 + more.N
		}
	}
	return len(list)
}

// SaturatedMillis rounds a timestamp in milliseconds to an int64, and clamps
// one beyond its range to the nearest end: 1e300 seconds is after every time,
// and -1e300 before, where Go's conversion would give whatever the platform
// gives (on amd64, the smallest int64, which would make a far-future
// AT_TIMESTAMP read from the trim horizon).
func SaturatedMillis(ms float64) int64 {
	switch {
	case ms >= math.MaxInt64: // 2^63 as a float64
		return math.MaxInt64
	case ms <= math.MinInt64:
		return math.MinInt64
	}
	return int64(math.Round(ms))
}
