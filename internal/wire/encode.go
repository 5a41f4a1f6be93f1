package wire

import (
	"encoding/base64"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Output encoding for the control-plane operations: a small reflective encoder
// over output structs (server's api.go), writing JSON or CBOR. Members take
// their names from the json tag, or the field name. It differs from
// encoding/json where the wire needs it: timestamps are epoch seconds with a
// millisecond fraction (CBOR: tag 1 + epoch ms), a nil slice of a required
// member is written as [] rather than null, and members tagged omitempty are
// left out when zero (a zero time.Time too). The hot outputs, PutRecords and
// GetRecords, have direct encoders of their own (server's putrecords.go and
// this package's records.go).

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
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue // not a member, as in encoding/json
		}
		name, opts, _ := strings.Cut(tag, ",")
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

// AppendOutputJSON appends the JSON body of out, a pointer to an output struct.
// A struct without members (a Unit output) has an empty body.
func AppendOutputJSON(dst []byte, out any) []byte {
	v := reflect.Indirect(reflect.ValueOf(out))
	if v.Kind() == reflect.Struct && v.NumField() == 0 {
		return dst
	}
	return appendValueJSON(dst, v)
}

func appendValueJSON(dst []byte, v reflect.Value) []byte {
	if v.Type() == reflect.TypeFor[time.Time]() {
		return AppendTime(dst, v.Interface().(time.Time))
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
		return AppendString(dst, v.String())
	case reflect.Bool:
		return strconv.AppendBool(dst, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, v.Int(), 10)
	case reflect.Slice:
		return appendSliceJSON(dst, v)
	case reflect.Map:
		return appendMapJSON(dst, v)
	}
	panic("wire: cannot encode " + v.Type().String())
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
		dst = AppendString(dst, k.String())
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
		dst = AppendString(dst, f.name)
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

// AppendOutputCBOR appends the CBOR body of out, with the same members as JSON.
func AppendOutputCBOR(dst []byte, out any) []byte {
	v := reflect.Indirect(reflect.ValueOf(out))
	if v.Kind() == reflect.Struct && v.NumField() == 0 {
		return dst
	}
	return appendValueCBOR(dst, v)
}

func appendValueCBOR(dst []byte, v reflect.Value) []byte {
	if v.Type() == reflect.TypeFor[time.Time]() {
		return AppendCBORTime(dst, v.Interface().(time.Time))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return append(dst, CBORNull)
		}
		return appendValueCBOR(dst, v.Elem())
	case reflect.Struct:
		return appendStructCBOR(dst, v)
	case reflect.String:
		return AppendCBORText(dst, v.String())
	case reflect.Bool:
		return AppendCBORBool(dst, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return AppendCBORInt(dst, v.Int())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return AppendCBORBytes(dst, v.Bytes())
		}
		dst = AppendCBORHead(dst, CBORArray, uint64(v.Len()))
		for i := range v.Len() {
			dst = appendValueCBOR(dst, v.Index(i))
		}
		return dst
	case reflect.Map:
		dst = AppendCBORHead(dst, CBORMap, uint64(v.Len()))
		for _, k := range sortedKeys(v) {
			dst = AppendCBORText(dst, k.String())
			dst = appendValueCBOR(dst, v.MapIndex(k))
		}
		return dst
	}
	panic("wire: cannot encode " + v.Type().String())
}

func appendStructCBOR(dst []byte, v reflect.Value) []byte {
	fields := fieldsOf(v.Type())
	n := 0
	for _, f := range fields {
		if !f.omitEmpty || !isEmpty(v.Field(f.index)) {
			n++
		}
	}
	dst = AppendCBORHead(dst, CBORMap, uint64(n))
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmpty(fv) {
			continue
		}
		dst = AppendCBORText(dst, f.name)
		dst = appendValueCBOR(dst, fv)
	}
	return dst
}
