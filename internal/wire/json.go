package wire

import (
	"encoding/binary"
	"strconv"
	"time"
	"unicode/utf8"
)

// JSON text as awsJson 1.1 writes it.

// Text is what the JSON and CBOR writers take as text: a string, or a byte
// slice that need not be converted (GetRecords' sequence numbers and
// partition keys, which alias the log).
type Text interface{ string | []byte }

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Quotes, backslashes and control
// characters are escaped; invalid UTF-8 becomes U+FFFD, as encoding/json does.
func AppendString[T Text](dst []byte, s T) []byte {
	dst = append(dst, '"')
	start := 0
	for i := plainPrefix(s); i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// decodeRune is utf8.DecodeRune for either kind of text, without converting
// the whole of it.
func decodeRune[T Text](s T) (rune, int) {
	var buf [utf8.UTFMax]byte
	n := copy(buf[:], s)
	return utf8.DecodeRune(buf[:n])
}

func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// AppendEpochMillis appends a time as AWS writes it in JSON: epoch seconds with
// the milliseconds as a fraction, trailing zeros dropped (1506440188.749,
// 1506440188.75, 1506440188), never in exponent notation.
func AppendEpochMillis(dst []byte, ms int64) []byte {
	if ms < 0 {
		dst = append(dst, '-')
		ms = -ms // times before 1970 never occur; this only keeps the text right
	}
	sec, frac := ms/1000, ms%1000
	dst = strconv.AppendInt(dst, sec, 10)
	if frac == 0 {
		return dst
	}
	digits := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 3
	for digits[n-1] == '0' {
		n--
	}
	dst = append(dst, '.')
	return append(dst, digits[:n]...)
}

// AppendTime appends t as AppendEpochMillis does; the zero time is 0.
func AppendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, '0')
	}
	return AppendEpochMillis(dst, t.UnixMilli())
}

// SWAR constants for scanning JSON text eight bytes at a time.
const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// plainWord reports whether none of the eight bytes of w needs attention in a
// JSON string: no control character, quote, backslash or non-ASCII byte.
func plainWord(w uint64) bool {
	const (
		quotes     = '"' * swarOnes
		backslashs = '\\' * swarOnes
	)
	q, b := w^quotes, w^backslashs // a quote or backslash becomes a zero byte
	hasLow := (w - 0x20*swarOnes) & ^w
	hasQuote := (q - swarOnes) & ^q
	hasSlash := (b - swarOnes) & ^b
	return (hasLow|hasQuote|hasSlash|w)&swarHighs == 0
}

// plainPrefix returns the length of the prefix of s, rounded down to whole
// words, that needs no escaping.
func plainPrefix[T Text](s T) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if !plainWord(binary.LittleEndian.Uint64([]byte(s[i : i+8]))) {
			break
		}
	}
	return i
}
