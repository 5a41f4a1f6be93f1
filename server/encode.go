package server

import (
	"encoding/base64"
	"encoding/binary"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Output encoding for the control-plane operations: a small reflective encoder
// over the output structs of api.go, writing JSON or CBOR. It differs from
// encoding/json where the wire needs it: timestamps are epoch seconds with a
// millisecond fraction (CBOR: tag 1 + epoch ms), a nil slice of a required
// member is written as [] rather than null, and members tagged omitempty are
// left out when zero (a zero time.Time too). The hot outputs, PutRecords and
// GetRecords, have direct encoders of their own (putrecords.go, getrecords.go).

// outputField describes one exported field of an output struct.
type outputField struct {
	index     int
	name      string
	omitEmpty bool
}

var outputFields sync.Map // reflect.Type → []outputField

func fieldsOf(t reflect.Type) []outputField {
	if f, ok := outputFields.Load(t); ok {
		return f.([]outputField)
	}
	var fields []outputField
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" {
			name = sf.Name
		}
		fields = append(fields, outputField{index: i, name: name, omitEmpty: opts == "omitempty"})
	}
	outputFields.Store(t, fields)
	return fields
}

// isEmpty reports whether an omitempty member is left out.
func isEmpty(v reflect.Value) bool {
	if v.Type() == reflect.TypeFor[time.Time]() {
		return v.Interface().(time.Time).IsZero()
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return v.IsZero()
}

// appendOutputJSON appends the JSON body of out, a pointer to an output struct.
// A struct without members (a Unit output) has an empty body.
func appendOutputJSON(dst []byte, out any) []byte {
	v := reflect.Indirect(reflect.ValueOf(out))
	if v.Kind() == reflect.Struct && v.NumField() == 0 {
		return dst
	}
	return appendValueJSON(dst, v)
}

func appendValueJSON(dst []byte, v reflect.Value) []byte {
	if v.Type() == reflect.TypeFor[time.Time]() {
		return appendTimeJSON(dst, v.Interface().(time.Time))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return append(dst, "null"...)
		}
		return appendValueJSON(dst, v.Elem())
	case reflect.Struct:
		return appendStructJSON(dst, v)
	case reflect.String:
		return appendJSONString(dst, v.String())
	case reflect.Bool:
		return strconv.AppendBool(dst, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, v.Int(), 10)
	case reflect.Slice:
		return appendSliceJSON(dst, v)
	case reflect.Map:
		return appendMapJSON(dst, v)
	}
	panic("server: cannot encode " + v.Type().String())
}

// appendSliceJSON writes a blob as base64 text, any other slice as an array.
func appendSliceJSON(dst []byte, v reflect.Value) []byte {
	if v.Type().Elem().Kind() == reflect.Uint8 {
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, v.Bytes())
		return append(dst, '"')
	}
	dst = append(dst, '[')
	for i := range v.Len() {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendValueJSON(dst, v.Index(i))
	}
	return append(dst, ']')
}

// appendMapJSON writes a map with its keys sorted, so that output is stable.
func appendMapJSON(dst []byte, v reflect.Value) []byte {
	dst = append(dst, '{')
	for i, k := range sortedKeys(v) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k.String())
		dst = append(dst, ':')
		dst = appendValueJSON(dst, v.MapIndex(k))
	}
	return append(dst, '}')
}

func appendStructJSON(dst []byte, v reflect.Value) []byte {
	dst = append(dst, '{')
	first := true
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmpty(fv) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, f.name)
		dst = append(dst, ':')
		dst = appendValueJSON(dst, fv)
	}
	return append(dst, '}')
}

func sortedKeys(m reflect.Value) []reflect.Value {
	keys := m.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	return keys
}

// appendOutputCBOR appends the CBOR body of out, with the same members as JSON.
func appendOutputCBOR(dst []byte, out any) []byte {
	v := reflect.Indirect(reflect.ValueOf(out))
	if v.Kind() == reflect.Struct && v.NumField() == 0 {
		return dst
	}
	return appendValueCBOR(dst, v)
}

func appendValueCBOR(dst []byte, v reflect.Value) []byte {
	if v.Type() == reflect.TypeFor[time.Time]() {
		return cborAppendTime(dst, v.Interface().(time.Time))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return append(dst, cborNull)
		}
		return appendValueCBOR(dst, v.Elem())
	case reflect.Struct:
		return appendStructCBOR(dst, v)
	case reflect.String:
		return cborAppendText(dst, v.String())
	case reflect.Bool:
		return cborAppendBool(dst, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cborAppendInt(dst, v.Int())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return cborAppendBytes(dst, v.Bytes())
		}
		dst = cborAppendHead(dst, cborArray, uint64(v.Len()))
		for i := range v.Len() {
			dst = appendValueCBOR(dst, v.Index(i))
		}
		return dst
	case reflect.Map:
		dst = cborAppendHead(dst, cborMap, uint64(v.Len()))
		for _, k := range sortedKeys(v) {
			dst = cborAppendText(dst, k.String())
			dst = appendValueCBOR(dst, v.MapIndex(k))
		}
		return dst
	}
	panic("server: cannot encode " + v.Type().String())
}

func appendStructCBOR(dst []byte, v reflect.Value) []byte {
	fields := fieldsOf(v.Type())
	n := 0
	for _, f := range fields {
		if !f.omitEmpty || !isEmpty(v.Field(f.index)) {
			n++
		}
	}
	dst = cborAppendHead(dst, cborMap, uint64(n))
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmpty(fv) {
			continue
		}
		dst = cborAppendText(dst, f.name)
		dst = appendValueCBOR(dst, fv)
	}
	return dst
}

// JSON text.

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Quotes, backslashes and control
// characters are escaped; invalid UTF-8 becomes U+FFFD, as encoding/json does.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := plainPrefix(s); i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONBytes is appendJSONString for a byte slice, without converting it.
func appendJSONBytes(dst []byte, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := plainPrefixBytes(s); i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// appendEpochMillis appends a time as AWS writes it in JSON: epoch seconds with
// the milliseconds as a fraction, trailing zeros dropped (1506440188.749,
// 1506440188.75, 1506440188), never in exponent notation.
func appendEpochMillis(dst []byte, ms int64) []byte {
	if ms < 0 {
		dst = append(dst, '-')
		ms = -ms // times before 1970 never occur; this only keeps the text right
	}
	sec, frac := ms/1000, ms%1000
	dst = strconv.AppendInt(dst, sec, 10)
	if frac == 0 {
		return dst
	}
	digits := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 3
	for digits[n-1] == '0' {
		n--
	}
	dst = append(dst, '.')
	return append(dst, digits[:n]...)
}

func appendTimeJSON(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, '0')
	}
	return appendEpochMillis(dst, t.UnixMilli())
}

// SWAR constants for scanning JSON text eight bytes at a time.
const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// plainWord reports whether none of the eight bytes of w needs attention in a
// JSON string: no control character, quote, backslash or non-ASCII byte.
func plainWord(w uint64) bool {
	const (
		quotes     = '"' * swarOnes
		backslashs = '\\' * swarOnes
	)
	q, b := w^quotes, w^backslashs // a quote or backslash becomes a zero byte
	hasLow := (w - 0x20*swarOnes) & ^w
	hasQuote := (q - swarOnes) & ^q
	hasSlash := (b - swarOnes) & ^b
	return (hasLow|hasQuote|hasSlash|w)&swarHighs == 0
}

// plainPrefix returns the length of the prefix of s, rounded down to whole
// words, that needs no escaping.
func plainPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if !plainWord(binary.LittleEndian.Uint64([]byte(s[i : i+8]))) {
			break
		}
	}
	return i
}

// plainPrefixBytes is plainPrefix for a byte slice.
func plainPrefixBytes(s []byte) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if !plainWord(binary.LittleEndian.Uint64(s[i : i+8])) {
			break
		}
	}
	return i
}
