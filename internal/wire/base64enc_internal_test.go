package wire

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestAppendBase64_MatchesStdlib checks appendBase64 against encoding/base64 for every length
// up to 100 and some longer ones, on random bytes and on the bytes that exercise each end of
// the alphabet, appended to empty, short and roomy destinations.
func TestAppendBase64_MatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{1000, 1001, 1002, 1023, 4096, 1 << 20}
	for n := range 101 {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		random := make([]byte, n)
		for i := range random {
			random[i] = byte(rng.Uint32())
		}
		for name, src := range map[string][]byte{
			"random": random, "zeros": make([]byte, n), "ones": bytes.Repeat([]byte{0xff}, n),
			"alternating": bytes.Repeat([]byte{0xfb, 0xef, 0xbe}, n)[:n],
		} {
			for _, prefix := range [][]byte{nil, []byte(`"Data":"`), make([]byte, 3, 3+2*n+16)} {
				want := base64.StdEncoding.AppendEncode(bytes.Clone(prefix), src)
				got := appendBase64(bytes.Clone(prefix), src)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s, %d bytes, prefix %d: got %q, want %q", name, n, len(prefix), got, want)
				}
			}
		}
	}
}

func FuzzAppendBase64(f *testing.F) {
	f.Add([]byte("shardlog"), 0)
	f.Fuzz(func(t *testing.T, src []byte, prefix int) {
		pre := make([]byte, prefix&31)
		want := base64.StdEncoding.AppendEncode(bytes.Clone(pre), src)
		if got := appendBase64(pre, src); !bytes.Equal(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

func BenchmarkAppendBase64(b *testing.B) {
	for _, size := range []int{100, 1000} {
		src := make([]byte, size)
		for i := range src {
			src[i] = byte(i * 7)
		}
		buf := make([]byte, 0, 2*size)
		b.Run(fmt.Sprintf("size=%dB/encoder=table12", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				buf = appendBase64(buf[:0], src)
			}
		})
		b.Run(fmt.Sprintf("size=%dB/encoder=stdlib", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				buf = base64.StdEncoding.AppendEncode(buf[:0], src)
			}
		})
	}
}
