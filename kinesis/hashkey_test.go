package kinesis_test

import (
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
)

func mustHashKey(t testing.TB, s string) kinesis.HashKey {
	t.Helper()
	h, err := kinesis.ParseHashKey(s)
	if err != nil {
		t.Fatalf("ParseHashKey(%s): %v", s, err)
	}
	return h
}

func TestHashPartitionKey_MD5Examples(t *testing.T) {
	// KINESIS-API.md §3.6, a stream of three shards.
	ranges := kinesis.UniformHashKeyRanges(3)
	tests := []struct {
		key   string
		want  string // the hash key in decimal; "" if not recorded
		shard int
	}{
		{"a", "16955237001963240173058271559858726497", 0},
		{"b", "195289424170611159128911017612795795343", 1},
		{"e", "299611584147932843547128611849858313266", 2},
		{"f", "", 1},
	}
	for _, tt := range tests {
		h := kinesis.HashPartitionKey([]byte(tt.key))
		if tt.want != "" && h.String() != tt.want {
			t.Errorf("HashPartitionKey(%q) = %s, want %s", tt.key, h, tt.want)
		}
		if !ranges[tt.shard].Contains(h) {
			t.Errorf("HashPartitionKey(%q) = %s, not in shard %d's range %v", tt.key, h, tt.shard, ranges[tt.shard])
		}
	}
	if got := kinesis.HashPartitionKey([]byte("a")); got != (kinesis.HashKey{Hi: 0x0cc175b9c0f1b6a8, Lo: 0x31c399e269772661}) {
		t.Errorf("HashPartitionKey(a) = %#x %#x, want md5 0cc175b9c0f1b6a831c399e269772661 big-endian", got.Hi, got.Lo)
	}
}

func TestUniformHashKeyRanges_Literals(t *testing.T) {
	const max = "340282366920938463463374607431768211455"
	tests := []struct {
		n    int
		want [][2]string
	}{
		{1, [][2]string{{"0", max}}},
		{2, [][2]string{
			{"0", "170141183460469231731687303715884105727"},
			{"170141183460469231731687303715884105728", max},
		}},
		{3, [][2]string{ // kinesalite's AWS-verified test
			{"0", "113427455640312821154458202477256070484"},
			{"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
			{"226854911280625642308916404954512140970", max},
		}},
		{4, [][2]string{
			{"0", "85070591730234615865843651857942052863"},
			{"85070591730234615865843651857942052864", "170141183460469231731687303715884105727"},
			{"170141183460469231731687303715884105728", "255211775190703847597530955573826158591"},
			{"255211775190703847597530955573826158592", max},
		}},
	}
	for _, tt := range tests {
		got := kinesis.UniformHashKeyRanges(tt.n)
		if len(got) != len(tt.want) {
			t.Fatalf("UniformHashKeyRanges(%d) has %d ranges, want %d", tt.n, len(got), len(tt.want))
		}
		for i, r := range got {
			if r.Start.String() != tt.want[i][0] || r.End.String() != tt.want[i][1] {
				t.Errorf("UniformHashKeyRanges(%d)[%d] = [%s, %s], want [%s, %s]", tt.n, i, r.Start, r.End, tt.want[i][0], tt.want[i][1])
			}
		}
	}
}

func TestUniformHashKeyRanges_CoverTheSpace(t *testing.T) {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	counts := []int{1, 2, 5, 7, 10, 100, 1000, 10000}
	for _, n := range counts {
		ranges := kinesis.UniformHashKeyRanges(n)
		step := new(big.Int).Div(space, big.NewInt(int64(n)))
		next := kinesis.HashKey{}
		for i, r := range ranges {
			if r.Start != next {
				t.Fatalf("n=%d: range %d starts at %s, want %s", n, i, r.Start, next)
			}
			wantStart := new(big.Int).Mul(step, big.NewInt(int64(i)))
			if r.Start.String() != wantStart.String() {
				t.Fatalf("n=%d: range %d starts at %s, want %s", n, i, r.Start, wantStart)
			}
			if r.End.Compare(r.Start) < 0 {
				t.Fatalf("n=%d: range %d = [%s, %s] is empty", n, i, r.Start, r.End)
			}
			next = r.End.Next()
		}
		if last := ranges[n-1].End; last != kinesis.MaxHashKey {
			t.Errorf("n=%d: last range ends at %s, want 2^128-1", n, last)
		}
	}
}

func TestParseHashKey(t *testing.T) {
	tests := []struct {
		s    string
		want kinesis.HashKey
		ok   bool
	}{
		{"0", kinesis.HashKey{}, true},
		{"1", kinesis.HashKey{Lo: 1}, true},
		{"18446744073709551616", kinesis.HashKey{Hi: 1}, true},
		{"340282366920938463463374607431768211455", kinesis.MaxHashKey, true},
		{"00000000000000000000000000000000000000000000042", kinesis.HashKey{Lo: 42}, true},
		{"340282366920938463463374607431768211456", kinesis.HashKey{}, false}, // 2^128
		{"99999999999999999999999999999999999999999999999999999999999999", kinesis.HashKey{}, false},
		{"", kinesis.HashKey{}, false},
		{"-1", kinesis.HashKey{}, false},
		{"+1", kinesis.HashKey{}, false},
		{" 1", kinesis.HashKey{}, false},
		{"1.0", kinesis.HashKey{}, false},
		{"0x10", kinesis.HashKey{}, false},
	}
	for _, tt := range tests {
		got, err := kinesis.ParseHashKey(tt.s)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseHashKey(%q) = %v, %v, want %v, ok=%v", tt.s, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, kinesis.ErrInvalidHashKey) {
			t.Errorf("ParseHashKey(%q) error %v does not match ErrInvalidHashKey", tt.s, err)
		}
	}
}

func TestHashKey_String_RoundTrip_Random(t *testing.T) {
	r := testutil.Rand(t)
	for range 5000 {
		h := kinesis.HashKey{Hi: r.Uint64() >> r.UintN(65), Lo: r.Uint64()}
		want := new(big.Int).SetUint64(h.Hi)
		want.Lsh(want, 64).Or(want, new(big.Int).SetUint64(h.Lo))
		if h.String() != want.String() {
			t.Fatalf("%#x %#x String() = %s, want %s", h.Hi, h.Lo, h, want)
		}
		if back := mustHashKey(t, h.String()); back != h {
			t.Fatalf("ParseHashKey(%s) = %v, want %v", h, back, h)
		}
		if c, bc := h.Compare(kinesis.HashKey{Hi: 1 << 63}), want.Cmp(new(big.Int).Lsh(big.NewInt(1), 127)); c != bc {
			t.Fatalf("%s.Compare(2^127) = %d, want %d", h, c, bc)
		}
	}
}

func TestHashKey_NextPrev(t *testing.T) {
	tests := []struct{ h, next kinesis.HashKey }{
		{kinesis.HashKey{}, kinesis.HashKey{Lo: 1}},
		{kinesis.HashKey{Lo: ^uint64(0)}, kinesis.HashKey{Hi: 1}},
		{kinesis.MaxHashKey, kinesis.HashKey{}},
	}
	for _, tt := range tests {
		if got := tt.h.Next(); got != tt.next {
			t.Errorf("%v.Next() = %v, want %v", tt.h, got, tt.next)
		}
		if got := tt.next.Prev(); got != tt.h {
			t.Errorf("%v.Prev() = %v, want %v", tt.next, got, tt.h)
		}
	}
}

func TestHashKeyRange_Split(t *testing.T) {
	r := kinesis.HashKeyRange{Start: kinesis.HashKey{Lo: 10}, End: kinesis.HashKey{Lo: 20}}
	tests := []struct {
		key uint64
		ok  bool
	}{
		{9, false}, {10, false}, {11, false}, // key must exceed Start+1
		{12, true}, {15, true}, {19, true},
		{20, false}, {21, false}, // and stay below End
	}
	for _, tt := range tests {
		first, second, ok := r.Split(kinesis.HashKey{Lo: tt.key})
		if ok != tt.ok {
			t.Errorf("[10, 20].Split(%d) ok = %v, want %v", tt.key, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		wantFirst := kinesis.HashKeyRange{Start: kinesis.HashKey{Lo: 10}, End: kinesis.HashKey{Lo: tt.key - 1}}
		wantSecond := kinesis.HashKeyRange{Start: kinesis.HashKey{Lo: tt.key}, End: kinesis.HashKey{Lo: 20}}
		if first != wantFirst || second != wantSecond {
			t.Errorf("[10, 20].Split(%d) = %v, %v, want %v, %v", tt.key, first, second, wantFirst, wantSecond)
		}
		if !first.Adjacent(second) || first.Merge(second) != r {
			t.Errorf("the halves of [10, 20] split at %d do not merge back", tt.key)
		}
	}
	// A range at the very top: Start+1 must not wrap around.
	top := kinesis.HashKeyRange{Start: kinesis.MaxHashKey, End: kinesis.MaxHashKey}
	if _, _, ok := top.Split(kinesis.HashKey{}); ok {
		t.Errorf("[max, max].Split(0) ok = true, want false")
	}
	full := kinesis.FullHashKeyRange
	if _, _, ok := full.Split(mustHashKey(t, "170141183460469231731687303715884105728")); !ok {
		t.Errorf("full range Split(2^127) ok = false, want true")
	}
}

func TestHashKeyRange_Adjacent(t *testing.T) {
	a := kinesis.HashKeyRange{Start: kinesis.HashKey{Lo: 0}, End: kinesis.HashKey{Lo: 9}}
	b := kinesis.HashKeyRange{Start: kinesis.HashKey{Lo: 10}, End: kinesis.HashKey{Lo: 20}}
	c := kinesis.HashKeyRange{Start: kinesis.HashKey{Lo: 11}, End: kinesis.HashKey{Lo: 20}}
	top := kinesis.HashKeyRange{Start: kinesis.HashKey{Lo: 21}, End: kinesis.MaxHashKey}
	tests := []struct {
		name string
		r, n kinesis.HashKeyRange
		want bool
	}{
		{"in order", a, b, true},
		{"inverted", b, a, false},
		{"gap", a, c, false},
		{"last and first", top, a, false}, // End+1 wraps to 0: not adjacent
	}
	for _, tt := range tests {
		if got := tt.r.Adjacent(tt.n); got != tt.want {
			t.Errorf("%s: %v.Adjacent(%v) = %v, want %v", tt.name, tt.r, tt.n, got, tt.want)
		}
	}
}

func TestHashKey_JSON(t *testing.T) {
	r := kinesis.HashKeyRange{Start: kinesis.HashKey{Hi: 1}, End: kinesis.MaxHashKey}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"start":"18446744073709551616","end":"340282366920938463463374607431768211455"}`
	if string(b) != want {
		t.Errorf("json.Marshal(%v) = %s, want %s", r, b, want)
	}
	var back kinesis.HashKeyRange
	if err := json.Unmarshal(b, &back); err != nil || back != r {
		t.Errorf("json.Unmarshal(%s) = %v, %v, want %v", b, back, err, r)
	}
	if err := json.Unmarshal([]byte(`{"start":"-1","end":"0"}`), &back); !errors.Is(err, kinesis.ErrInvalidHashKey) {
		t.Errorf("json.Unmarshal(start -1) error = %v, want ErrInvalidHashKey", err)
	}
}

func BenchmarkHashPartitionKey(b *testing.B) {
	for _, size := range []int{16, 64, 256} {
		key := make([]byte, size)
		for i := range key {
			key[i] = 'a' + byte(i%26)
		}
		b.Run("size="+strconv.Itoa(size)+"B", func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				kinesis.HashPartitionKey(key)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func BenchmarkHashKey_AppendDecimal(b *testing.B) {
	h := kinesis.HashPartitionKey([]byte("partition-key"))
	buf := make([]byte, 0, 40)
	b.SetBytes(39)
	b.ReportAllocs()
	for b.Loop() {
		buf = h.AppendDecimal(buf[:0])
	}
}

func BenchmarkParseHashKey(b *testing.B) {
	s := kinesis.HashPartitionKey([]byte("partition-key")).String()
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kinesis.ParseHashKey(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
