package server

import (
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

// The tests of this file hold the general decoding path (parse, type check,
// validation) to linear work and memory, and to the answers the tree of every
// value gives; package wire's tests hold that tree to the reference parsers.

// anyTree is the shape of a body whose every value is kept: the tree the
// decoding path had before the parser kept only what a shape can use.
var anyTree = func() *wire.Shape {
	s := &wire.Shape{Kind: wire.Any}
	s.Elem = s
	return s
}()

// parseReference parses body keeping every value, in JSON or CBOR.
func parseReference(body []byte, cbor bool) (wire.Object, bool) {
	if cbor {
		return wire.ParseCBOR(body, anyTree, nil)
	}
	return wire.ParseJSON(body, anyTree, nil)
}

// parseSteps returns the steps the JSON parser takes on body for the shape of
// op.
func parseSteps(t testing.TB, op string, body []byte) int {
	bounds := parseBounds()
	wire.ParseJSON(body, newOperations(Options{}.withDefaults())[op].shape.wireShape(), &bounds)
	return bounds.Steps()
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
func decodeWith(op *operation, tree wire.Object) (any, error) {
	c := call{tree: tree}
	return c.decode(op)
}

// requireSameDecode checks that a body decodes, through the parser that keeps
// only what the shape needs, to the input or the error the reference tree
// gives, for every operation.
func requireSameDecode(t *testing.T, ops map[string]*operation, body []byte) {
	t.Helper()
	ref, refOK := parseReference(body, false)
	for name, op := range ops {
		bounds := parseBounds()
		tree, ok := wire.ParseJSON(body, op.shape.wireShape(), &bounds)
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

func TestParseCBOR_SameAsReference(t *testing.T) {
	ops := newOperations(Options{}.withDefaults())
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 11))
	accepted := 0
	defer func() { t.Logf("%d of 5000 bodies accepted", accepted) }()
	for range 5000 {
		body := randomCBORBody(rng)
		ref, refOK := parseReference(body, true)
		if refOK {
			accepted++
		}
		for name, op := range ops {
			bounds := parseBounds()
			tree, ok := wire.ParseCBOR(body, op.shape.wireShape(), &bounds)
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

// randomCBORBody returns a map of a few members with random values, one bit
// of it flipped a third of the time.
func randomCBORBody(rng *rand.Rand) []byte {
	n := 1 + rng.IntN(4)
	body := wire.AppendCBORHead(nil, wire.CBORMap, uint64(n))
	for range n {
		body = wire.AppendCBORText(body, []string{"StreamName", "Records", "Tags", "ShardCount", "x"}[rng.IntN(5)])
		body = randomCBOR(rng, body, 1)
	}
	if rng.IntN(3) == 0 {
		i := rng.IntN(len(body))
		body[i] ^= byte(1 << rng.IntN(8))
	}
	return body
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
		b = wire.AppendCBORHead(b, wire.CBORArray, uint64(n))
		for range n {
			b = randomCBOR(rng, b, depth+1)
		}
	default:
		n := rng.IntN(4)
		b = wire.AppendCBORHead(b, wire.CBORMap, uint64(n))
		for range n {
			b = wire.AppendCBORText(b, keys[rng.IntN(len(keys))])
			b = randomCBOR(rng, b, depth+1)
		}
	}
	return b
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
			jsonBounds, cborBounds := parseBounds(), parseBounds()
			var jsonTree, cborTree wire.Object
			var jsonOK, cborOK bool
			n := allocated(func() {
				jsonTree, jsonOK = wire.ParseJSON(body, s.wireShape(), &jsonBounds)
				cborTree, cborOK = wire.ParseCBOR(body, s.wireShape(), &cborBounds)
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
			require.LessOrEqual(t, jsonBounds.Steps(), 16*len(body)+64, "JSON steps for %d bytes: %q", len(body), body)
			require.LessOrEqual(t, cborBounds.Steps(), 16*len(body)+64, "CBOR steps for %d bytes: %q", len(body), body)
		}
	})
}
