package shard_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// jsonBatch returns n JSON events that compress well, numbered from id.
func jsonBatch(id, n int) []segment.Record {
	recs := make([]segment.Record, n)
	for i := range recs {
		recs[i] = segment.Record{
			PartitionKey: fmt.Appendf(nil, "user-%d", (id+i)%13),
			Data: fmt.Appendf(nil, `{"event":"page_view","user":"user-%d","path":"/items/%d","referrer":"https://example.com/search?q=shoes","ms":%d}`,
				(id+i)%13, (id+i)*7%1000, (id+i)%250),
		}
	}
	return recs
}

// randomBatch returns n records of size random bytes, which no codec can shrink.
func randomBatch(rng *rand.Rand, n, size int) []segment.Record {
	recs := make([]segment.Record, n)
	for i := range recs {
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		recs[i] = segment.Record{PartitionKey: fmt.Appendf(nil, "k%d", i), Data: data}
	}
	return recs
}

// storedCodecs returns the codec of every batch of the closed shard in dir, in log order.
func storedCodecs(t *testing.T, dir string) []segment.Codec {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	require.NoError(t, err)
	slices.Sort(paths)
	var codecs []segment.Codec
	for _, p := range paths {
		_, err := segment.Scan(p, segment.ScanOptions{Batch: func(b segment.BatchInfo) { codecs = append(codecs, b.Codec) }})
		require.NoError(t, err)
	}
	return codecs
}

// codecRuns spells a sequence of codecs as runs, such as "none×8 s2×3", for messages that
// can be read.
func codecRuns(cs []segment.Codec) string {
	var b strings.Builder
	for i := 0; i < len(cs); {
		j := i
		for j < len(cs) && cs[j] == cs[i] {
			j++
		}
		fmt.Fprintf(&b, "%s×%d ", cs[i], j-i)
		i = j
	}
	return strings.TrimSpace(b.String())
}

// The rules of compression, batch by batch, on a shard that compresses: a batch that would
// not save 10 % is stored raw; after 8 such batches in a row the shard stops trying, and
// tries only every 16th batch; the first of those that compresses resumes compression of
// every batch. Each input below is a sequence of batches, random (r) or JSON (j); the want
// is the codec each batch is stored with, as runs.
func TestShard_CompressionRules(t *testing.T) {
	tests := []struct {
		name  string
		input string // one letter a batch: r random, j JSON
		want  string
		// batches tried but stored raw, not tried, stored compressed
		misses, skips, compressed uint64
	}{
		{
			name:  "JSON compresses",
			input: strings.Repeat("j", 5),
			want:  "s2×5", compressed: 5,
		},
		{
			name:  "random is stored raw and, after 8 misses, not tried",
			input: strings.Repeat("r", 8+15+1+15+1+3),
			// tried 8 times (misses), then 15 untried, the 16th tried (a miss), and so on
			want:   "none×43",
			misses: 8 + 1 + 1, skips: 15 + 15 + 3,
		},
		{
			name: "a tried batch that compresses resumes compression",
			// 8 misses, 15 untried (the JSON among them stored raw), the 16th tried: JSON
			input:  strings.Repeat("r", 8) + strings.Repeat("r", 5) + strings.Repeat("j", 10) + "j" + strings.Repeat("j", 4),
			want:   "none×23 s2×5",
			misses: 8, skips: 15, compressed: 5,
		},
		{
			name: "fewer than 8 misses in a row never stop the attempts",
			input: strings.Repeat("rrrrrrrj", 3) + // 7 misses, then a hit, three times
				strings.Repeat("r", 8) + "j", // 8 misses: the JSON batch after them is not tried
			want:   "none×7 s2×1 none×7 s2×1 none×7 s2×1 none×9",
			misses: 7*3 + 8, skips: 1, compressed: 3,
		},
		{
			name:   "a tried batch that misses starts another 15 untried",
			input:  strings.Repeat("r", 8+15) + "r" + strings.Repeat("j", 15) + "j" + "j",
			want:   "none×39 s2×2",
			misses: 8 + 1, skips: 15 + 15, compressed: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := shard.Open(dir, shard.Options{Codec: segment.CodecS2, Sync: shard.SyncNone})
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(1, 2))
			var want [][]segment.Record
			for i, c := range tt.input {
				recs := jsonBatch(i*20, 20)
				if c == 'r' {
					recs = randomBatch(rng, 20, 200)
				}
				_, _, err := s.Append(recs)
				require.NoError(t, err, "Append batch %d", i)
				want = append(want, recs)
			}
			st := s.Stats()
			require.Equal(t, [3]uint64{tt.misses, tt.skips, tt.compressed},
				[3]uint64{st.CompressMissedBatches, st.CompressSkippedBatches, st.CompressedBatches},
				"Stats: batches missed, skipped, compressed")
			got := readAll(t, s, 0)
			require.NoError(t, s.Close())
			require.Equal(t, tt.want, codecRuns(storedCodecs(t, dir)), "codecs of the stored batches for input %s", tt.input)
			requireSame(t, slices.Concat(want...), got)
			checkShard(t, dir, shard.Options{})
		})
	}
}

// requireSame checks that got holds want's keys and data, byte for byte, from offset 0.
func requireSame(t *testing.T, want, got []segment.Record) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, uint64(i), got[i].Offset, "record %d offset", i)
		require.True(t, bytes.Equal(want[i].PartitionKey, got[i].PartitionKey), "record %d key %q, want %q", i, got[i].PartitionKey, want[i].PartitionKey)
		require.True(t, bytes.Equal(want[i].Data, got[i].Data), "record %d data differs", i)
	}
}

// A shard reopened with another codec reads what the earlier ones wrote, byte for byte, and
// writes its new batches with the new codec.
func TestShard_CodecChangeOnReopen(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	var want [][]segment.Record
	var codecs []segment.Codec
	for i, c := range []segment.Codec{segment.CodecS2, segment.CodecZstd, segment.CodecNone, segment.CodecS2} {
		s, err := shard.Open(dir, shard.Options{Codec: c, MaxSegmentBytes: 8 << 10})
		require.NoError(t, err)
		for j := range 3 {
			recs := jsonBatch(100*i+10*j, 10)
			recs = append(recs, randomBatch(rng, 1, 50)...) // some bytes no codec shrinks
			_, _, err := s.Append(recs)
			require.NoError(t, err)
			want = append(want, recs)
			codecs = append(codecs, c)
		}
		requireSame(t, slices.Concat(want...), readAll(t, s, 0))
		require.NoError(t, s.Close())
	}
	require.Equal(t, codecs, storedCodecs(t, dir), "codecs of the stored batches")
	for _, c := range []segment.Codec{segment.CodecNone, segment.CodecS2, segment.CodecZstd} {
		s, err := shard.Open(dir, shard.Options{Codec: c})
		require.NoError(t, err)
		requireSame(t, slices.Concat(want...), readAll(t, s, 0))
		require.NoError(t, s.Close())
	}
	checkShard(t, dir, shard.Options{})
}

// A flipped byte inside a compressed batch of a sealed segment is found by the batch CRC,
// which covers the bytes as stored: the read fails with a CorruptionError at that batch, and
// no record of it or after it is served.
func TestShard_CompressedBatchDamaged(t *testing.T) {
	for _, c := range []segment.Codec{segment.CodecS2, segment.CodecZstd} {
		t.Run("codec="+c.String(), func(t *testing.T) {
			dir := t.TempDir()
			opts := shard.Options{Codec: c, MaxSegmentBytes: 4 << 10}
			s, err := shard.Open(dir, opts)
			require.NoError(t, err)
			for i := range 6 {
				_, _, err := s.Append(jsonBatch(i*40, 40))
				require.NoError(t, err)
			}
			require.NoError(t, s.Close())
			path := filepath.Join(dir, "00000000000000000000.seg")
			var batches []segment.BatchInfo
			_, err = segment.Scan(path, segment.ScanOptions{Batch: func(b segment.BatchInfo) { batches = append(batches, b) }})
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(batches), 2, "batches in the first segment")
			damaged := batches[1]
			require.Equal(t, c, damaged.Codec, "codec of the batch to damage")
			testutil.FlipByte(t, path, damaged.Position+damaged.Size/2)

			s, err = shard.Open(dir, opts)
			require.NoError(t, err, "a clean open does not read sealed segments")
			defer s.Close()
			var served []uint64
			_, err = s.Read(0, 0, 0, func(r segment.Record) error {
				served = append(served, r.Offset)
				return nil
			})
			var ce *segment.CorruptionError
			require.ErrorAs(t, err, &ce, "Read over the damaged batch")
			require.Equal(t, path, ce.Path)
			require.Equal(t, damaged.Position, ce.Offset, "position of the damaged batch")
			require.Contains(t, ce.Reason, "batch crc")
			require.Len(t, served, batches[0].Count, "records served: only those of the batch before the damage")
		})
	}
}

// Readers of a compressed shard each decompress into buffers of their own: concurrent reads,
// while batches are appended, all see every record as written.
func TestShard_CompressedConcurrentReads(t *testing.T) {
	for _, c := range []segment.Codec{segment.CodecS2, segment.CodecZstd} {
		t.Run("codec="+c.String(), func(t *testing.T) {
			s := mustOpen(t, t.TempDir(), shard.Options{Codec: c, Sync: shard.SyncNone, MaxSegmentBytes: 16 << 10})
			const batches, perBatch = 40, 25
			var want []segment.Record
			for i := range batches {
				want = append(want, jsonBatch(i*perBatch, perBatch)...)
			}
			done := make(chan error, 4)
			for range cap(done) {
				go func() {
					for {
						tip := s.NextOffset()
						var err error
						n := uint64(0)
						_, err = s.Read(0, 0, 0, func(r segment.Record) error {
							if w := want[r.Offset]; !bytes.Equal(w.Data, r.Data) || !bytes.Equal(w.PartitionKey, r.PartitionKey) {
								return fmt.Errorf("record %d: %q, want %q", r.Offset, r.Data, w.Data)
							}
							n++
							return nil
						})
						if err == nil && n < tip {
							err = fmt.Errorf("read %d records, tip was %d", n, tip)
						}
						if err != nil || tip == uint64(len(want)) {
							done <- err
							return
						}
					}
				}()
			}
			for i := range batches {
				_, _, err := s.Append(want[i*perBatch : (i+1)*perBatch])
				require.NoError(t, err)
			}
			for range cap(done) {
				require.NoError(t, <-done)
			}
			require.Positive(t, s.Stats().CompressedBatches)
		})
	}
}
