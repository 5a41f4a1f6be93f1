package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shardlog/shardlog/internal/b64"
)

// Scanner reads one JSON document a value at a time, as the caller pulls
// them: the focused PutRecords decoder, the general parser (parse.go) and the
// load generator's answer readers all read JSON with it. Strings are handed
// out as slices of the body, and nothing is allocated unless a string has
// escapes and the caller asks for its text.
//
// The first problem sticks: Err returns it, and after it every method reports
// false or a zero value, so that a caller may check once at the end. A caller
// that only wants to know whether a body is one it handles (the PutRecords
// decoder declines anything unusual) reads the booleans instead.
type Scanner struct {
	b         []byte
	i         int
	err       error
	plainOnly bool // a string that is not plain is a problem
	trusted   bool // strings without escapes are taken as they are (NewTrustedScanner)
}

// NewScanner returns a Scanner at the start of b.
func NewScanner(b []byte) Scanner { return Scanner{b: b} }

// NewPlainScanner returns a Scanner at the start of b that takes any string
// with escapes or invalid UTF-8, member names included, for a problem: the
// PutRecords decoder declines such bodies, and leaves them to the general
// parser.
func NewPlainScanner(b []byte) Scanner { return Scanner{b: b, plainOnly: true} }

// NewTrustedScanner returns a Scanner at the start of b, an answer of a server
// the caller trusts to write valid JSON (bench reads its load's answers with
// it): a string without escapes is taken as it is, without looking for control
// characters or invalid UTF-8 in it, which costs a quarter of reading a
// GetRecords answer of base64. Syntax is still checked.
func NewTrustedScanner(b []byte) Scanner { return Scanner{b: b, trusted: true} }

// Err returns the first problem met, or nil.
func (s *Scanner) Err() error { return s.err }

// Pos returns the offset of the next byte to read.
func (s *Scanner) Pos() int { return s.i }

func (s *Scanner) fail(what string) {
	if s.err == nil {
		s.err = fmt.Errorf("wire: bad JSON at byte %d of %d: %s", s.i, len(s.b), what)
	}
	s.i = len(s.b)
}

// space skips white space.
func (s *Scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// Peek returns the next byte that is not white space, or 0 at the end.
func (s *Scanner) Peek() byte {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return s.b[s.i] // the usual case: bodies are written without spaces
	}
	s.space()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// Eat consumes c if it comes next, after white space.
func (s *Scanner) Eat(c byte) bool {
	if s.Peek() == c && s.err == nil {
		s.i++
		return true
	}
	return false
}

// Want consumes c, which must come next.
func (s *Scanner) Want(c byte) bool {
	if s.Eat(c) {
		return true
	}
	s.fail(fmt.Sprintf("want %q", c))
	return false
}

// End checks that nothing but white space follows the document, and returns
// Err.
func (s *Scanner) End() error {
	if s.err == nil && s.Peek() != 0 {
		s.fail("data after the document")
	}
	return s.err
}

// RawString reads a string, checking its syntax, and returns the bytes
// between its quotes, aliasing the body. plain reports that they are its text
// as they are: no escapes and valid UTF-8.
func (s *Scanner) RawString() (raw []byte, plain bool) {
	if !s.Want('"') {
		return nil, false
	}
	start := s.i
	if raw, plain, ok := s.quick(); ok {
		return raw, plain
	}
	s.i += plainPrefix(s.b[s.i:])
	plain, ascii := true, true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			plain = plain && (ascii || utf8.Valid(raw))
			if !plain && s.plainOnly {
				s.fail("string not plain")
				return nil, false
			}
			return raw, plain
		case c < 0x20:
			s.fail("control character in a string")
			return nil, false
		case c == '\\':
			plain = false
			if !s.escape() {
				s.fail("bad escape")
				return nil, false
			}
			continue
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.i++
	}
	s.fail("unterminated string")
	return nil, false
}

// quick reads the rest of a string without escapes or control characters,
// the strings of nearly every body and answer, with the library's vectorized
// byte search: ok is false for any other string, which RawString then reads
// byte by byte.
func (s *Scanner) quick() (raw []byte, plain, ok bool) {
	end := bytes.IndexByte(s.b[s.i:], '"')
	if end < 0 {
		return nil, false, false
	}
	raw = s.b[s.i : s.i+end]
	if bytes.IndexByte(raw, '\\') >= 0 {
		return nil, false, false
	}
	if s.trusted {
		s.i += end + 1
		return raw, true, true
	}
	ascii, ok := noControl(raw)
	if !ok {
		return nil, false, false
	}
	plain = ascii || utf8.Valid(raw)
	if !plain && s.plainOnly {
		return nil, false, false // RawString fails it
	}
	s.i += end + 1
	return raw, plain, true
}

// noControl reports whether b has no control character, and whether it is all
// ASCII, sixteen bytes at a time.
func noControl(b []byte) (ascii, ok bool) {
	ascii = true
	i := 0
	for ; i+16 <= len(b); i += 16 {
		if plainASCII(b[i : i+16]) {
			continue
		}
		for _, c := range b[i : i+16] {
			ascii = ascii && c < utf8.RuneSelf
			if c < 0x20 {
				return false, false
			}
		}
	}
	for _, c := range b[i:] {
		ascii = ascii && c < utf8.RuneSelf
		if c < 0x20 {
			return false, false
		}
	}
	return ascii, true
}

// plainASCII reports whether the sixteen bytes of b are ASCII and none is a
// control character.
func plainASCII(b []byte) bool {
	w, v := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	return ((w-0x20*swarOnes)&^w|w|(v-0x20*swarOnes)&^v|v)&swarHighs == 0
}

// String reads a string and returns its text as encoding/json decodes it:
// escapes resolved, a lone or broken surrogate and each invalid UTF-8 byte
// replaced by U+FFFD. The text aliases the body unless it needed decoding.
func (s *Scanner) String() []byte {
	raw, plain := s.RawString()
	if plain || s.err != nil {
		return raw
	}
	return []byte(Unquote(raw))
}

// escape checks one escape sequence and moves past it.
func (s *Scanner) escape() bool {
	if s.i+1 >= len(s.b) {
		return false
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return true
	case 'u':
		if hex4(s.b[s.i+2:]) < 0 {
			return false
		}
		s.i += 6
		return true
	}
	return false
}

// hex4 reads four hexadecimal digits, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// Unquote decodes the bytes of a string that RawString read and found not
// plain, exactly as encoding/json does.
func Unquote(raw []byte) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\' && raw[i+1] == 'u':
			r := hex4(raw[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if pair := utf16.DecodeRune(r, hex4(raw[i+2:])); pair != utf8.RuneError {
						b.WriteRune(pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		case c == '\\':
			b.WriteByte(unescaped[raw[i+1]])
			i += 2
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			b.WriteRune(r) // RuneError for an invalid byte, as encoding/json writes it
			i += size
		}
	}
	return b.String()
}

// unescaped maps the letter of a one-letter escape to its byte.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// Number reads a number as RFC 8259 writes it,
// -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?, and returns its text.
func (s *Scanner) Number() []byte {
	s.space()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	ok := true
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	default:
		ok = s.digits()
	}
	if ok && s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		ok = s.digits()
	}
	if ok && s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		ok = s.digits()
	}
	if !ok || s.err != nil {
		s.fail("want a number")
		return nil
	}
	return s.b[start:s.i]
}

// digits reads one or more decimal digits.
func (s *Scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// literal consumes word (true, false or null) if it comes next.
func (s *Scanner) literal(word string) bool {
	s.Peek()
	if s.err != nil || len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}

// Bool reads true or false.
func (s *Scanner) Bool() (v, ok bool) {
	switch {
	case s.literal("true"):
		return true, true
	case s.literal("false"):
		return false, true
	}
	s.fail("want true or false")
	return false, false
}

// Null consumes null if it comes next.
func (s *Scanner) Null() bool { return s.literal("null") }

// Object reads an object, calling member with each key's text; member must
// read the value, and may stop the object by returning false.
func (s *Scanner) Object(member func(key []byte) bool) bool {
	if !s.Want('{') {
		return false
	}
	if s.Eat('}') {
		return true
	}
	for {
		key := s.String()
		if !s.Want(':') || !member(key) || s.err != nil {
			return false
		}
		if s.Eat('}') {
			return true
		}
		if !s.Want(',') {
			return false
		}
	}
}

// Array reads an array, calling elem for each element; elem must read it,
// and may stop the array by returning false.
func (s *Scanner) Array(elem func() bool) bool {
	if !s.Want('[') {
		return false
	}
	if s.Eat(']') {
		return true
	}
	for {
		if !elem() || s.err != nil {
			return false
		}
		if s.Eat(']') {
			return true
		}
		if !s.Want(',') {
			return false
		}
	}
}

// Skip reads any value, checking its syntax, and drops it.
func (s *Scanner) Skip() bool {
	switch c := s.Peek(); {
	case c == '{':
		return s.Object(func([]byte) bool { return s.Skip() })
	case c == '[':
		return s.Array(s.Skip)
	case c == '"':
		s.RawString()
	case c == 't' || c == 'f':
		s.Bool()
	case c == 'n':
		if !s.Null() {
			s.fail("want null")
		}
	default:
		s.Number()
	}
	return s.err == nil
}

// Base64Text reads a string meant to be standard base64 and returns its text, for a
// caller that decodes it later (b64.Decode). It checks that the length is a multiple of 4,
// that the data it would decode to (b64.Len) is at most max bytes, and that the text has
// no backslash: an escape ("\/", which some JSON encoders write for every '/') makes the
// string's value differ from its text, and an escaped quote would end the string early.
// Any other byte outside the alphabet is left to b64.Decode to refuse: without escapes, the
// text is the string's value.
func (s *Scanner) Base64Text(max int) ([]byte, bool) {
	src, ok := s.base64String(max)
	if ok && bytes.IndexByte(src, '\\') >= 0 {
		s.fail("escape in base64")
		return nil, false
	}
	return src, ok
}

// base64String reads a string whose length is a multiple of 4 and whose base64 would
// decode to at most max bytes, and returns its text, escapes and all.
func (s *Scanner) base64String(max int) ([]byte, bool) {
	if !s.Want('"') {
		return nil, false
	}
	end := bytes.IndexByte(s.b[s.i:], '"')
	if end < 0 {
		s.fail("unterminated string")
		return nil, false
	}
	src := s.b[s.i : s.i+end : s.i+end]
	s.i += end + 1
	switch {
	case len(src)%4 != 0:
		s.fail("base64 length not a multiple of 4")
		return nil, false
	case b64.Len(src) > max:
		s.fail("base64 data too long")
		return nil, false
	}
	return src, true
}

// Base64 reads a string of canonical standard base64 and decodes it into the
// spare capacity of dst, returning dst extended by the decoded bytes. It
// fails when the decoded bytes would be more than max, or might not fit
// without moving dst: the PutRecords decoder sizes one buffer for a whole
// body, and earlier records' data alias it.
//
// The string is not scanned byte by byte: the decoder (b64.DecodeInto, which
// accepts what base64.StdEncoding.Strict() does) rejects every byte outside
// the alphabet: quotes, backslashes, control characters (CR and LF too, which
// the standard decoder skips), non-ASCII.
func (s *Scanner) Base64(dst []byte, max int) ([]byte, bool) {
	src, ok := s.base64String(max) // the decoder refuses a backslash itself
	if !ok {
		return dst, false
	}
	start := len(dst)
	if cap(dst)-start < len(src)/4*3 {
		s.fail("base64 data too long")
		return dst, false
	}
	n, ok := b64.DecodeInto(dst[start:start+len(src)/4*3], src)
	if !ok || n != b64.Len(src) {
		s.fail("bad base64")
		return dst, false
	}
	return dst[:start+n], true
}
