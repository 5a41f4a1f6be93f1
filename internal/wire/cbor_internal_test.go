package wire

import (
	"encoding/hex"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// TestParseCBOR decodes the forms the Java SDKs and RFC 8949's examples use.
func TestParseCBOR(t *testing.T) {
	cases := []struct {
		name string
		hex  string
		want Object
	}{
		{"empty map", "a0", Object(nil)}, // an empty Object allocates nothing
		{"uint and negint", "a2616100616239ffff", Object{{"a", Number("0")}, {"b", Number("-65536")}}},
		{"largest negint", "a161613bffffffffffffffff", Object{{"a", Number("-18446744073709551616")}}},
		{"byte and text strings", "a261614401020304616264c3a9c3a9", Object{{"a", []byte{1, 2, 3, 4}}, {"b", "éé"}}},
		{"indefinite strings", "a26161" + "5f42010243030405ff" + "6162" + "7f626162626364ff", Object{{"a", []byte{1, 2, 3, 4, 5}}, {"b", "abcd"}}},
		{"indefinite map and array", "bf6161" + "9f0102ff" + "ff", Object{{"a", []any{Number("1"), Number("2")}}}},
		{"floats", "a36161f93e0061621a000186a06163fb3ff199999999999a",
			Object{{"a", Number("1.5")}, {"b", Number("100000")}, {"c", Number("1.1")}}},
		{"float32", "a16161fa47c35000", Object{{"a", Number("100000")}}},
		{"simple values", "a4616af4616bf5616cf6616df7", Object{{"j", false}, {"k", true}, {"l", nil}, {"m", nil}}},
		{"epoch millis", "a16174c11b000001a013accc38", Object{{"t", EpochMillis(1787036486712)}}},
		{"other tags are ignored", "a16174c074323031332d30332d32315432303a30343a30305a", Object{{"t", "2013-03-21T20:04:00Z"}}},
		{"repeated key keeps the last value", "a2616101616102", Object{{"a", Number("2")}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseCBOR(mustHex(t, tc.hex), anyTree, nil)
			require.True(t, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseCBOR_Rejects(t *testing.T) {
	cases := map[string]string{
		"empty":                  "",
		"not a map":              "80",
		"truncated map":          "a1",
		"truncated string":       "a161616461",
		"non-text key":           "a10101",
		"trailing bytes":         "a000",
		"break outside":          "ff",
		"reserved info":          "a161611c",
		"indefinite int":         "a161611f",
		"mixed chunks":           "a161615f6161ff",
		"nested indefinite text": "a161617f7f6161ffff",
		"NaN":                    "a16161f97e00",
		"huge claimed array":     "a161619b7fffffffffffffff",
		"tag 1 around text":      "a16161c16161",
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			_, ok := ParseCBOR(mustHex(t, h), anyTree, nil)
			require.False(t, ok)
		})
	}
	deep := make([]byte, 0, 400)
	deep = append(deep, 0xa1, 0x61, 'a')
	for range 300 {
		deep = append(deep, 0x81)
	}
	deep = append(deep, 0x00)
	_, ok := ParseCBOR(deep, anyTree, nil)
	require.False(t, ok, "nesting beyond maxDepth")
}

// TestCBOR_RoundTrip encodes outputs with the reflective CBOR encoder and reads
// them back with the decoder.
func TestCBOR_RoundTrip(t *testing.T) {
	type hashKeyRange struct{ StartingHashKey, EndingHashKey string }
	type shard struct {
		ShardId      string
		HashKeyRange hashKeyRange
	}
	type description struct {
		StreamName              string
		StreamStatus            string
		RetentionPeriodHours    int32
		StreamCreationTimestamp time.Time
		Shards                  []shard
		KeyId                   string `json:"KeyId,omitempty"`
	}
	out := &struct{ StreamDescription description }{description{
		StreamName: "s", StreamStatus: "ACTIVE", RetentionPeriodHours: 24,
		StreamCreationTimestamp: time.UnixMilli(1787036486712),
		Shards:                  []shard{{ShardId: "shardId-000000000000", HashKeyRange: hashKeyRange{"0", "9"}}},
	}}
	got, ok := ParseCBOR(AppendOutputCBOR(nil, out), anyTree, nil)
	require.True(t, ok)
	d, _ := got.Get("StreamDescription")
	desc := d.(Object)
	created, _ := desc.Get("StreamCreationTimestamp")
	require.Equal(t, EpochMillis(1787036486712), created)
	hours, _ := desc.Get("RetentionPeriodHours")
	require.Equal(t, Number("24"), hours)
	shards, _ := desc.Get("Shards")
	require.Len(t, shards, 1)
	_, hasKey := desc.Get("KeyId")
	require.False(t, hasKey, "omitempty members are left out")

	rng := rand.New(rand.NewPCG(testutil.Seed(t), 2))
	for range 200 {
		n := rng.Int64() - rng.Int64()
		b := AppendCBORInt([]byte{0xa1, 0x61, 'n'}, n)
		got, ok := ParseCBOR(b, anyTree, nil)
		require.True(t, ok)
		require.Equal(t, Object{{"n", Number(itoa(n))}}, got)
	}
}

func itoa(n int64) string {
	return string(appendInt(nil, n))
}

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		u := uint64(-(n + 1)) + 1
		return appendUint(b, u)
	}
	return appendUint(b, uint64(n))
}

func appendUint(b []byte, u uint64) []byte {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return append(b, buf[i:]...)
}
