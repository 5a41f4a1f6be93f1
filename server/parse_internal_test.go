package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/kinesis"
)

// parseJSONReference is the parser the server had before parse.go: a tree of
// every member, built from encoding/json tokens. The tests hold the new parser
// to its answers.
func parseJSONReference(body []byte) (object, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := readJSON(dec, 0)
	if err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	obj, ok := v.(object)
	return obj, ok
}

func readJSON(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errSyntax
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
		return number(t), nil
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
	obj := object{}
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
		obj.set(key, v)
	}
	_, err := dec.Token() // '}'
	return obj, err
}

// normalize maps the empty containers of a tree to nil, where the two
// parsers differ only in allocation.
func normalize(v any) any {
	switch t := v.(type) {
	case object:
		if len(t) == 0 {
			return object(nil)
		}
		out := make(object, len(t))
		for i, f := range t {
			out[i] = field{f.key, normalize(f.val)}
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

// requireSameParse checks that parseJSON with anyTree reads body as the
// reference parser does.
func requireSameParse(t *testing.T, body []byte) {
	t.Helper()
	want, wantOK := parseJSONReference(body)
	got, gotOK := parseJSON(body, anyTree)
	require.Equal(t, wantOK, gotOK, "accepts %q", body)
	if wantOK {
		require.Equal(t, normalize(want), normalize(got), "tree of %q", body)
	}
	_, syntaxOK := parseJSON(body, nil)
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

// parseSteps returns the steps the JSON parser takes on body for the shape of
// op.
func parseSteps(t testing.TB, op string, body []byte) int {
	p := parser{b: body, budget: &treeBudget{}}
	p.parse(newOperations(Options{}.withDefaults())[op].shape)
	return p.steps
}

// TestParseJSON_Linear checks finding 4: member names were checked against
// every earlier name, so 320,000 keys took 97 s. The work on n and 2n keys
// must grow about twice, not four times, for every kind of object.
func TestParseJSON_Linear(t *testing.T) {
	keys := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + prefix + strconv.Itoa(i) + `":"v"`)
		}
		return b.String()
	}
	cases := []struct {
		name, op string
		body     func(n int) string
	}{
		{"unknown members", "PutRecords", func(n int) string { return "{" + keys("k", n) + "}" }},
		{"map members", "AddTagsToStream", func(n int) string { return `{"StreamName":"s","Tags":{` + keys("k", n) + "}}" }},
		{"nested unknown", "PutRecords", func(n int) string { return `{"Records":[{"x":{` + keys("k", n) + "}}]}" }},
		{"repeated member", "PutRecords", func(n int) string {
			return "{" + strings.TrimSuffix(strings.Repeat(`"StreamName":"s",`, n), ",") + "}"
		}},
	}
	const n = 160_000
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			small, large := []byte(tc.body(n)), []byte(tc.body(2*n))
			s1, s2 := parseSteps(t, tc.op, small), parseSteps(t, tc.op, large)
			ratio := float64(s2) / float64(s1)
			require.Less(t, ratio, 2.5, "steps for %d keys = %d, for %d keys = %d", n, s1, 2*n, s2)
			require.Less(t, s2, 8*len(large), "steps = %d for %d bytes", s2, len(large))
		})
	}
}

// decodeWith decodes body for op from the tree tree, as the server does after
// parsing.
func decodeWith(op *operation, tree object) (any, error) {
	c := call{tree: tree}
	return c.decode(op)
}

// requireSameDecode checks that a body decodes, through the parser that keeps
// only what the shape needs, to the input or the error the reference tree
// gives, for every operation.
func requireSameDecode(t *testing.T, ops map[string]*operation, body []byte) {
	t.Helper()
	ref, refOK := parseJSONReference(body)
	for name, op := range ops {
		tree, ok := parseJSON(body, op.shape)
		require.Equal(t, refOK, ok, "%s accepts %q", name, body)
		if !ok {
			continue
		}
		want, wantErr := decodeWith(op, ref)
		got, gotErr := decodeWith(op, tree)
		require.Equal(t, wantErr, gotErr, "%s: error for %q", name, body)
		require.Equal(t, want, got, "%s: input for %q", name, body)
	}
}

func TestDecode_SameAsReference(t *testing.T) {
	ops := newOperations(Options{}.withDefaults())
	cases := []string{
		`{"Records":[0,0,0]}`, `{"Records":[{"Data":1},0]}`, `{"Records":[null,{"Data":"AA=="},[1]]}`,
		`{"Records":[{"Data":"AAAA","PartitionKey":"k"},{"Data":"AAAA","PartitionKey":[1,2]}],"StreamName":{"a":1}}`,
		`{"Records":{"a":[1]},"StreamName":"s"}`, `{"Records":"x","StreamName":[]}`, `{"Records":[],"Records":[{}]}`,
		`{"StreamName":"s","Records":[{},{},null]}`, `{"StreamName":"s","Tags":{"a":"b","a":"c","b":null,"c":1}}`,
		`{"StreamName":"s","Tags":{"a":[1],"b":{"c":1}}}`, `{"StreamName":"s","Tags":[]}`, `{"StreamName":"s","TagKeys":["a",1,["b"]]}`,
		`{"StreamName":"s","ShardLevelMetrics":["ALL",{"x":1}]}`, `{"StreamName":"s","ShardCount":[1],"ScalingType":"UNIFORM_SCALING"}`,
		`{"StreamName":"s","ShardId":"shardId-0","ShardIteratorType":"AT_TIMESTAMP","Timestamp":{"a":1}}`,
		`{"ShardFilter":{"Type":"AT_LATEST","Timestamp":[1,2]},"StreamName":"s","MaxResults":-1.5}`,
		`{"ShardFilter":[{"Type":"AT_LATEST"}],"StreamName":"s"}`, `{"StreamName":"s","Unknown":[[[[{"a":1}]]]]}`,
		`{"StreamName":"s","Records":[{"Data":"AAAA","PartitionKey":"k","Extra":{"Data":5}}]}`,
		`{"StreamName":"s","Records":[` + strings.Repeat("null,", 15) + `{"Data":5}]}`,
		`{"StreamName":"s","Records":[` + strings.Repeat("{},null,", 8) + `{"Data":"AAAA"},{"Data":"AAAA","PartitionKey":"k"}]}`,
		`{"StreamName":"s","Records":[` + strings.Repeat("null,", 600) + `{"PartitionKey":[1]}]}`,
		`{"StreamName":"s","Records":[` + strings.Repeat("{},", 700) + `{}],"StreamARN":"x"}`,
		`{"Records":[` + strings.Repeat(`{"Data":"AAAA","PartitionKey":"k"},`, 520) + `null]}`,
		`{"StreamName":"s","TagKeys":[` + strings.Repeat("null,", 60) + `"a"]}`,
	}
	for _, c := range cases {
		requireSameDecode(t, ops, []byte(c))
	}
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 10))
	alphabet := []byte(`{}[]":,0123456789.tfnul aAkD=` + "\xff")
	for range 3000 {
		body := []byte(cases[rng.IntN(len(cases))])
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
		requireSameDecode(t, ops, body)
	}
}

// The CBOR parser before parse.go, the reference for the CBOR tests.

// parseCBOR parses a request body into the tree parseJSON produces. It reports
// false unless the body is exactly one CBOR map with text keys.
func parseCBORReference(body []byte) (object, bool) {
	d := refCBORDecoder{b: body}
	v, ok := d.value(0)
	if !ok || d.i != len(d.b) {
		return nil, false
	}
	obj, isObj := v.(object)
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

func (d *refCBORDecoder) value(depth int) (any, bool) {
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
func (d *refCBORDecoder) str(major, info byte, arg uint64) ([]byte, bool) {
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

func (d *refCBORDecoder) array(info byte, arg uint64, depth int) (any, bool) {
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

func (d *refCBORDecoder) object(info byte, arg uint64, depth int) (any, bool) {
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
func (d *refCBORDecoder) tagged(info byte, tag uint64, depth int) (any, bool) {
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
	return epochMillis(math.Round(f)), true
}

func (d *refCBORDecoder) simple() (any, bool) {
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

// randomCBOR appends a random CBOR value of the kinds request bodies hold.
func randomCBOR(rng *rand.Rand, b []byte, depth int) []byte {
	keys := []string{"StreamName", "Records", "Data", "PartitionKey", "Tags", "a", "b", "Timestamp", "ShardCount"}
	switch k := rng.IntN(12); {
	case depth > 3 || k < 3:
		scalars := []string{"\x00", "\x17", "\x38\x05", "\xf4", "\xf5", "\xf6", "\x40", "\x60", "\x61a",
			"\xc1\x01", "\xf9\x3e\x00", "\xc0\x61a", "\x5f\x41a\xff"}
		return append(b, scalars[rng.IntN(len(scalars))]...)
	case k < 5:
		b = wire.AppendCBORText(b, keys[rng.IntN(len(keys))])
	case k < 6:
		b = wire.AppendCBORBytes(b, []byte{1, 2, 3})
	case k < 8:
		n := rng.IntN(4)
		b = wire.AppendCBORHead(b, cborArray, uint64(n))
		for range n {
			b = randomCBOR(rng, b, depth+1)
		}
	default:
		n := rng.IntN(4)
		b = wire.AppendCBORHead(b, cborMap, uint64(n))
		for range n {
			b = wire.AppendCBORText(b, keys[rng.IntN(len(keys))])
			b = randomCBOR(rng, b, depth+1)
		}
	}
	return b
}

func TestParseCBOR_SameAsReference(t *testing.T) {
	ops := newOperations(Options{}.withDefaults())
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 11))
	accepted := 0
	defer func() { t.Logf("%d of 5000 bodies accepted", accepted) }()
	for range 5000 {
		n := 1 + rng.IntN(4)
		body := wire.AppendCBORHead(nil, cborMap, uint64(n))
		for range n {
			body = wire.AppendCBORText(body, []string{"StreamName", "Records", "Tags", "ShardCount", "x"}[rng.IntN(5)])
			body = randomCBOR(rng, body, 1)
		}
		if rng.IntN(3) == 0 {
			i := rng.IntN(len(body))
			body[i] ^= byte(1 << rng.IntN(8))
		}
		ref, refOK := parseCBORReference(body)
		got, ok := parseCBOR(body, anyTree)
		require.Equal(t, refOK, ok, "accepts %x", body)
		if ok {
			accepted++
			require.Equal(t, normalize(ref), normalize(got), "tree of %x", body)
		}
		for name, op := range ops {
			tree, ok := parseCBOR(body, op.shape)
			require.Equal(t, refOK, ok, "%s accepts %x", name, body)
			if !ok {
				continue
			}
			want, wantErr := decodeWith(op, ref)
			got, gotErr := decodeWith(op, tree)
			require.Equal(t, wantErr, gotErr, "%s: error for %x", name, body)
			require.Equal(t, want, got, "%s: input for %x", name, body)
		}
	}
}

// maxAllocPerBodyByte bounds what decoding a body may allocate, per body byte,
// through the general path: parse, type check, validation and the message.
// BenchmarkDecode_Worst finds the worst bodies at 17 bytes per byte (a list of
// millions of empty strings, a map of millions of members); a normal
// PutRecords body takes 2, and the old decoder took up to 266.
const maxAllocPerBodyByte = 32

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecode_WorstMemoryPerByte checks finding 2: a 7 MB body of zeros cost
// 320 MB. Every hostile body of BenchmarkDecode_Worst, at 1 MB, must decode
// within maxAllocPerBodyByte per byte.
func TestDecode_WorstMemoryPerByte(t *testing.T) {
	for _, tc := range worstCases(1_000_000) {
		t.Run(tc.name, func(t *testing.T) {
			DecodeRequest(tc.op, tc.contentType, tc.body, Options{}) // warm the operation table
			n := allocated(func() { DecodeRequest(tc.op, tc.contentType, tc.body, Options{}) })
			perByte := float64(n) / float64(len(tc.body))
			t.Logf("%d bytes allocated for %d, %.1f per byte", n, len(tc.body), perByte)
			require.LessOrEqual(t, perByte, float64(maxAllocPerBodyByte),
				"decoding %d bytes allocated %d", len(tc.body), n)
		})
	}
}

// TestParse_TreeCharged checks that a tree that outgrows its decoding charge
// charges the in-flight budget as it grows: a hostile body that needs more
// than the server has is refused with 503, and a smaller one of the same kind
// gets its ValidationException.
func TestParse_TreeCharged(t *testing.T) {
	opts := Options{MaxRequestBytes: 1 << 20, MaxInFlightBytes: 1, InFlightWait: time.Millisecond} // the least: one request
	s := New(newNopBackend(1), opts)
	require.Less(t, s.opts.MaxInFlightBytes, int64(8<<20), "MaxInFlightBytes")
	body := func(size int) []byte {
		return repeatTo(size, `{"StreamName":"s","TagKeys":[`, ",", "]}", same(`""`))
	}
	for _, tc := range []struct {
		size    int
		status  int
		errType string
	}{
		{1 << 20, http.StatusServiceUnavailable, kinesis.TypeServiceUnavailable},
		{64 << 10, http.StatusBadRequest, kinesis.TypeValidation},
	} {
		r, _ := benchRequest("RemoveTagsFromStream", body(tc.size))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		require.Equal(t, tc.status, w.Code, "%d bytes: %s", tc.size, w.Body.String())
		require.Equal(t, []string{tc.errType}, w.Header()["x-amzn-ErrorType"])
		require.Zero(t, s.inFlight.inUse(), "in-flight bytes after the request")
	}
}

// FuzzParse_Bounded holds the request parsers to linear work and memory on
// any body, for every operation's shape, in JSON and CBOR: steps (bytes read
// plus key comparisons) and the bytes parse, type check and validation
// allocate stay under a constant times the body's size.
//
//	go test -fuzz=FuzzParse_Bounded ./server
func FuzzParse_Bounded(f *testing.F) {
	f.Add([]byte(`{"StreamName":"s","Records":[{"Data":"AAEC","PartitionKey":"k"},null,{}]}`))
	f.Add([]byte(`{"StreamName":"s","Tags":{"a":"b","a":"c"},"TagKeys":["a","",null]}`))
	f.Add([]byte("\xbf\x67Records\x9f\xf6\xa0\x00\xff\x64Tags\xa1\x61a\x61b\xff"))
	f.Add([]byte(`{"a":[[[[{"b":[1,2,3]}]]]],"a":"\ud83d\ude00"}`))
	ops := newOperations(Options{}.withDefaults())
	shapes := []*shape{nil}
	for _, op := range ops {
		shapes = append(shapes, op.shape)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range shapes {
			p := parser{b: body, budget: &treeBudget{}}
			d := cborDecoder{b: body, budget: &treeBudget{}}
			var jsonTree, cborTree object
			var jsonOK, cborOK bool
			n := allocated(func() {
				jsonTree, jsonOK = p.parse(s)
				if s == nil {
					s = &anyObject
				}
				v, ok := d.value(s, 0)
				cborTree, cborOK = v.(object)
				cborOK = cborOK && ok && d.i == len(d.b)
				for _, op := range ops {
					if op.shape == s && jsonOK {
						decodeWith(op, jsonTree)
					}
					if op.shape == s && cborOK {
						decodeWith(op, cborTree)
					}
				}
			})
			limit := uint64(maxAllocPerBodyByte*len(body) + 600<<10) // 600 KiB: a message's 1000 rendered elements
			require.LessOrEqual(t, n, limit, "allocated %d bytes for %d: %q", n, len(body), body)
			require.LessOrEqual(t, p.steps, 16*len(body)+64, "JSON steps for %d bytes: %q", len(body), body)
			require.LessOrEqual(t, d.steps, 16*len(body)+64, "CBOR steps for %d bytes: %q", len(body), body)
		}
	})
}
