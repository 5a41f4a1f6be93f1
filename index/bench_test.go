package index_test

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/shardlog/shardlog/index"
	"github.com/shardlog/shardlog/segment"
)

// Benchmark segments are 64 MiB of 4 KiB batches of 40 records each (about 100 B per record),
// indexed at the default 4 KiB interval: every batch is kept, 16384 entries, the densest index
// a default shard segment gets.
const (
	benchSegmentBytes = 64 << 20
	benchBatchBytes   = 4096
	benchBatchRecords = 40
)

func benchIndex(b *testing.B) (*index.Index, index.Meta) {
	b.Helper()
	x := index.New(0, 0)
	var off uint64
	var ms int64 = 1_767_225_600_000
	for pos := int64(0); pos < benchSegmentBytes; pos += benchBatchBytes {
		x.Add(index.Entry{Offset: off, Position: pos, TimeMs: ms})
		off += benchBatchRecords
		ms++
	}
	m := index.Meta{NextOffset: off, End: benchSegmentBytes, FirstTimeMs: 1_767_225_600_000, LastTimeMs: ms}
	return x, m
}

// benchSources returns the benchmark index in memory and opened (mapped) from a file.
func benchSources(b *testing.B) []struct {
	name string
	x    *index.Index
	m    index.Meta
} {
	x, m := benchIndex(b)
	path := filepath.Join(b.TempDir(), "00000000000000000000.idx")
	if err := x.WriteFile(path, m); err != nil {
		b.Fatal(err)
	}
	y, _, err := index.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { y.Close() })
	return []struct {
		name string
		x    *index.Index
		m    index.Meta
	}{{"memory", x, m}, {"mapped", y, m}}
}

func BenchmarkIndex_Seek(b *testing.B) {
	for _, src := range benchSources(b) {
		b.Run("segment=64MiB/interval=4KiB/source="+src.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			targets := make([]uint64, 4096)
			for i := range targets {
				targets[i] = r.Uint64N(src.m.NextOffset)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := src.x.Seek(targets[i%len(targets)]); !ok {
					b.Fatal("Seek on a full index: not ok")
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeks/s")
		})
	}
}

func BenchmarkIndex_SeekTime(b *testing.B) {
	for _, src := range benchSources(b) {
		b.Run("segment=64MiB/interval=4KiB/source="+src.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			targets := make([]int64, 4096)
			for i := range targets {
				targets[i] = src.m.FirstTimeMs + r.Int64N(src.m.LastTimeMs-src.m.FirstTimeMs+1)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := src.x.SeekTime(targets[i%len(targets)]); !ok {
					b.Fatal("SeekTime on a full index: not ok")
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeks/s")
		})
	}
}

// BenchmarkIndex_Add measures the per-batch cost of building an index while appending.
func BenchmarkIndex_Add(b *testing.B) {
	for _, tc := range []struct {
		name     string
		interval int64
	}{{"interval=4KiB", 4096}, {"interval=1B", 1}} {
		b.Run("batch=4KiB/"+tc.name, func(b *testing.B) {
			x := index.New(0, tc.interval)
			var off uint64
			var pos int64
			b.ReportAllocs()
			b.SetBytes(benchBatchBytes) // segment bytes indexed per Add
			for b.Loop() {
				x.Add(index.Entry{Offset: off, Position: pos, TimeMs: int64(off)})
				off += benchBatchRecords
				pos += benchBatchBytes
			}
			b.ReportMetric(float64(b.N*benchBatchRecords)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkOpen measures opening a sealed segment's index: map, checksum, consistency check.
func BenchmarkOpen(b *testing.B) {
	x, m := benchIndex(b)
	path := filepath.Join(b.TempDir(), "00000000000000000000.idx")
	if err := x.WriteFile(path, m); err != nil {
		b.Fatal(err)
	}
	b.Run("segment=64MiB/interval=4KiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(index.Encode(m, nil))) + int64(x.Len())*16)
		for b.Loop() {
			y, _, err := index.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			y.Close()
		}
	})
}

// BenchmarkIndex_WriteFile measures sealing: encode, write, fsync, rename, fsync directory.
func BenchmarkIndex_WriteFile(b *testing.B) {
	x, m := benchIndex(b)
	path := filepath.Join(b.TempDir(), "00000000000000000000.idx")
	b.Run("segment=64MiB/interval=4KiB/sync=true", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(index.Encode(m, nil))) + int64(x.Len())*16)
		for b.Loop() {
			if err := x.WriteFile(path, m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkIndex_SeekAndRead measures what a reader pays to start reading at an offset of a
// sealed 64 MiB segment: Seek, then decode batches forward from the entry's position until
// the batch that holds the offset (warm: segment and index in the page cache).
func BenchmarkIndex_SeekAndRead(b *testing.B) {
	dir := b.TempDir()
	segPath := filepath.Join(dir, "00000000000000000000.seg")
	w, err := segment.Create(segPath, 0, 1_767_225_600_000, segment.WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]segment.Record, benchBatchRecords)
	data := make([]byte, 100)
	for w.Size() < benchSegmentBytes {
		for i := range recs {
			recs[i] = segment.Record{TimeMs: 1_767_225_600_000, PartitionKey: []byte("pk"), Data: data}
		}
		if _, err := w.Append(recs); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	size, next := w.Size(), w.NextOffset()
	x, m, _, err := index.Load(filepath.Join(dir, "00000000000000000000.idx"), 0, size, 0, rebuildFrom(segPath))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	r, err := segment.OpenReader(segPath, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()

	b.Run("segment=64MiB/interval=4KiB/size=100B/batch=40", func(b *testing.B) {
		rnd := rand.New(rand.NewPCG(1, 2))
		targets := make([]uint64, 4096)
		for i := range targets {
			targets[i] = rnd.Uint64N(next)
		}
		var dst []segment.Record
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			off := targets[i%len(targets)]
			i++
			e, _ := x.Seek(off)
			for pos := e.Position; ; {
				info, got, err := r.ReadBatch(dst[:0], pos, m.End)
				if err != nil {
					b.Fatal(err)
				}
				dst = got
				if info.NextOffset() > off {
					break
				}
				pos = info.End()
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeks/s")
	})
}
