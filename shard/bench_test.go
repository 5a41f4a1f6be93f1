package shard_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// Payloads are random-looking but compressible bytes (letters a–z), like record() in the
// tests; keys are 16 bytes. Run these briefly while developing
// (-benchtime=200ms -count=1); bench/README.md records real runs.

// benchBatch returns n records of size bytes of data with 16-byte keys.
func benchBatch(n, size int) []segment.Record {
	recs := make([]segment.Record, n)
	for i := range recs {
		r := record(uint64(i), size)
		r.PartitionKey = fmt.Appendf(nil, "key-%012d", i)
		recs[i] = r
	}
	return recs
}

func BenchmarkShard_Append(b *testing.B) {
	const size, batchLen = 100, 500
	for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncInterval, shard.SyncNone} {
		for _, appenders := range []int{1, 8, 64} {
			name := fmt.Sprintf("size=%dB/batch=%d/codec=none/appenders=%d/sync=%v", size, batchLen, appenders, sync)
			b.Run(name, func(b *testing.B) {
				benchAppend(b, shard.Options{Sync: sync}, appenders, benchBatch(batchLen, size))
			})
		}
	}
	b.Run("size=100B/batch=500/codec=s2/appenders=8/sync=always", func(b *testing.B) {
		benchAppend(b, shard.Options{Codec: segment.CodecS2}, 8, benchBatch(batchLen, size))
	})
}

// benchAppend measures appenders goroutines appending recs as fast as they can: each
// b.Loop iteration hands one batch to a free appender. It reports records/s and the p50 and
// p99 latency of one Append.
func benchAppend(b *testing.B, opts shard.Options, appenders int, recs []segment.Record) {
	s, err := shard.Open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	work := make(chan struct{})
	lat := make([][]time.Duration, appenders)
	var wg sync.WaitGroup
	for w := range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				start := time.Now()
				if _, _, err := s.Append(recs); err != nil {
					b.Error(err)
				}
				lat[w] = append(lat[w], time.Since(start))
			}
		}()
	}
	b.SetBytes(int64(batchBytes(recs)))
	b.ReportAllocs()
	for b.Loop() {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	if st := s.Stats(); st.Syncs > 0 {
		b.ReportMetric(float64(st.Appends)/float64(st.Syncs), "batches/sync")
	}
}

// batchBytes returns the Data+PartitionKey bytes of recs.
func batchBytes(recs []segment.Record) int {
	n := 0
	for _, r := range recs {
		n += len(r.Data) + len(r.PartitionKey)
	}
	return n
}

func BenchmarkShard_Read(b *testing.B) {
	for _, codec := range []segment.Codec{segment.CodecNone, segment.CodecS2} {
		b.Run(fmt.Sprintf("size=100B/batch=500/codec=%v", codec), func(b *testing.B) {
			s, err := shard.Open(b.TempDir(), shard.Options{Sync: shard.SyncNone, Codec: codec})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			recs := benchBatch(500, 100)
			for range 400 { // 200,000 records, about 23 MB
				if _, _, err := s.Append(recs); err != nil {
					b.Fatal(err)
				}
			}
			n := int(s.NextOffset())
			b.SetBytes(int64(400 * batchBytes(recs)))
			b.ReportAllocs()
			for b.Loop() {
				got := 0
				if _, err := s.Read(0, 0, 0, func(segment.Record) error { got++; return nil }); err != nil {
					b.Fatal(err)
				}
				if got != n {
					b.Fatalf("read %d records, want %d", got, n)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func BenchmarkShard_Recover(b *testing.B) {
	const tail = 64 << 20
	b.Run("tail=64MiB", func(b *testing.B) {
		dir := b.TempDir()
		opts := shard.WithCheckpointBytes(shard.Options{Sync: shard.SyncNone, MaxSegmentBytes: 2 * tail}, 1<<40)
		s, err := shard.Open(dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		recs := benchBatch(500, 100)
		for s.Stats().Bytes < tail {
			if _, _, err := s.Append(recs); err != nil {
				b.Fatal(err)
			}
		}
		scanned := s.Stats().Bytes
		s.Abandon()
		manifest, err := os.ReadFile(filepath.Join(dir, "manifest"))
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(scanned)
		for b.Loop() {
			s, err := shard.Open(dir, opts) // scans the whole tail: there is no checkpoint
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if got := s.Stats().RecoveredBytes; got < scanned*9/10 {
				b.Fatalf("recovery scanned %d bytes, want about %d", got, scanned)
			}
			s.Abandon()
			// Back to the state before the recovery checkpoint.
			os.Remove(filepath.Join(dir, "00000000000000000000.idx"))
			if err := os.WriteFile(filepath.Join(dir, "manifest"), manifest, 0o644); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/(float64(scanned)/(1<<30)), "s/GiB")
	})
}

func BenchmarkShard_Open(b *testing.B) {
	const segments = 1000
	b.Run(fmt.Sprintf("segments=%d/clean", segments), func(b *testing.B) {
		dir := b.TempDir()
		opts := shard.Options{Sync: shard.SyncNone, MaxSegmentBytes: 1 << 10}
		s, err := shard.Open(dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		recs := benchBatch(10, 100)
		for s.Stats().Segments < segments {
			if _, _, err := s.Append(recs); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			s, err := shard.Open(dir, opts)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if st := s.Stats(); st.Segments != segments || st.RecoveredBytes != 0 {
				b.Fatalf("open found %d segments and scanned %d bytes", st.Segments, st.RecoveredBytes)
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/open")
	})
}

// BenchmarkShard_Idle opens idle shards (each with sealed segments that were read before
// the restart) and reports what one holds: file descriptors, memory mappings and heap.
func BenchmarkShard_Idle(b *testing.B) {
	const shards = 100
	dirs := make([]string, shards)
	opts := shard.Options{MaxSegmentBytes: 4 << 10}
	recs := benchBatch(20, 100)
	for i := range dirs {
		dirs[i] = b.TempDir()
		s, err := shard.Open(dirs[i], opts)
		if err != nil {
			b.Fatal(err)
		}
		for range 5 {
			if _, _, err := s.Append(recs); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	var fds, maps, heap float64
	for b.Loop() {
		runtime.GC()
		fd0, map0, heap0 := countFDs(b), countMaps(b), heapBytes()
		open := make([]*shard.Shard, shards)
		for i, dir := range dirs {
			s, err := shard.Open(dir, opts)
			if err != nil {
				b.Fatal(err)
			}
			open[i] = s
		}
		runtime.GC()
		fds = float64(countFDs(b)-fd0) / shards
		maps = float64(countMaps(b)-map0) / shards
		heap = float64(heapBytes()-heap0) / shards
		for _, s := range open {
			s.Close()
		}
	}
	b.ReportMetric(fds, "fds/shard")
	b.ReportMetric(maps, "mappings/shard")
	b.ReportMetric(heap, "heap-B/shard")
}

// countFDs returns the number of open file descriptors of the process.
func countFDs(b *testing.B) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		b.Skip("no /proc/self/fd")
	}
	return len(entries)
}

// countMaps returns the number of memory mappings of the process.
func countMaps(b *testing.B) int {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		b.Skip("no /proc/self/maps")
	}
	return bytes.Count(data, []byte("\n"))
}

func heapBytes() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
