package b64

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"testing"
)

// stdStrict is what Scanner.Base64 accepted before DecodeInto: the strict standard
// decoder, with a result as long as the input promises (a skipped CR or LF makes it
// shorter).
func stdStrict(src []byte) ([]byte, bool) {
	if len(src)%4 != 0 {
		return nil, false
	}
	want := len(src) / 4 * 3
	if len(src) > 0 && src[len(src)-1] == '=' {
		want--
		if src[len(src)-2] == '=' {
			want--
		}
	}
	out := make([]byte, len(src)/4*3)
	n, err := base64.StdEncoding.Strict().Decode(out, src)
	if err != nil || n != want {
		return nil, false
	}
	return out[:n], true
}

// checkDecodeBase64 fails t unless DecodeInto accepts src exactly when stdStrict does,
// with the same bytes, and writes nothing outside the room it was given.
func checkDecodeBase64(t *testing.T, src []byte) {
	t.Helper()
	want, wantOK := stdStrict(src)
	n := len(src) / 4 * 3
	buf := bytes.Repeat([]byte{0xee}, n+16)
	got, ok := DecodeInto(buf[8:8+n], src)
	if ok != wantOK || ok && !bytes.Equal(buf[8:8+got], want) {
		t.Fatalf("DecodeInto(%q) = %q, %v; the strict standard decoder gives %q, %v", src, buf[8:8+got], ok, want, wantOK)
	}
	if !bytes.Equal(buf[:8], bytes.Repeat([]byte{0xee}, 8)) || !bytes.Equal(buf[8+n:], bytes.Repeat([]byte{0xee}, 8)) {
		t.Fatalf("DecodeInto(%q) wrote outside its room: %x", src, buf)
	}

	// DecodeBase64 into exactly the room Base64Len gives.
	n = Len(src)
	if wantOK && n != len(want) {
		t.Fatalf("Len(%q) = %d, the text decodes to %d bytes", src, n, len(want))
	}
	buf = bytes.Repeat([]byte{0xee}, n+16)
	ok = Decode(buf[8:8+n:8+n], src)
	if ok != wantOK || ok && !bytes.Equal(buf[8:8+n], want) {
		t.Fatalf("Decode(%q) = %q, %v; the strict standard decoder gives %q, %v", src, buf[8:8+n], ok, want, wantOK)
	}
	if !bytes.Equal(buf[:8], bytes.Repeat([]byte{0xee}, 8)) || !bytes.Equal(buf[8+n:], bytes.Repeat([]byte{0xee}, 8)) {
		t.Fatalf("Decode(%q) wrote outside its room: %x", src, buf)
	}
}

// TestDecodeBase64_MatchesStrictStdlib checks DecodeInto against the strict standard decoder:
// every quantum of four characters drawn from the alphabet, '=', CR, LF, a quote and a
// non-ASCII byte, alone and after valid text (so that each lands in the two-quanta loop, the
// single-quantum loop and the last quantum); the encodings of random bytes of every length up
// to 100 and some longer; and those with one byte changed.
func TestDecodeBase64_MatchesStrictStdlib(t *testing.T) {
	chars := []byte(Alphabet + "=\r\n\"\x80\xff\x00")
	prefixes := [][]byte{nil, []byte("QUJD"), []byte("QUJDREVG"), []byte("QUJDREVGR0hJ")}
	q := make([]byte, 4)
	for _, a := range chars {
		for _, b := range chars {
			for _, c := range []byte("AQgw+/=\r\x80") { // a sample of the third and fourth
				for _, d := range []byte("AQgwE/=\n\"") {
					q[0], q[1], q[2], q[3] = a, b, c, d
					for _, p := range prefixes {
						checkDecodeBase64(t, append(bytes.Clone(p), q...))
						checkDecodeBase64(t, append(bytes.Clone(q), p...))
					}
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	lengths := []int{1000, 1001, 1002, 4096}
	for n := range 101 {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		enc := []byte(base64.StdEncoding.EncodeToString(src))
		checkDecodeBase64(t, enc)
		if len(enc) == 0 {
			continue
		}
		for range 20 {
			bad := bytes.Clone(enc)
			bad[rng.IntN(len(bad))] = chars[rng.IntN(len(chars))]
			checkDecodeBase64(t, bad)
		}
	}
}

func FuzzDecodeBase64(f *testing.F) {
	f.Add([]byte("QUJDREVGR0hJSktM"))
	f.Add([]byte("aGk="))
	f.Add([]byte("aGl="))
	f.Add([]byte("QQ==QUJD"))
	f.Add([]byte("QUJD\r\nQQ=="))
	f.Fuzz(func(t *testing.T, src []byte) {
		checkDecodeBase64(t, src)
	})
}

func BenchmarkDecodeBase64(b *testing.B) {
	for _, size := range []int{100, 1000} {
		raw := make([]byte, size)
		for i := range raw {
			raw[i] = byte(i * 7)
		}
		src := []byte(base64.StdEncoding.EncodeToString(raw))
		dst := make([]byte, len(src)/4*3)
		strict := base64.StdEncoding.Strict()
		b.Run(fmt.Sprintf("size=%dB/decoder=quad", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, ok := DecodeInto(dst, src); !ok {
					b.Fatal("refused")
				}
			}
		})
		b.Run(fmt.Sprintf("size=%dB/decoder=stdlib", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := strict.Decode(dst, src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
