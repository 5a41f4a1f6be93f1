package kinesis_test

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
)

// Values from a real AWS trace (KINESIS-API.md §3.1): shard 0 of a stream created at
// 1613588284 (0x602d673c), and its EndingSequenceNumber once closed at 0x602d6747.
const (
	awsShard0Start = "49615604846537535747729525809166215807130139976752168962"
	awsShard0End   = "49615604846548686120328791120735774740446850284244697090"
)

func TestSequenceNumber_String_AWSTrace(t *testing.T) {
	tests := []struct {
		name string
		n    kinesis.SequenceNumber
		want string
	}{
		{"starting", kinesis.StartingSequenceNumber(1613588284, 0), awsShard0Start},
		{"ending", kinesis.EndingSequenceNumber(1613588284, 0, 0x602d6747), awsShard0End},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.n.String(); got != tt.want {
				t.Errorf("%+v.String() = %s, want %s", tt.n, got, tt.want)
			}
			got, err := kinesis.ParseSequenceNumber(tt.want)
			if err != nil || got != tt.n {
				t.Errorf("ParseSequenceNumber(%s) = %+v, %v, want %+v", tt.want, got, err, tt.n)
			}
		})
	}
}

func TestSequenceNumber_String_HexLayout(t *testing.T) {
	n := kinesis.SequenceNumber{ShardCreatedSec: 0x602d673c, ShardIndex: 0x1234abcd, Counter: 0x0123456789abcdef, TimeSec: 0x602d6747}
	b, ok := new(big.Int).SetString(n.String(), 10)
	if !ok {
		t.Fatalf("String() = %q, not a number", n.String())
	}
	// 2 | created | low nibble of index | counter | 00 | time | index | 2
	const want = "2" + "0602d673c" + "d" + "0123456789abcdef" + "00" + "0602d6747" + "1234abcd" + "2"
	if got := b.Text(16); got != want {
		t.Errorf("hex of %+v = %s, want %s", n, got, want)
	}
}

func TestStartingSequenceNumber_ConsecutiveShards(t *testing.T) {
	// Consecutive initial shards differ by exactly 16^36 + 16 (kinesalite's AWS-verified test).
	spacing, _ := new(big.Int).SetString("22300745198530623141535718272648361505980432", 10)
	for index := int32(0); index < 40; index++ {
		if index%16 == 15 {
			continue // the low nibble of the index wraps to 0 here
		}
		a := decimal(t, kinesis.StartingSequenceNumber(1613588284, index))
		b := decimal(t, kinesis.StartingSequenceNumber(1613588284, index+1))
		if diff := new(big.Int).Sub(b, a); diff.Cmp(spacing) != 0 {
			t.Errorf("start(shard %d) - start(shard %d) = %s, want %s", index+1, index, diff, spacing)
		}
	}
}

func TestSequenceNumber_ChildrenSortAfterParents(t *testing.T) {
	// A parent created at 100 and closed at 500; its children are created a second later.
	parentEnd := kinesis.EndingSequenceNumber(100, 7, 500)
	parentRecord := kinesis.SequenceNumber{ShardCreatedSec: 100, ShardIndex: 7, Counter: 1 << 40, TimeSec: 499}
	for _, childIndex := range []int32{0, 8, 9, 1000, math.MaxInt32} {
		child := kinesis.StartingSequenceNumber(501, childIndex)
		for _, parent := range []kinesis.SequenceNumber{parentEnd, parentRecord} {
			if child.Compare(parent) <= 0 {
				t.Errorf("child %+v.Compare(parent %+v) = %d, want +1", child, parent, child.Compare(parent))
			}
			if decimal(t, child).Cmp(decimal(t, parent)) <= 0 {
				t.Errorf("child %s <= parent %s", child, parent)
			}
		}
	}
}

func TestSequenceNumber_WriteOrderWithinShard(t *testing.T) {
	// A later record has a larger number even when its arrival second is earlier (a clock
	// stepped back): the counter sits above the time.
	a := kinesis.SequenceNumber{ShardCreatedSec: 100, ShardIndex: 3, Counter: 41, TimeSec: 200}
	b := kinesis.SequenceNumber{ShardCreatedSec: 100, ShardIndex: 3, Counter: 42, TimeSec: 150}
	if a.Compare(b) >= 0 || decimal(t, a).Cmp(decimal(t, b)) >= 0 {
		t.Errorf("record 41 %s does not sort before record 42 %s", a, b)
	}
}

func TestSequenceNumber_RoundTrip_Random(t *testing.T) {
	r := testutil.Rand(t)
	n := 20000
	if testing.Short() {
		n = 2000
	}
	prev := kinesis.StartingSequenceNumber(0, 0)
	for range n {
		want := kinesis.SequenceNumber{
			ShardCreatedSec: r.Int64N(16025175000),
			ShardIndex:      r.Int32(),
			Counter:         r.Uint64() >> r.UintN(64) >> 1,
			TimeSec:         r.Int64N(1 << 36),
		}
		s := want.String()
		if want.ShardCreatedSec >= 1<<28 && len(s) != 56 { // from 1978 on
			t.Fatalf("%+v.String() = %s, %d digits, want 56", want, s, len(s))
		}
		got, err := kinesis.ParseSequenceNumber(s)
		if err != nil || got != want {
			t.Fatalf("ParseSequenceNumber(%s) = %+v, %v, want %+v", s, got, err, want)
		}
		if c, bc := want.Compare(prev), decimal(t, want).Cmp(decimal(t, prev)); c != bc {
			t.Fatalf("%+v.Compare(%+v) = %d, numeric comparison gives %d", want, prev, c, bc)
		}
		prev = want
	}
}

func TestSequenceNumber_AppendDecimal_Appends(t *testing.T) {
	n := kinesis.StartingSequenceNumber(1613588284, 0)
	got := string(n.AppendDecimal([]byte("seq=")))
	if want := "seq=" + awsShard0Start; got != want {
		t.Errorf("AppendDecimal(seq=) = %s, want %s", got, want)
	}
}

// hexNumber returns the decimal form of a hex string, for building test inputs.
func hexNumber(t *testing.T, hex string) string {
	t.Helper()
	b, ok := new(big.Int).SetString(hex, 16)
	if !ok {
		t.Fatalf("bad hex %q", hex)
	}
	return b.String()
}

func TestParseSequenceNumber_Invalid(t *testing.T) {
	v2 := func(created, counter string) string {
		return hexNumber(t, "2"+created+"0"+counter+"00"+"0602d673c"+"00000000"+"2")
	}
	tests := []struct {
		name    string
		s       string
		version bool // also ErrUnknownSequenceVersion
	}{
		{"empty", "", false},
		{"not digits", "12x4", false},
		{"negative", "-1", false},
		{"between the layouts", hexNumber(t, "2"+strings.Repeat("0", 40)), false},
		{"exactly 2^185", hexNumber(t, "2"+strings.Repeat("0", 46)), false},
		{"1.5·2^185", hexNumber(t, "3"+strings.Repeat("0", 46)), false},
		{"above 2^192", strings.Repeat("9", 60), false},
		{"version 3", hexNumber(t, "20602d673c0"+strings.Repeat("0", 16)+"00"+"0602d673c"+"00000000"+"3"), true},
		{"version 0 nibble", hexNumber(t, "20602d673c0"+strings.Repeat("0", 16)+"00"+"0602d673c"+"00000000"+"0"), true},
		{"counter first digit 8", v2("0602d673c", "8000000000000000"), false},
		{"creation time 16025175000", v2("3bb2cc3d8", "0000000000000000"), false},
		{"shard index negative", hexNumber(t, "20602d673c0"+strings.Repeat("0", 16)+"00"+"0602d673c"+"80000000"+"2"), false},
		{"version 0 creation time 16025175000", hexNumber(t, "1"+"3bb2cc3d8"+strings.Repeat("0", 22)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := kinesis.ParseSequenceNumber(tt.s)
			if !errors.Is(err, kinesis.ErrInvalidSequenceNumber) {
				t.Fatalf("ParseSequenceNumber(%s) = %+v, %v, want ErrInvalidSequenceNumber", tt.s, n, err)
			}
			if errors.Is(err, kinesis.ErrUnknownSequenceVersion) != tt.version {
				t.Errorf("ParseSequenceNumber(%s) error %v: ErrUnknownSequenceVersion %v, want %v", tt.s, err, !tt.version, tt.version)
			}
			if errors.Is(err, kinesis.ErrLegacySequenceNumber) {
				t.Errorf("ParseSequenceNumber(%s) error %v matches ErrLegacySequenceNumber", tt.s, err)
			}
		})
	}
}

func TestParseSequenceNumber_Bounds(t *testing.T) {
	// The largest values each bound allows still parse.
	n := kinesis.SequenceNumber{ShardCreatedSec: 16025175000 - 1, ShardIndex: math.MaxInt32, Counter: kinesis.MaxCounter, TimeSec: 1<<36 - 1}
	got, err := kinesis.ParseSequenceNumber(n.String())
	if err != nil || got != n {
		t.Errorf("ParseSequenceNumber(%s) = %+v, %v, want %+v", n, got, err, n)
	}
}

func TestParseSequenceNumber_Legacy(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want kinesis.LegacySequenceNumberError
	}{
		{
			name: "version 0",
			s:    hexNumber(t, "1"+"0602d673c"+"ab"+"0123456789abcdef"+"0005"),
			want: kinesis.LegacySequenceNumberError{Version: 0, ShardIndex: 5, ShardCreatedSec: 0x602d673c,
				Canonical: hexNumber(t, "1"+"0602d673c"+"ab"+"0123456789abcdef"+"0005")},
		},
		{
			// Below 2^124, 2^124 is added first: a small number reads as version 0.
			name: "small number",
			s:    "5",
			want: kinesis.LegacySequenceNumberError{Version: 0, ShardIndex: 5, Canonical: hexNumber(t, "1"+strings.Repeat("0", 30)+"5")},
		},
		{
			// Any leading digit is quoted back as 1.
			name: "version 0 leading f",
			s:    hexNumber(t, "f"+"0602d673c"+"00"+"0000000000000000"+"0003"),
			want: kinesis.LegacySequenceNumberError{Version: 0, ShardIndex: 3, ShardCreatedSec: 0x602d673c,
				Canonical: hexNumber(t, "1"+"0602d673c"+"00"+"0000000000000000"+"0003")},
		},
		{
			// 33 hex digits (2^128 up to 2^129) are read from the left, as kinesalite slices
			// the hex string; the last digit is dropped from the quoted form.
			name: "version 0, 33 hex digits",
			s:    hexNumber(t, "1"+"0602d673c"+"00"+"0000000000000000"+"0003"+"7"),
			want: kinesis.LegacySequenceNumberError{Version: 0, ShardIndex: 3, ShardCreatedSec: 0x602d673c,
				Canonical: hexNumber(t, "1"+"0602d673c"+"00"+"0000000000000000"+"0003")},
		},
		{
			name: "version 1",
			s:    hexNumber(t, "2"+"0602d673c"+"4"+"00"+"0602d6747"+"0123456789abcd"+"0f"+"00000014"+"1"),
			want: kinesis.LegacySequenceNumberError{Version: 1, ShardIndex: 20, ShardCreatedSec: 0x602d673c, TimeSec: 0x602d6747,
				Canonical: hexNumber(t, "2"+"0602d673c"+"4"+"00"+"0602d6747"+"0123456789abcd"+"0f"+"00000014"+"1")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kinesis.ParseSequenceNumber(tt.s)
			var legacy *kinesis.LegacySequenceNumberError
			if !errors.As(err, &legacy) || !errors.Is(err, kinesis.ErrLegacySequenceNumber) {
				t.Fatalf("ParseSequenceNumber(%s) error = %v, want a *LegacySequenceNumberError", tt.s, err)
			}
			if errors.Is(err, kinesis.ErrInvalidSequenceNumber) {
				t.Errorf("ParseSequenceNumber(%s) error %v matches ErrInvalidSequenceNumber", tt.s, err)
			}
			if *legacy != tt.want {
				t.Errorf("ParseSequenceNumber(%s) = %+v, want %+v", tt.s, *legacy, tt.want)
			}
		})
	}
}

func decimal(t *testing.T, n kinesis.SequenceNumber) *big.Int {
	t.Helper()
	b, ok := new(big.Int).SetString(n.String(), 10)
	if !ok {
		t.Fatalf("%+v.String() = %q, not a decimal number", n, n.String())
	}
	return b
}

func BenchmarkSequenceNumber_AppendDecimal(b *testing.B) {
	n := kinesis.SequenceNumber{ShardCreatedSec: 1613588284, ShardIndex: 3, Counter: 123456789, TimeSec: 1613588300}
	buf := make([]byte, 0, 64)
	b.SetBytes(56)
	b.ReportAllocs()
	for b.Loop() {
		buf = n.AppendDecimal(buf[:0])
		n.Counter++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkParseSequenceNumber(b *testing.B) {
	s := kinesis.SequenceNumber{ShardCreatedSec: 1613588284, ShardIndex: 3, Counter: 123456789, TimeSec: 1613588300}.String()
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kinesis.ParseSequenceNumber(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
