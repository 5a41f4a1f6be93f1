package segment_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shardlog/shardlog/segment"
)

// Payloads: every benchmark record is log-like text, a fixed field layout with random digits
// in a quarter of its bytes, so it is random-ish but compressible (s2 about 1.7x, zstd about
// 2.5x). Keys are 16-byte user ids from a set of 64.

var benchSizes = []struct {
	name string
	n    int
}{{"100B", 100}, {"1KiB", 1024}}

var benchBatches = []int{1, 100, 500}

// benchRecords returns n records of size data bytes each.
func benchRecords(n, size int) []segment.Record {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(size)))
	const layout = "ts=0000000000 level=info user=0000 event=page_view path=/items/0000 ms=000 "
	recs := make([]segment.Record, n)
	for i := range recs {
		data := make([]byte, size)
		for j := range data {
			data[j] = layout[j%len(layout)]
			if j%4 == 0 {
				data[j] = byte('0' + rng.IntN(10))
			}
		}
		recs[i] = segment.Record{
			TimeMs:       1_700_000_000_000,
			PartitionKey: fmt.Appendf(nil, "user-%011d", rng.IntN(64)),
			Data:         data,
		}
	}
	return recs
}

func payloadBytes(recs []segment.Record) int64 {
	var n int64
	for _, r := range recs {
		n += int64(len(r.PartitionKey) + len(r.Data))
	}
	return n
}

func reportRecords(b *testing.B, perOp int) {
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "records/s")
}

// cpuMeter measures the CPU time the process spends during a benchmark loop. On a shared
// machine the wall-clock figures (ns/op, records/s) also count the time the benchmark waited
// for a CPU; cpu-ns/record does not, so it is the figure to compare between benchmarks of one
// run when the machine is busy.
type cpuMeter struct {
	start time.Duration
	ok    bool
}

func startCPU() cpuMeter {
	t, ok := processCPU()
	return cpuMeter{t, ok}
}

// report adds cpu-ns/record for records records.
func (m cpuMeter) report(b *testing.B, records int) {
	t, ok := processCPU()
	if m.ok && ok && records > 0 {
		b.ReportMetric(float64(t-m.start)/float64(records), "cpu-ns/record")
	}
}

// BenchmarkWriter_Append appends batches into the page cache, with and without an fdatasync
// after each batch. The segment is replaced every 64 MiB, outside the timer.
func BenchmarkWriter_Append(b *testing.B) {
	for _, size := range benchSizes {
		for _, batch := range benchBatches {
			for _, c := range codecs {
				for _, sync := range []bool{false, true} {
					name := fmt.Sprintf("size=%s/batch=%d/codec=%s/sync=%v", size.name, batch, c, sync)
					b.Run(name, func(b *testing.B) { benchAppend(b, benchRecords(batch, size.n), c, sync) })
				}
			}
		}
	}
}

func benchAppend(b *testing.B, recs []segment.Record, c segment.Codec, sync bool) {
	dir := b.TempDir()
	opts := segment.WriterOptions{Codec: c}
	n := 0
	newWriter := func() *segment.Writer {
		n++
		w, err := segment.Create(filepath.Join(dir, fmt.Sprintf("%d.seg", n)), 0, 0, opts)
		if err != nil {
			b.Fatal(err)
		}
		return w
	}
	w := newWriter()
	b.SetBytes(payloadBytes(recs))
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if _, err := w.Append(recs); err != nil {
			b.Fatal(err)
		}
		if sync {
			if err := w.Sync(); err != nil {
				b.Fatal(err)
			}
		}
		if w.Size() > 64<<20 {
			b.StopTimer()
			rollBench(b, w)
			w = newWriter()
			b.StartTimer()
		}
	}
	reportRecords(b, len(recs))
	cpu.report(b, b.N*len(recs))
	rollBench(b, w)
}

func rollBench(b *testing.B, w *segment.Writer) {
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Remove(w.Path()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAppendBatch is the pure encoding into a reused buffer.
func BenchmarkAppendBatch(b *testing.B) {
	for _, size := range benchSizes {
		for _, batch := range benchBatches[1:] {
			for _, c := range codecs {
				b.Run(fmt.Sprintf("size=%s/batch=%d/codec=%s", size.name, batch, c), func(b *testing.B) {
					recs := benchRecords(batch, size.n)
					var buf []byte
					b.SetBytes(payloadBytes(recs))
					b.ReportAllocs()
					cpu := startCPU()
					for b.Loop() {
						var err error
						if buf, err = segment.AppendBatch(buf[:0], c, 0, recs); err != nil {
							b.Fatal(err)
						}
					}
					reportRecords(b, len(recs))
					cpu.report(b, b.N*len(recs))
					b.ReportMetric(float64(payloadBytes(recs))/float64(len(buf)), "ratio")
				})
			}
		}
	}
}

// BenchmarkDecodeBatch is the pure decoding into a reused record slice.
func BenchmarkDecodeBatch(b *testing.B) {
	for _, size := range benchSizes {
		for _, batch := range benchBatches[1:] {
			for _, c := range codecs {
				b.Run(fmt.Sprintf("size=%s/batch=%d/codec=%s", size.name, batch, c), func(b *testing.B) {
					recs := benchRecords(batch, size.n)
					buf, err := segment.AppendBatch(nil, c, 0, recs)
					if err != nil {
						b.Fatal(err)
					}
					var dst []segment.Record
					b.SetBytes(payloadBytes(recs))
					b.ReportAllocs()
					for b.Loop() {
						if _, dst, err = segment.DecodeBatch(dst, buf); err != nil {
							b.Fatal(err)
						}
					}
					reportRecords(b, len(recs))
				})
			}
		}
	}
}

// benchSegment writes a segment of about 64 MiB of 100-byte records in batches of 500.
func benchSegment(b *testing.B, c segment.Codec) (path string, end int64, records int) {
	path = filepath.Join(b.TempDir(), "bench.seg")
	w, err := segment.Create(path, 0, 0, segment.WriterOptions{Codec: c, PreallocateBytes: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	recs := benchRecords(500, 100)
	for payload := int64(0); payload < 64<<20; payload += payloadBytes(recs) {
		if _, err := w.Append(recs); err != nil {
			b.Fatal(err)
		}
		records += len(recs)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path, w.Size(), records
}

// BenchmarkReader_ReadBatch reads a 64 MiB segment batch by batch, from the start again at
// its end. An op is one batch of 500 records of 100 bytes.
func BenchmarkReader_ReadBatch(b *testing.B) {
	for _, c := range codecs {
		b.Run("size=100B/batch=500/codec="+c.String(), func(b *testing.B) {
			path, end, _ := benchSegment(b, c)
			r, err := segment.OpenReader(path, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			var recs []segment.Record
			pos := int64(segment.HeaderSize)
			b.SetBytes(payloadBytes(benchRecords(500, 100)))
			b.ReportAllocs()
			for b.Loop() {
				info, got, err := r.ReadBatch(recs, pos, end)
				if errors.Is(err, io.EOF) {
					pos = segment.HeaderSize
					info, got, err = r.ReadBatch(recs, pos, end)
				}
				if err != nil {
					b.Fatal(err)
				}
				pos, recs = info.End(), got
			}
			reportRecords(b, 500)
		})
	}
}

// BenchmarkScan verifies a 64 MiB segment (page cache warm), as recovery does.
func BenchmarkScan(b *testing.B) {
	for _, c := range codecs {
		b.Run("codec="+c.String(), func(b *testing.B) {
			path, end, records := benchSegment(b, c)
			b.SetBytes(end)
			b.ReportAllocs()
			for b.Loop() {
				res, err := segment.Scan(path, segment.ScanOptions{})
				if err != nil || res.End != end {
					b.Fatalf("Scan = %+v, %v; want end %d", res, err, end)
				}
			}
			reportRecords(b, records)
		})
	}
}

// BenchmarkMemcpy copies 64 MiB: the ceiling the read and scan numbers compare with.
func BenchmarkMemcpy(b *testing.B) {
	src := make([]byte, 64<<20)
	dst := make([]byte, len(src))
	for i := range src {
		src[i] = byte(i)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		copy(dst, src)
	}
}
