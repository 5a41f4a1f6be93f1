package server

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// CBOR (RFC 8949) as the AWS Java SDKs speak it for Kinesis, content type
// application/x-amz-cbor-1.1 (KINESIS-API.md §1.4): the same members as JSON in a
// top-level map, blobs as byte strings, and timestamps as tag 1 around an integer
// of epoch milliseconds (not seconds, whatever RFC 8949 says). Requests decode
// into the same tree as JSON, so they get the same type checks and validation;
// responses, errors included, are CBOR maps with the JSON member names.

// Major types, already shifted into the high three bits of the initial byte.
const (
	cborUint   byte = 0 << 5
	cborNegint byte = 1 << 5
	cborBytes  byte = 2 << 5
	cborText   byte = 3 << 5
	cborArray  byte = 4 << 5
	cborMap    byte = 5 << 5
	cborTag    byte = 6 << 5
	cborSimple byte = 7 << 5
)

const (
	cborFalse      = cborSimple | 20
	cborTrue       = cborSimple | 21
	cborNull       = cborSimple | 22
	cborUndefined  = cborSimple | 23
	cborFloat16    = cborSimple | 25
	cborFloat32    = cborSimple | 26
	cborFloat64    = cborSimple | 27
	cborBreak      = cborSimple | 31
	cborIndefinite = 31 // additional information of an indefinite length
	cborTagEpoch   = 1  // tag of an epoch-based date/time
)

// parseCBOR parses a request body into the tree parseJSON produces, for the
// structure shape s (nil to check the syntax only), with the same economies
// (parse.go). It reports false unless the body is exactly one CBOR map with
// text keys.
func parseCBOR(body []byte, s *shape) (object, bool) {
	return parseCBORWithin(body, s, &treeBudget{})
}

// parseCBORWithin is parseCBOR counting the tree's bytes in budget.
func parseCBORWithin(body []byte, s *shape, budget *treeBudget) (object, bool) {
	if s == nil {
		s = &anyObject
	}
	d := cborDecoder{b: body, budget: budget}
	v, ok := d.value(s, 0)
	if !ok || d.i != len(d.b) || budget.refused {
		return nil, false
	}
	obj, isObj := v.(object)
	return obj, isObj
}

type cborDecoder struct {
	b      []byte
	i      int
	steps  int // bytes read plus key comparisons, as parser.steps
	budget *treeBudget
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
	case info == cborIndefinite:
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
func (d *cborDecoder) value(s *shape, depth int) (any, bool) {
	if depth > maxDepth || d.budget.refused {
		return nil, false
	}
	start := d.i
	major, info, arg, ok := d.head()
	if !ok {
		return nil, false
	}
	if s != nil {
		d.budget.take(headerBytes) // a number's text, a string's or a slice's header
	}
	switch major {
	case cborUint:
		if info == cborIndefinite || s == nil {
			return nil, info != cborIndefinite
		}
		return number(strconv.FormatUint(arg, 10)), true
	case cborNegint:
		switch {
		case info == cborIndefinite:
			return nil, false
		case s == nil:
			return nil, true
		case arg == math.MaxUint64:
			return number("-18446744073709551616"), true
		}
		return number("-" + strconv.FormatUint(arg+1, 10)), true
	case cborBytes, cborText:
		return d.str(major, info, arg, s != nil)
	case cborArray:
		return d.array(info, arg, s, depth)
	case cborMap:
		return d.object(info, arg, s, depth)
	case cborTag:
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
	if info != cborIndefinite {
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
	case major == cborText:
		d.budget.take(len(b))
		return strings.ToValidUTF8(string(b), "\uFFFD"), true
	}
	return b, true // a definite byte string stays in the body, which outlives the request's input
}

// chunks reads the definite chunks of an indefinite string up to its break,
// joined if keep.
func (d *cborDecoder) chunks(major byte, keep bool) ([]byte, bool) {
	out := []byte{}
	for {
		if d.i < len(d.b) && d.b[d.i] == cborBreak {
			d.i++
			return out, true
		}
		m, in, n, ok := d.head()
		if !ok || m != major || in == cborIndefinite || n > uint64(len(d.b)-d.i) {
			return nil, false
		}
		if keep {
			d.budget.take(int(n))
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
	if info == cborIndefinite {
		if d.i < len(d.b) && d.b[d.i] == cborBreak {
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

// array reads a list for shape s, as parser.array does.
func (d *cborDecoder) array(info byte, arg uint64, s *shape, depth int) (any, bool) {
	elem, keep := listElem(s)
	list := elements{budget: d.budget}
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
var cborKey = shape{kind: kindString}

// object reads a map for shape s, as parser.object does.
func (d *cborDecoder) object(info byte, arg uint64, s *shape, depth int) (any, bool) {
	var fields chunked[field]
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
			fields.add(field{name, v}, d.budget, fieldBytes)
		}
	}
	_, some := keepsMembers(s)
	switch {
	case s == nil:
		return nil, true
	case !some:
		return object{}, true
	}
	obj := object(fields.done(d.budget, fieldBytes))
	d.budget.take(4 * len(obj)) // dedupe's order
	obj, d.steps = dedupe(obj, d.steps)
	return obj, true
}

// member decides what becomes of the value of key in a map read for s.
func (d *cborDecoder) member(s *shape, key string) (name string, vs *shape, keep bool) {
	all, some := keepsMembers(s)
	switch {
	case !some:
		return "", nil, false
	case all:
		return key, s.elem, true
	}
	d.steps += len(s.members)
	for i := range s.members {
		if m := &s.members[i]; m.name == key {
			return m.name, m.shape, true
		}
	}
	return "", nil, false
}

// epochShape reads the content of tag 1, which must be a number.
var epochShape = shape{kind: kindTimestamp}

// tagged reads a tagged value. Tag 1 with a number is a timestamp in epoch
// milliseconds; any other tag is ignored and its content read as is.
func (d *cborDecoder) tagged(info byte, tag uint64, s *shape, depth int) (any, bool) {
	if info == cborIndefinite {
		return nil, false
	}
	if tag != cborTagEpoch {
		return d.value(s, depth+1)
	}
	v, ok := d.value(&epochShape, depth+1)
	if !ok {
		return nil, false
	}
	n, isNum := v.(number)
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
	return epochMillis(saturatedMillis(f)), true
}

// simple reads a simple value or a float; a float is kept as a number's text
// if keep.
func (d *cborDecoder) simple(keep bool) (any, bool) {
	c := d.b[d.i]
	d.i++
	d.steps++
	var f float64
	switch c {
	case cborFalse:
		return false, true
	case cborTrue:
		return true, true
	case cborNull, cborUndefined:
		return nil, true
	case cborFloat16:
		if len(d.b)-d.i < 2 {
			return nil, false
		}
		f = float16(binary.BigEndian.Uint16(d.b[d.i:]))
		d.i += 2
	case cborFloat32:
		if len(d.b)-d.i < 4 {
			return nil, false
		}
		f = float64(math.Float32frombits(binary.BigEndian.Uint32(d.b[d.i:])))
		d.i += 4
	case cborFloat64:
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
	return number(strconv.FormatFloat(f, 'g', -1, 64)), true
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
