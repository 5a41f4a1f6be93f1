package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/wire"
)

func TestScanner_String(t *testing.T) {
	cases := []struct {
		name, body string
		want       string
		plain      bool // RawString's verdict
		bad        bool
	}{
		{"plain", `"abc"`, "abc", true, false},
		{"long plain", `"0123456789abcdefghij"`, "0123456789abcdefghij", true, false},
		{"utf-8", `"ключ😀"`, "ключ😀", true, false},
		{"escapes", `"a\"b\\c\/d\n\u00e9"`, "a\"b\\c/d\né", false, false},
		{"surrogate pair", `"\ud83d\ude00"`, "😀", false, false},
		{"lone surrogate", `"\ud83dx"`, "\uFFFDx", false, false},
		{"invalid utf-8", "\"a\xffb\"", "a\uFFFDb", false, false},
		{"control character", "\"a\x01b\"", "", false, true},
		{"long with a control character", "\"0123456789abcdefghij\x1fklmnopqrstuvwxyz0123456789\"", "", false, true},
		{"long utf-8", `"0123456789abcdef0123456789abcdefключ"`, "0123456789abcdef0123456789abcdefключ", true, false},
		{"long invalid utf-8", "\"0123456789abcdef0123456789abcdef\xff\"", "0123456789abcdef0123456789abcdef\uFFFD", false, false},
		{"bad escape", `"a\qb"`, "", false, true},
		{"short unicode escape", `"\u00e"`, "", false, true},
		{"unterminated", `"abc`, "", false, true},
		{"not a string", `abc`, "", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := wire.NewScanner([]byte(tc.body))
			got := s.String()
			if tc.bad {
				require.Error(t, s.End(), "String(%q) = %q", tc.body, got)
				return
			}
			require.NoError(t, s.End())
			require.Equal(t, tc.want, string(got), "String(%q)", tc.body)
			var ref string
			require.NoError(t, json.Unmarshal([]byte(tc.body), &ref))
			require.Equal(t, ref, string(got), "encoding/json reads %q", tc.body)

			s = wire.NewScanner([]byte(tc.body))
			_, plain := s.RawString()
			require.Equal(t, tc.plain, plain, "RawString(%q) plain", tc.body)

			s = wire.NewPlainScanner([]byte(tc.body))
			s.String()
			require.Equal(t, !tc.plain, s.Err() != nil, "plain scanner on %q: %v", tc.body, s.Err())
		})
	}
}

func TestScanner_Number(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{"0", true}, {"-12.5e+3", true}, {"1E9", true}, {"01", false}, {"-", false},
		{"1.", false}, {".5", false}, {"1e", false}, {"+1", false},
	} {
		s := wire.NewScanner([]byte(tc.body))
		got := s.Number()
		err := s.End()
		require.Equal(t, tc.ok, err == nil, "Number(%q) = %q, %v", tc.body, got, err)
		if tc.ok {
			require.Equal(t, tc.body, string(got))
		}
	}
}

func TestScanner_Skip(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"a":[1,true,false,null,"x",{"b":{}}],"c":-0.5}`, true},
		{` [ ] `, true},
		{`{"a":tru}`, false},
		{`{"a" 1}`, false},
		{`[1,]`, false},
		{`{"a":1} 2`, false},
		{`nul`, false},
	} {
		s := wire.NewScanner([]byte(tc.body))
		s.Skip()
		err := s.End()
		require.Equal(t, tc.ok, err == nil, "Skip(%q): %v", tc.body, err)
		require.Equal(t, tc.ok, json.Valid([]byte(tc.body)), "encoding/json on %q", tc.body)
	}
}

// TestScanner_StickyError checks that after the first problem every method
// reports false or nothing, and Err keeps the first problem.
func TestScanner_StickyError(t *testing.T) {
	s := wire.NewScanner([]byte(`{"a":x, "b":"c"}`))
	var keys []string
	ok := s.Object(func(key []byte) bool {
		keys = append(keys, string(key))
		return s.Skip()
	})
	require.False(t, ok)
	require.Equal(t, []string{"a"}, keys)
	first := s.Err()
	require.ErrorContains(t, first, "bad JSON at byte")
	require.False(t, s.Eat('"'))
	require.Nil(t, s.String())
	require.Equal(t, first, s.End())
}

func TestScanner_Base64(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		room, max  int
		want       string
		ok         bool
	}{
		{"one byte", `"aGk="`, 8, 8, "hi", true},
		{"empty", `""`, 0, 8, "", true},
		{"over max", `"aGk="`, 8, 1, "", false},
		{"no room", `"aGk="`, 2, 8, "", false},
		{"not canonical", `"aGl="`, 8, 8, "", false},
		{"length", `"aGk"`, 8, 8, "", false},
		{"newline", "\"aG\nk=\"", 8, 8, "", false},
		{"escape", `"aG\u0030="`, 8, 8, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]byte, 1, 1+tc.room)
			s := wire.NewScanner([]byte(tc.body))
			got, ok := s.Base64(dst, tc.max)
			require.Equal(t, tc.ok, ok, "Base64(%q): %v", tc.body, s.Err())
			if ok {
				require.Equal(t, tc.want, string(got[1:]))
				require.Equal(t, &dst[:1][0], &got[:1][0], "decoded in place")
			}
		})
	}
}

// TestScanner_Trusted: a trusted scanner takes a string without escapes as it is, control
// characters and invalid UTF-8 included, and still resolves escapes and checks syntax.
func TestScanner_Trusted(t *testing.T) {
	s := wire.NewTrustedScanner([]byte("[\"a\x01\xffb\",\"c\\nd\"]"))
	var got []string
	require.True(t, s.Array(func() bool { got = append(got, string(s.String())); return true }))
	require.NoError(t, s.End())
	require.Equal(t, []string{"a\x01\xffb", "c\nd"}, got)

	s = wire.NewScanner([]byte("[\"a\x01b\"]"))
	s.Array(func() bool { s.String(); return true })
	require.Error(t, s.Err(), "an ordinary scanner refuses a control character")

	s = wire.NewTrustedScanner([]byte(`["a",]`))
	s.Array(func() bool { s.String(); return true })
	require.Error(t, s.Err(), "a trusted scanner still checks syntax")
}
