package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

// anyTree is the shape of a body whose every value is kept, whatever it
// holds: the reference parsers below keep every value too.
var anyTree = func() *Shape {
	s := &Shape{Kind: Any}
	s.Elem = s
	return s
}()

var errReference = errors.New("reference: malformed body")

// parseJSONReference is the parser the server had before parse.go: a tree of
// every member, built from encoding/json tokens. The tests hold the new parser
// to its answers.
func parseJSONReference(body []byte) (Object, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := readJSON(dec, 0)
	if err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	obj, ok := v.(Object)
	return obj, ok
}

func readJSON(dec *json.Decoder, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, errReference
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return readJSONArray(dec, depth)
		}
		return readJSONObject(dec, depth)
	case json.Number:
		return Number(t), nil
	default: // nil, bool, string
		return t, nil
	}
}

func readJSONArray(dec *json.Decoder, depth int) (any, error) {
	list := []any{}
	for dec.More() {
		v, err := readJSON(dec, depth+1)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	_, err := dec.Token() // ']'
	return list, err
}

func readJSONObject(dec *json.Decoder, depth int) (any, error) {
	obj := Object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		v, err := readJSON(dec, depth+1)
		if err != nil {
			return nil, err
		}
		obj.Set(key, v)
	}
	_, err := dec.Token() // '}'
	return obj, err
}

// normalize maps the empty containers of a tree to nil, where the two
// parsers differ only in allocation.
func normalize(v any) any {
	switch t := v.(type) {
	case Object:
		if len(t) == 0 {
			return Object(nil)
		}
		out := make(Object, len(t))
		for i, f := range t {
			out[i] = Field{f.Key, normalize(f.Val)}
		}
		return out
	case []any:
		if len(t) == 0 {
			return []any(nil)
		}
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

// requireSameParse checks that ParseJSON with anyTree reads body as the
// reference parser does.
func requireSameParse(t *testing.T, body []byte) {
	t.Helper()
	want, wantOK := parseJSONReference(body)
	got, gotOK := ParseJSON(body, anyTree, nil)
	require.Equal(t, wantOK, gotOK, "accepts %q", body)
	if wantOK {
		require.Equal(t, normalize(want), normalize(got), "tree of %q", body)
	}
	_, syntaxOK := ParseJSON(body, nil, nil)
	require.Equal(t, wantOK, syntaxOK, "syntax check of %q", body)
}

func TestParseJSON_SameAsReference(t *testing.T) {
	cases := []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":-0.5e+3,"b":[1,2,{"c":null}],"d":true,"e":false}`,
		`{"a":1,"a":2}`, `{"a":1,"b":2,"a":3}`, `{"k\u00e9":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\udc00\ud83d\ude00"}`,
		`{"a":"\ud83dx"}`, `{"a":"\ud83d\u0041"}`, "{\"a\":\"\xff\xfe\"}", "{\"a\":\"caf\xc3\xa9\"}", `{"a":"\"\\\/\b\f\n\r\t"}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a" 1}`,
		`{"a":1,}`, `{,}`, `[]`, `1`, `"a"`, `{} {}`, `{}x`, `{"a":[1,]}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}", `{"a":"\u12"}`,
		`{"a":"` + "\t" + `"}`, `{1:2}`, ``, ` `, `{"a":[}`, `{"a":{"b":{"c":[[[]]]}}}`,
		`{"` + strings.Repeat("x", 100) + `":[` + strings.Repeat("[", 127) + strings.Repeat("]", 127) + `]}`,
		`{"a":` + strings.Repeat("[", 128) + strings.Repeat("]", 128) + `}`,
		`{"a":` + strings.Repeat("[", 129) + strings.Repeat("]", 129) + `}`,
	}
	for i := range 20 {
		var b strings.Builder
		b.WriteString("{")
		for j := range 10 + i {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"k` + strconv.Itoa((j*7)%(3+i)) + `":` + strconv.Itoa(j))
		}
		b.WriteString("}")
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		requireSameParse(t, []byte(c))
	}
}

// TestParseJSON_RandomSameAsReference mutates valid bodies at random and
// holds the parser to the reference on each.
func TestParseJSON_RandomSameAsReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 9))
	seeds := []string{
		`{"StreamName":"s","Records":[{"Data":"AAEC","PartitionKey":"k\u00e9"},{"Data":"","PartitionKey":"x"}]}`,
		`{"a":[1,-2.5e3,true,false,null,"\ud83d\ude00"],"b":{"a":1,"a":{"c":[]}}}`,
	}
	alphabet := []byte(`{}[]":,\u0123456789.eE+-tfnrl aA` + "\xff\xc3\x00\t\n")
	for range 20000 {
		body := []byte(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(body))
			switch rng.IntN(3) {
			case 0:
				body[i] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				body = append(body[:i], body[i+1:]...)
			default:
				body = append(body[:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, body[i:]...)...)
			}
			if len(body) == 0 {
				break
			}
		}
		requireSameParse(t, body)
	}
}

// The CBOR parser before parse.go, the reference for the CBOR tests.

// parseCBORReference parses a request body into the tree ParseJSON produces. It reports
// false unless the body is exactly one CBOR map with text keys.
func parseCBORReference(body []byte) (Object, bool) {
	d := refCBORDecoder{b: body}
	v, ok := d.value(0)
	if !ok || d.i != len(d.b) {
		return nil, false
	}
	obj, isObj := v.(Object)
	return obj, isObj
}

type refCBORDecoder struct {
	b []byte
	i int
}

// head reads an initial byte and its argument. For an indefinite length it
// returns indefinite true.
func (d *refCBORDecoder) head() (major byte, info byte, arg uint64, ok bool) {
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

func (d *refCBORDecoder) value(depth int) (any, bool) {
	if depth > MaxDepth {
		return nil, false
	}
	start := d.i
	major, info, arg, ok := d.head()
	if !ok {
		return nil, false
	}
	switch major {
	case CBORUint:
		return Number(strconv.FormatUint(arg, 10)), info != CBORIndefinite
	case CBORNegint:
		if info == CBORIndefinite {
			return nil, false
		}
		if arg == math.MaxUint64 {
			return Number("-18446744073709551616"), true
		}
		return Number("-" + strconv.FormatUint(arg+1, 10)), true
	case CBORBytes, CBORText:
		b, ok := d.str(major, info, arg)
		if !ok {
			return nil, false
		}
		if major == CBORText {
			return strings.ToValidUTF8(string(b), "\uFFFD"), true
		}
		return b, true
	case CBORArray:
		return d.array(info, arg, depth)
	case CBORMap:
		return d.Object(info, arg, depth)
	case CBORTag:
		return d.tagged(info, arg, depth)
	}
	d.i = start
	return d.simple()
}

// str reads a definite or indefinite byte or text string.
func (d *refCBORDecoder) str(major, info byte, arg uint64) ([]byte, bool) {
	if info != CBORIndefinite {
		if arg > uint64(len(d.b)-d.i) {
			return nil, false
		}
		b := make([]byte, arg)
		d.i += copy(b, d.b[d.i:])
		return b, true
	}
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
		out = append(out, d.b[d.i:d.i+int(n)]...)
		d.i += int(n)
	}
}

func (d *refCBORDecoder) array(info byte, arg uint64, depth int) (any, bool) {
	list := []any{}
	for n := uint64(0); info == CBORIndefinite || n < arg; n++ {
		if info == CBORIndefinite && d.i < len(d.b) && d.b[d.i] == CBORBreak {
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

func (d *refCBORDecoder) Object(info byte, arg uint64, depth int) (any, bool) {
	obj := Object{}
	for n := uint64(0); info == CBORIndefinite || n < arg; n++ {
		if info == CBORIndefinite && d.i < len(d.b) && d.b[d.i] == CBORBreak {
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
		obj.Set(key, v)
	}
	return obj, true
}

// tagged reads a tagged value. Tag 1 with a number is a timestamp in epoch
// milliseconds; any other tag is ignored and its content read as is.
func (d *refCBORDecoder) tagged(info byte, tag uint64, depth int) (any, bool) {
	if info == CBORIndefinite {
		return nil, false
	}
	v, ok := d.value(depth + 1)
	if !ok || tag != CBORTagEpoch {
		return v, ok
	}
	n, isNum := v.(Number)
	if !isNum {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, false
	}
	return EpochMillis(math.Round(f)), true
}

func (d *refCBORDecoder) simple() (any, bool) {
	c := d.b[d.i]
	d.i++
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
	return Number(strconv.FormatFloat(f, 'g', -1, 64)), true
}

// randomCBOR appends a random CBOR value of the kinds request bodies hold.
func randomCBOR(rng *rand.Rand, b []byte, depth int) []byte {
	keys := []string{"StreamName", "Records", "Data", "PartitionKey", "Tags", "a", "b", "Timestamp", "ShardCount"}
	switch k := rng.IntN(12); {
	case depth > 3 || k < 3:
		scalars := []string{"\x00", "\x17", "\x38\x05", "\xf4", "\xf5", "\xf6", "\x40", "\x60", "\x61a",
			"\xc1\x01", "\xf9\x3e\x00", "\xc0\x61a", "\x5f\x41a\xff"}
		return append(b, scalars[rng.IntN(len(scalars))]...)
	case k < 5:
		b = AppendCBORText(b, keys[rng.IntN(len(keys))])
	case k < 6:
		b = AppendCBORBytes(b, []byte{1, 2, 3})
	case k < 8:
		n := rng.IntN(4)
		b = AppendCBORHead(b, CBORArray, uint64(n))
		for range n {
			b = randomCBOR(rng, b, depth+1)
		}
	default:
		n := rng.IntN(4)
		b = AppendCBORHead(b, CBORMap, uint64(n))
		for range n {
			b = AppendCBORText(b, keys[rng.IntN(len(keys))])
			b = randomCBOR(rng, b, depth+1)
		}
	}
	return b
}

// TestParseCBOR_SameAsReference holds the CBOR parser, keeping every value,
// to the reference on random bodies of the kinds requests hold.
func TestParseCBOR_SameAsReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 11))
	accepted := 0
	defer func() { t.Logf("%d of 5000 bodies accepted", accepted) }()
	for range 5000 {
		body := randomCBORBody(rng)
		ref, refOK := parseCBORReference(body)
		got, ok := ParseCBOR(body, anyTree, nil)
		require.Equal(t, refOK, ok, "accepts %x", body)
		_, syntaxOK := ParseCBOR(body, nil, nil)
		require.Equal(t, refOK, syntaxOK, "syntax check of %x", body)
		if ok {
			accepted++
			require.Equal(t, normalize(ref), normalize(got), "tree of %x", body)
		}
	}
}

// randomCBORBody returns a map of a few members with random values, one bit
// of it flipped a third of the time.
func randomCBORBody(rng *rand.Rand) []byte {
	n := 1 + rng.IntN(4)
	body := AppendCBORHead(nil, CBORMap, uint64(n))
	for range n {
		body = AppendCBORText(body, []string{"StreamName", "Records", "Tags", "ShardCount", "x"}[rng.IntN(5)])
		body = randomCBOR(rng, body, 1)
	}
	if rng.IntN(3) == 0 {
		i := rng.IntN(len(body))
		body[i] ^= byte(1 << rng.IntN(8))
	}
	return body
}
