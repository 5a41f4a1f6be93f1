package wire

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"
)

// CBOR (RFC 8949) as the AWS Java SDKs speak it for Kinesis, content type
// application/x-amz-cbor-1.1: the same members as JSON in a top-level map,
// blobs as byte strings, and timestamps as tag 1 around an integer of epoch
// milliseconds (not seconds, whatever RFC 8949 says). Requests decode into the
// same tree as JSON (ParseCBOR); responses, errors included, are CBOR maps
// with the JSON member names.

// Major types, already shifted into the high three bits of the initial byte.
const (
	CBORUint   byte = 0 << 5
	CBORNegint byte = 1 << 5
	CBORBytes  byte = 2 << 5
	CBORText   byte = 3 << 5
	CBORArray  byte = 4 << 5
	CBORMap    byte = 5 << 5
	CBORTag    byte = 6 << 5
	CBORSimple byte = 7 << 5
)

// Simple values and additional information.
const (
	CBORFalse      = CBORSimple | 20
	CBORTrue       = CBORSimple | 21
	CBORNull       = CBORSimple | 22
	CBORUndefined  = CBORSimple | 23
	CBORFloat16    = CBORSimple | 25
	CBORFloat32    = CBORSimple | 26
	CBORFloat64    = CBORSimple | 27
	CBORBreak      = CBORSimple | 31 // ends an indefinite-length item
	CBORIndefinite = 31              // additional information of an indefinite length
	CBORTagEpoch   = 1               // tag of an epoch-based date/time
)

// ParseCBOR parses a request body into the tree ParseJSON produces, for the
// structure shape s (nil to check the syntax only), with the same economies
// and bounds (parse.go). It reports false unless the body is exactly one CBOR
// map with text keys, or when bounds refuse to grow.
func ParseCBOR(body []byte, s *Shape, bounds *Bounds) (Object, bool) {
	if bounds == nil {
		bounds = &Bounds{}
	}
	if s == nil {
		s = &anyObject
	}
	d := cborDecoder{b: body, bounds: bounds}
	v, ok := d.value(s, 0)
	bounds.steps += d.steps
	if !ok || d.i != len(d.b) || bounds.refused {
		return nil, false
	}
	obj, isObj := v.(Object)
	return obj, isObj
}

type cborDecoder struct {
	b      []byte
	i      int
	steps  int // bytes read plus key comparisons, as Bounds.Steps
	bounds *Bounds
}

// head reads an initial byte and its argument. For an indefinite length it
// returns indefinite true.
func (d *cborDecoder) head() (major byte, info byte, arg uint64, ok bool) {
	if d.i >= len(d.b) {
		return 0, 0, 0, false
	}
	c := d.b[d.i]
	d.i++
	d.steps++
	major, info = c&0xe0, c&0x1f
	var n int
	switch {
	case info < 24:
		return major, info, uint64(info), true
	case info == 24:
		n = 1
	case info == 25:
		n = 2
	case info == 26:
		n = 4
	case info == 27:
		n = 8
	case info == CBORIndefinite:
		return major, info, 0, true
	default:
		return 0, 0, 0, false
	}
	if len(d.b)-d.i < n {
		return 0, 0, 0, false
	}
	var buf [8]byte
	copy(buf[8-n:], d.b[d.i:d.i+n])
	d.i += n
	return major, info, binary.BigEndian.Uint64(buf[:]), true
}

// value reads one value for shape s; a nil s reads it for its syntax only.
func (d *cborDecoder) value(s *Shape, depth int) (any, bool) {
	if depth > MaxDepth || d.bounds.refused {
		return nil, false
	}
	start := d.i
	major, info, arg, ok := d.head()
	if !ok {
		return nil, false
	}
	if s != nil {
		d.bounds.take(headerBytes) // a number's text, a string's or a slice's header
	}
	switch major {
	case CBORUint:
		if info == CBORIndefinite || s == nil {
			return nil, info != CBORIndefinite
		}
		return Number(strconv.FormatUint(arg, 10)), true
	case CBORNegint:
		switch {
		case info == CBORIndefinite:
			return nil, false
		case s == nil:
			return nil, true
		case arg == math.MaxUint64:
			return Number("-18446744073709551616"), true
		}
		return Number("-" + strconv.FormatUint(arg+1, 10)), true
	case CBORBytes, CBORText:
		return d.str(major, info, arg, s != nil)
	case CBORArray:
		return d.array(info, arg, s, depth)
	case CBORMap:
		return d.object(info, arg, s, depth)
	case CBORTag:
		return d.tagged(info, arg, s, depth)
	}
	d.i = start
	return d.simple(s != nil)
}

// str reads a definite or indefinite byte or text string; if keep, it
// returns a byte string as []byte and a text string as a string with invalid
// UTF-8 replaced.
func (d *cborDecoder) str(major, info byte, arg uint64, keep bool) (any, bool) {
	var b []byte
	if info != CBORIndefinite {
		if arg > uint64(len(d.b)-d.i) {
			return nil, false
		}
		b = d.b[d.i : d.i+int(arg)]
		d.i += int(arg)
		d.steps += int(arg)
	} else {
		var ok bool
		if b, ok = d.chunks(major, keep); !ok {
			return nil, false
		}
	}
	switch {
	case !keep:
		return nil, true
	case major == CBORText:
		d.bounds.take(len(b))
		return strings.ToValidUTF8(string(b), "\uFFFD"), true
	}
	return b, true // a definite byte string stays in the body, which outlives the request's input
}

// chunks reads the definite chunks of an indefinite string up to its break,
// joined if keep.
func (d *cborDecoder) chunks(major byte, keep bool) ([]byte, bool) {
	out := []byte{}
	for {
		if d.i < len(d.b) && d.b[d.i] == CBORBreak {
			d.i++
			return out, true
		}
		m, in, n, ok := d.head()
		if !ok || m != major || in == CBORIndefinite || n > uint64(len(d.b)-d.i) {
			return nil, false
		}
		if keep {
			d.bounds.take(int(n))
			out = append(out, d.b[d.i:d.i+int(n)]...)
		}
		d.i += int(n)
		d.steps += int(n)
	}
}

// more reports whether an array or map of the given length has another
// element after n, consuming the break of an indefinite one. ended is false
// when the body ends first.
func (d *cborDecoder) more(info byte, arg, n uint64) (more, ended bool) {
	if info == CBORIndefinite {
		if d.i < len(d.b) && d.b[d.i] == CBORBreak {
			d.i++
			return false, true
		}
	} else if n >= arg {
		return false, true
	}
	if d.i >= len(d.b) {
		return false, false // also stops a huge claimed length before it allocates
	}
	return true, true
}

// array reads a list for shape s, as the JSON parser does.
func (d *cborDecoder) array(info byte, arg uint64, s *Shape, depth int) (any, bool) {
	elem, keep := listElem(s)
	list := elements{bounds: d.bounds}
	for n := uint64(0); ; n++ {
		more, ok := d.more(info, arg, n)
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
		v, ok := d.value(elem, depth+1)
		if !ok {
			return nil, false
		}
		if keep && !list.add(v, elem) {
			keep, elem = false, nil
		}
	}
	if s == nil {
		return nil, true
	}
	if l := list.done(); l != nil {
		return l, true
	}
	return []any{}, true
}

// cborKey is the shape a map key is read with: text, kept.
var cborKey = Shape{Kind: String}

// object reads a map for shape s, as the JSON parser does.
func (d *cborDecoder) object(info byte, arg uint64, s *Shape, depth int) (any, bool) {
	var fields chunked[Field]
	for n := uint64(0); ; n++ {
		more, ok := d.more(info, arg, n)
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
		k, ok := d.value(&cborKey, depth+1)
		key, isText := k.(string)
		if !ok || !isText {
			return nil, false
		}
		name, vs, keep := d.member(s, key)
		v, ok := d.value(vs, depth+1)
		if !ok {
			return nil, false
		}
		if keep {
			fields.add(Field{name, v}, d.bounds, fieldBytes)
		}
	}
	_, some := keepsMembers(s)
	switch {
	case s == nil:
		return nil, true
	case !some:
		return Object{}, true
	}
	obj := Object(fields.done(d.bounds, fieldBytes))
	d.bounds.take(4 * len(obj)) // dedupe's order
	obj, d.steps = dedupe(obj, d.steps)
	return obj, true
}

// member decides what becomes of the value of key in a map read for s.
func (d *cborDecoder) member(s *Shape, key string) (name string, vs *Shape, keep bool) {
	all, some := keepsMembers(s)
	switch {
	case !some:
		return "", nil, false
	case all:
		return key, s.Elem, true
	}
	d.steps += len(s.Members)
	for i := range s.Members {
		if m := &s.Members[i]; m.Name == key {
			return m.Name, m.Shape, true
		}
	}
	return "", nil, false
}

// epochShape reads the content of tag 1, which must be a number.
var epochShape = Shape{Kind: Timestamp}

// tagged reads a tagged value. Tag 1 with a number is a timestamp in epoch
// milliseconds; any other tag is ignored and its content read as is.
func (d *cborDecoder) tagged(info byte, tag uint64, s *Shape, depth int) (any, bool) {
	if info == CBORIndefinite {
		return nil, false
	}
	if tag != CBORTagEpoch {
		return d.value(s, depth+1)
	}
	v, ok := d.value(&epochShape, depth+1)
	if !ok {
		return nil, false
	}
	n, isNum := v.(Number)
	if !isNum {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, false
	}
	if s == nil {
		return nil, true
	}
	return EpochMillis(SaturatedMillis(f)), true
}

// simple reads a simple value or a float; a float is kept as a number's text
// if keep.
func (d *cborDecoder) simple(keep bool) (any, bool) {
	c := d.b[d.i]
	d.i++
	d.steps++
	var f float64
	switch c {
	case CBORFalse:
		return false, true
	case CBORTrue:
		return true, true
	case CBORNull, CBORUndefined:
		return nil, true
	case CBORFloat16:
		if len(d.b)-d.i < 2 {
			return nil, false
		}
		f = float16(binary.BigEndian.Uint16(d.b[d.i:]))
		d.i += 2
	case CBORFloat32:
		if len(d.b)-d.i < 4 {
			return nil, false
		}
		f = float64(math.Float32frombits(binary.BigEndian.Uint32(d.b[d.i:])))
		d.i += 4
	case CBORFloat64:
		if len(d.b)-d.i < 8 {
			return nil, false
		}
		f = math.Float64frombits(binary.BigEndian.Uint64(d.b[d.i:]))
		d.i += 8
	default:
		return nil, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false
	}
	if !keep {
		return nil, true
	}
	return Number(strconv.FormatFloat(f, 'g', -1, 64)), true
}

// float16 converts an IEEE 754 half-precision value.
func float16(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 31:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(frac+1024, exp-25)
}

// Encoding.

// AppendCBORHead appends an initial byte with its argument in the shortest form.
func AppendCBORHead(dst []byte, major byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(dst, major|byte(n))
	case n <= math.MaxUint8:
		return append(dst, major|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, major|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, major|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, major|27), n)
}

// AppendCBORText appends a text string.
func AppendCBORText[T Text](dst []byte, s T) []byte {
	return append(AppendCBORHead(dst, CBORText, uint64(len(s))), s...)
}

// AppendCBORBytes appends a byte string: a blob.
func AppendCBORBytes(dst []byte, b []byte) []byte {
	return append(AppendCBORHead(dst, CBORBytes, uint64(len(b))), b...)
}

// AppendCBORInt appends an integer, as an unsigned or a negative one.
func AppendCBORInt(dst []byte, n int64) []byte {
	if n >= 0 {
		return AppendCBORHead(dst, CBORUint, uint64(n))
	}
	return AppendCBORHead(dst, CBORNegint, uint64(-1-n))
}

// AppendCBORBool appends true or false.
func AppendCBORBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, CBORTrue)
	}
	return append(dst, CBORFalse)
}

// AppendCBORMillis appends a timestamp as the Java SDKs expect it: tag 1
// around an integer of epoch milliseconds.
func AppendCBORMillis(dst []byte, ms int64) []byte {
	return AppendCBORInt(AppendCBORHead(dst, CBORTag, CBORTagEpoch), ms)
}

// AppendCBORTime appends t as AppendCBORMillis does; the zero time is 0.
func AppendCBORTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return AppendCBORMillis(dst, 0)
	}
	return AppendCBORMillis(dst, t.UnixMilli())
}
