package server

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"
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

// parseCBOR parses a request body into the tree parseJSON produces. It reports
// false unless the body is exactly one CBOR map with text keys.
func parseCBOR(body []byte) (object, bool) {
	d := cborDecoder{b: body}
	v, ok := d.value(0)
	if !ok || d.i != len(d.b) {
		return nil, false
	}
	obj, isObj := v.(object)
	return obj, isObj
}

type cborDecoder struct {
	b []byte
	i int
}

// head reads an initial byte and its argument. For an indefinite length it
// returns indefinite true.
func (d *cborDecoder) head() (major byte, info byte, arg uint64, ok bool) {
	if d.i >= len(d.b) {
		return 0, 0, 0, false
	}
	c := d.b[d.i]
	d.i++
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

func (d *cborDecoder) value(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	start := d.i
	major, info, arg, ok := d.head()
	if !ok {
		return nil, false
	}
	switch major {
	case cborUint:
		return number(strconv.FormatUint(arg, 10)), info != cborIndefinite
	case cborNegint:
		if info == cborIndefinite {
			return nil, false
		}
		if arg == math.MaxUint64 {
			return number("-18446744073709551616"), true
		}
		return number("-" + strconv.FormatUint(arg+1, 10)), true
	case cborBytes, cborText:
		b, ok := d.str(major, info, arg)
		if !ok {
			return nil, false
		}
		if major == cborText {
			return strings.ToValidUTF8(string(b), "\uFFFD"), true
		}
		return b, true
	case cborArray:
		return d.array(info, arg, depth)
	case cborMap:
		return d.object(info, arg, depth)
	case cborTag:
		return d.tagged(info, arg, depth)
	}
	d.i = start
	return d.simple()
}

// str reads a definite or indefinite byte or text string.
func (d *cborDecoder) str(major, info byte, arg uint64) ([]byte, bool) {
	if info != cborIndefinite {
		if arg > uint64(len(d.b)-d.i) {
			return nil, false
		}
		b := make([]byte, arg)
		d.i += copy(b, d.b[d.i:])
		return b, true
	}
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
		out = append(out, d.b[d.i:d.i+int(n)]...)
		d.i += int(n)
	}
}

func (d *cborDecoder) array(info byte, arg uint64, depth int) (any, bool) {
	list := []any{}
	for n := uint64(0); info == cborIndefinite || n < arg; n++ {
		if info == cborIndefinite && d.i < len(d.b) && d.b[d.i] == cborBreak {
			d.i++
			return list, true
		}
		if d.i >= len(d.b) {
			return nil, false // also stops a huge claimed length before it allocates
		}
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		list = append(list, v)
	}
	return list, true
}

func (d *cborDecoder) object(info byte, arg uint64, depth int) (any, bool) {
	obj := object{}
	for n := uint64(0); info == cborIndefinite || n < arg; n++ {
		if info == cborIndefinite && d.i < len(d.b) && d.b[d.i] == cborBreak {
			d.i++
			return obj, true
		}
		if d.i >= len(d.b) {
			return nil, false
		}
		k, ok := d.value(depth + 1)
		key, isText := k.(string)
		if !ok || !isText {
			return nil, false
		}
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		obj.set(key, v)
	}
	return obj, true
}

// tagged reads a tagged value. Tag 1 with a number is a timestamp in epoch
// milliseconds; any other tag is ignored and its content read as is.
func (d *cborDecoder) tagged(info byte, tag uint64, depth int) (any, bool) {
	if info == cborIndefinite {
		return nil, false
	}
	v, ok := d.value(depth + 1)
	if !ok || tag != cborTagEpoch {
		return v, ok
	}
	n, isNum := v.(number)
	if !isNum {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, false
	}
	return epochMillis(saturatedMillis(f)), true
}

func (d *cborDecoder) simple() (any, bool) {
	c := d.b[d.i]
	d.i++
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

// Encoding.

// cborAppendHead appends an initial byte with its argument in the shortest form.
func cborAppendHead(dst []byte, major byte, n uint64) []byte {
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

func cborAppendText(dst []byte, s string) []byte {
	return append(cborAppendHead(dst, cborText, uint64(len(s))), s...)
}

func cborAppendTextBytes(dst []byte, s []byte) []byte {
	return append(cborAppendHead(dst, cborText, uint64(len(s))), s...)
}

func cborAppendBytes(dst []byte, b []byte) []byte {
	return append(cborAppendHead(dst, cborBytes, uint64(len(b))), b...)
}

func cborAppendInt(dst []byte, n int64) []byte {
	if n >= 0 {
		return cborAppendHead(dst, cborUint, uint64(n))
	}
	return cborAppendHead(dst, cborNegint, uint64(-1-n))
}

func cborAppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, cborTrue)
	}
	return append(dst, cborFalse)
}

// cborAppendMillis appends a timestamp as the Java SDKs expect it: tag 1 around
// an integer of epoch milliseconds.
func cborAppendMillis(dst []byte, ms int64) []byte {
	return cborAppendInt(cborAppendHead(dst, cborTag, cborTagEpoch), ms)
}

func cborAppendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return cborAppendMillis(dst, 0)
	}
	return cborAppendMillis(dst, t.UnixMilli())
}
