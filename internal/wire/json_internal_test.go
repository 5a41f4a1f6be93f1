package wire

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
)

func TestAppendEpochMillis(t *testing.T) {
	cases := []struct {
		ms   int64
		want string
	}{
		{0, "0"},
		{1, "0.001"},
		{10, "0.01"},
		{1506440188749, "1506440188.749"},
		{1506440188740, "1506440188.74"},
		{1506440188700, "1506440188.7"},
		{1506440188000, "1506440188"},
		{-1, "-0.001"},
		{-1500, "-1.5"},
	}
	for _, tc := range cases {
		got := string(AppendEpochMillis(nil, tc.ms))
		require.Equal(t, tc.want, got, "AppendEpochMillis(%d)", tc.ms)
		f, err := strconv.ParseFloat(got, 64)
		require.NoError(t, err)
		require.Equal(t, tc.ms, int64(f*1000+0.5*sign(f)), "round trip of %s", got)
	}
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

func TestAppendString(t *testing.T) {
	cases := []string{"", "plain", `q"b\s`, "a longer string with a \" quote past eight bytes, a \\ and \x01 and é", "tab\tnl\nret\r", "\x00\x01\x1f\x7f", "ключ😀", "\u2028\u2029", "bad\xffutf8\xc3"}
	for _, s := range cases {
		got := AppendString(nil, s)
		require.Equal(t, got, AppendString(nil, []byte(s)), "string and byte slice of %q", s)
		var back string
		require.NoError(t, json.Unmarshal(got, &back), "%s", got)
		want := s
		if !utf8.ValidString(s) {
			want = string([]rune(s)) // invalid bytes become U+FFFD, as with encoding/json
		}
		require.Equal(t, want, back, "round trip of %q through %s", s, got)
	}
}

// TestPlainWord compares the word-at-a-time check with a byte loop, for every
// byte value in every position and for random words.
func TestPlainWord(t *testing.T) {
	plain := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				return false
			}
		}
		return true
	}
	word := []byte("abcdefgh")
	for pos := range 8 {
		for c := range 256 {
			w := append([]byte(nil), word...)
			w[pos] = byte(c)
			require.Equal(t, plain(w), plainWord(binary.LittleEndian.Uint64(w)), "byte %#x at %d", c, pos)
		}
	}
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 5))
	for range 100000 {
		v := rng.Uint64()
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], v)
		require.Equal(t, plain(w[:]), plainWord(v), "word %#x", v)
	}
	long := strings.Repeat("0123456789", 5) + `"` + strings.Repeat("x", 20) + "\\"
	require.Equal(t, 48, plainPrefix(long))
	require.Equal(t, `"`+strings.ReplaceAll(strings.ReplaceAll(long, `\`, `\\`), `"`, `\"`)+`"`, string(AppendString(nil, long)))
}
