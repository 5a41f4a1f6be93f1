package stream_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// mustOpenIteratorKey opens the iterator key of a fresh data directory.
func mustOpenIteratorKey(t testing.TB) (*stream.IteratorKey, string) {
	t.Helper()
	dir := t.TempDir()
	k, err := stream.OpenIteratorKey(dir)
	if err != nil {
		t.Fatalf("OpenIteratorKey(%s): %v", dir, err)
	}
	return k, dir
}

const nowMs = 1700000000000

func testIterator() stream.Iterator {
	return stream.Iterator{Stream: "orders", Incarnation: 1699999999123456789, ShardIndex: 3, Offset: 123456, IssuedMs: nowMs}
}

func TestIteratorKey_SealOpen_RoundTrip(t *testing.T) {
	k, _ := mustOpenIteratorKey(t)
	r := testutil.Rand(t)
	const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
	for range 2000 {
		name := make([]byte, 1+r.IntN(kinesis.MaxStreamNameLen))
		for i := range name {
			name[i] = nameChars[r.IntN(len(nameChars))]
		}
		want := stream.Iterator{
			Stream:      string(name),
			Incarnation: r.Int64(),
			ShardIndex:  int(r.Int32()),
			Offset:      r.Uint64(),
			IssuedMs:    nowMs - r.Int64N(300001),
		}
		s := k.Seal(want)
		got, err := k.Open(s, nowMs)
		if err != nil || got != want {
			t.Fatalf("Open(Seal(%+v)) = %+v, %v", want, got, err)
		}
		checkAWSShape(t, s)
	}
}

// checkAWSShape checks what kinesalite's tests (written against AWS) check of an iterator:
// canonical base64 of 152 + 16k bytes that start with 00 00 00 00 00 00 00 01.
func checkAWSShape(t *testing.T, s string) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || base64.StdEncoding.EncodeToString(raw) != s {
		t.Fatalf("iterator %q is not canonical base64: %v", s, err)
	}
	if len(s) > kinesis.MaxShardIteratorLen || len(raw) < 152 || len(raw) > 280 || (len(raw)-152)%16 != 0 {
		t.Fatalf("iterator of %d characters, %d bytes; want at most 512 characters and 152 + 16k bytes up to 280", len(s), len(raw))
	}
	if !bytes.Equal(raw[:8], []byte{0, 0, 0, 0, 0, 0, 0, 1}) {
		t.Fatalf("iterator starts with % x, want 00 00 00 00 00 00 00 01", raw[:8])
	}
	// The 11th character holds the prefix's last four bits and two of the next byte.
	if !strings.HasPrefix(s, "AAAAAAAAAA") || !strings.Contains("EFGH", s[10:11]) {
		t.Fatalf("iterator %q does not start like AWS's (AAAAAAAAAAE to AAAAAAAAAAH)", s)
	}
}

func TestIteratorKey_Seal_Sizes(t *testing.T) {
	k, _ := mustOpenIteratorKey(t)
	tests := []struct {
		nameLen   int
		wantBytes int
	}{
		{1, 152}, {86, 152}, {87, 168}, {102, 168}, {103, 184}, {118, 184}, {119, 200}, {128, 200},
	}
	for _, tt := range tests {
		it := testIterator()
		it.Stream = strings.Repeat("s", tt.nameLen)
		raw, _ := base64.StdEncoding.DecodeString(k.Seal(it))
		if len(raw) != tt.wantBytes {
			t.Errorf("Seal(name of %d bytes) = %d bytes, want %d", tt.nameLen, len(raw), tt.wantBytes)
		}
	}
}

func TestIteratorKey_Seal_FreshNonce(t *testing.T) {
	k, _ := mustOpenIteratorKey(t)
	it := testIterator()
	a, b := k.Seal(it), k.Seal(it)
	if a == b {
		t.Errorf("Seal of the same iterator twice gave the same string %q", a)
	}
	if got := string(k.AppendSeal([]byte("x"), it)); !strings.HasPrefix(got, "xAAAAAAAAAA") {
		t.Errorf("AppendSeal(x) = %q, want x and an iterator", got)
	}
}

func TestIteratorKey_Open_Expiry(t *testing.T) {
	k, _ := mustOpenIteratorKey(t)
	it := testIterator()
	s := k.Seal(it)
	tests := []struct {
		name    string
		nowMs   int64
		expired bool
	}{
		{"just issued", it.IssuedMs, false},
		{"clock stepped back", it.IssuedMs - 1000, false},
		{"at the limit", it.IssuedMs + 300000, false},
		{"one ms past", it.IssuedMs + 300001, true},
		{"an hour later", it.IssuedMs + 3600000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.Open(s, tt.nowMs)
			if !tt.expired {
				if err != nil || got != it {
					t.Fatalf("Open at %d = %+v, %v, want %+v", tt.nowMs, got, err, it)
				}
				return
			}
			want := stream.ExpiredIterator(it.IssuedMs, tt.nowMs)
			if !errors.Is(err, want) {
				t.Fatalf("Open at %d error = %v, want %v", tt.nowMs, err, want)
			}
		})
	}
}

func TestIteratorKey_Open_Invalid(t *testing.T) {
	k, _ := mustOpenIteratorKey(t)
	other, _ := mustOpenIteratorKey(t)
	s := k.Seal(testIterator())
	raw, _ := base64.StdEncoding.DecodeString(s)
	withRaw := func(f func(b []byte) []byte) string {
		b := f(bytes.Clone(raw))
		return base64.StdEncoding.EncodeToString(b)
	}
	tests := []struct {
		name string
		s    string
	}{
		{"empty", ""},
		{"not base64", strings.Repeat("!", len(s))},
		{"unpadded", strings.TrimRight(base64.StdEncoding.EncodeToString(raw[:152-1]), "=")},
		{"non-canonical padding bits", s[:len(s)-4] + nonCanonicalTail(s[len(s)-4:])},
		{"raw URL alphabet", strings.NewReplacer("+", "-", "/", "_").Replace(s) + "-_"},
		{"newline", s[:10] + "\n" + s[10:]},
		{"carriage return", s[:10] + "\r" + s[10:]},
		{"too long", s + strings.Repeat("A", kinesis.MaxShardIteratorLen)},
		{"kinesalite iterator", "AAAAAAAAAAGK9EEG0sJqVhCUS2JsgigQ5dcpB4q9PYswrH2oK44Skbjtm+WR0xA0/hUgjSXOoAd17GiCu8Cn0aMJE4Ss+vlZ4PpODtbPUVXD2iz9wXNQCPXGtqoqbt80VXoQKyXMTO60fJV9xQ3HbgLq00gb2fAn5VUhN8iQ3wC+trHOIMIZazZjRjaSsLEUyIQEgcb+fbkgbpChlcDiWrfSwuYrn+88qnE+k2Lm/4ufjv63yoRVVmJuA/5BJ4X7W2TgHnnmQ25Xzry1chtQ3y8eD3X6CU7RLCDDkw6ziO/2i0SsAo0T+5MPnUCtaDFbbMYNdqp2xeuWpzTLoqBYlhFXOmUG6nXBgS/HV9tffRzHTfkM+dvX3D5hjhp/YlRGTJe2eutDrKdhSFrSbTLQUJTp39ry+nu9/OG1hBa1oLUj+Xyd9/XGSPAY2oA8aGAZlPjSZFRSBZoN7EU55tIyahmuBwmXf+xqaGNrvHcIKkGRGN1nG3Q4lbD"},
		{"truncated", withRaw(func(b []byte) []byte { return b[:len(b)-16] })},
		{"extended", withRaw(func(b []byte) []byte { return append(b, make([]byte, 16)...) })},
		{"wrong prefix", withRaw(func(b []byte) []byte { b[7] = 2; return b })},
		{"other key", other.Seal(testIterator())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkInvalid(t, k, tt.s)
		})
	}
}

// nonCanonicalTail changes the last quantum of base64 so that it decodes to the same bytes
// with non-zero padding bits, which strict decoding rejects.
func nonCanonicalTail(q string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	switch {
	case strings.HasSuffix(q, "=="):
		i := strings.IndexByte(alphabet, q[1])
		return q[:1] + string(alphabet[i|1]) + "=="
	case strings.HasSuffix(q, "="):
		i := strings.IndexByte(alphabet, q[2])
		return q[:2] + string(alphabet[i|1]) + "="
	}
	return "A==="
}

func checkInvalid(t *testing.T, k *stream.IteratorKey, s string) {
	t.Helper()
	it, err := k.Open(s, nowMs)
	if !errors.Is(err, stream.InvalidShardIterator()) {
		t.Fatalf("Open(%.40q…) = %+v, %v, want InvalidShardIterator", s, it, err)
	}
}

func TestIteratorKey_Open_EveryBitFlip(t *testing.T) {
	k, _ := mustOpenIteratorKey(t)
	raw, _ := base64.StdEncoding.DecodeString(k.Seal(testIterator()))
	for i := range raw {
		for bit := range 8 {
			if testing.Short() && bit > 0 {
				break
			}
			b := bytes.Clone(raw)
			b[i] ^= 1 << bit
			checkInvalid(t, k, base64.StdEncoding.EncodeToString(b))
		}
	}
}

func TestOpenIteratorKey_SurvivesRestart(t *testing.T) {
	k1, dir := mustOpenIteratorKey(t)
	s := k1.Seal(testIterator())

	info, err := os.Stat(filepath.Join(dir, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 || info.Size() != stream.SecretSize {
		t.Errorf("secret: mode %v, %d bytes; want 0600, %d bytes", info.Mode().Perm(), info.Size(), stream.SecretSize)
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("secret.tmp left behind: %v", err)
	}

	k2, err := stream.OpenIteratorKey(dir)
	if err != nil {
		t.Fatalf("OpenIteratorKey again: %v", err)
	}
	if got, err := k2.Open(s, nowMs); err != nil || got != testIterator() {
		t.Errorf("after reopening, Open = %+v, %v, want %+v", got, err, testIterator())
	}
}

func TestOpenIteratorKey_CreatesDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := stream.OpenIteratorKey(dir); err != nil {
		t.Fatalf("OpenIteratorKey(%s): %v", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "secret")); err != nil {
		t.Errorf("no secret in the new data dir: %v", err)
	}
}

func TestOpenIteratorKey_LeftoverTmp(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.tmp"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	k, err := stream.OpenIteratorKey(dir)
	if err != nil {
		t.Fatalf("OpenIteratorKey with a stray secret.tmp: %v", err)
	}
	if got, err := k.Open(k.Seal(testIterator()), nowMs); err != nil || got != testIterator() {
		t.Errorf("Open = %+v, %v", got, err)
	}
}

func TestOpenIteratorKey_BadSecret(t *testing.T) {
	for _, size := range []int{0, 16, 31, 33, 64} {
		dir := t.TempDir()
		path := filepath.Join(dir, "secret")
		if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := stream.OpenIteratorKey(dir)
		if !errors.Is(err, stream.ErrBadSecret) || !strings.Contains(err.Error(), path) {
			t.Errorf("OpenIteratorKey with a %d-byte secret: error = %v, want ErrBadSecret naming %s", size, err, path)
		}
	}
	if _, err := stream.NewIteratorKey(make([]byte, 16)); !errors.Is(err, stream.ErrBadSecret) {
		t.Errorf("NewIteratorKey(16 bytes) error = %v, want ErrBadSecret", err)
	}
}

func TestIteratorKey_Seal_PanicsOnLongName(t *testing.T) {
	k, _ := mustOpenIteratorKey(t)
	defer func() {
		if recover() == nil {
			t.Errorf("Seal with a 129-byte stream name did not panic")
		}
	}()
	it := testIterator()
	it.Stream = strings.Repeat("s", kinesis.MaxStreamNameLen+1)
	k.Seal(it)
}

func BenchmarkIteratorKey_SealOpen(b *testing.B) {
	k, _ := mustOpenIteratorKey(b)
	it := testIterator()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = k.AppendSeal(buf[:0], it)
		got, err := k.Open(string(buf), nowMs)
		if err != nil || got.Offset != it.Offset {
			b.Fatal(got, err)
		}
		it.Offset++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "iterators/s")
}

func BenchmarkIteratorKey_Seal(b *testing.B) {
	k, _ := mustOpenIteratorKey(b)
	it := testIterator()
	b.ReportAllocs()
	for b.Loop() {
		k.Seal(it)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "iterators/s")
}
