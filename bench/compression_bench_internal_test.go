package bench

import (
	"fmt"
	"testing"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/shard"
)

// The compression benchmarks measure what a codec costs and saves in the engine, as
// `shardlog serve --compression` would use it: one shard, batches of 500 events of 200 to 500
// bytes (as one PutRecords call of them makes), written into the page cache (no fdatasync, so
// that disk latency does not hide the codec's CPU) and read back batch by batch. Each reports:
//
//	cpu-ns/record    user + system CPU time of the process per record (getrusage)
//	disk/payload     segment bytes per byte of record payload (partition key + data)
//
// Run them with codec=none in the same invocation and read ratios to it.

const (
	compressBatchRecords = 500 // events per batch
	compressBatches      = 16  // distinct batches cycled through
)

// eventBatches returns compressBatches batches of compressBatchRecords events of kind.
func eventBatches(kind payloadKind) [][]segment.Record {
	g := newEventGen(kind, 14)
	batches := make([][]segment.Record, compressBatches)
	for i := range batches {
		recs := make([]segment.Record, compressBatchRecords)
		for j := range recs {
			recs[j].PartitionKey, recs[j].Data = g.next()
		}
		batches[i] = recs
	}
	return batches
}

func recordBytes(recs []segment.Record) int64 {
	var n int64
	for _, r := range recs {
		n += int64(len(r.PartitionKey) + len(r.Data))
	}
	return n
}

func BenchmarkCompression(b *testing.B) {
	codecs := []segment.Codec{segment.CodecNone, segment.CodecS2, segment.CodecZstd}
	for _, kind := range []payloadKind{clickstream, logLine, randomBytes} {
		batches := eventBatches(kind)
		for _, c := range codecs {
			name := fmt.Sprintf("payload=%s/codec=%s", kind, c)
			b.Run(name+"/op=write", func(b *testing.B) { benchCompressWrite(b, c, batches) })
			b.Run(name+"/op=read", func(b *testing.B) { benchCompressRead(b, c, batches) })
		}
	}
}

func openCompressShard(b *testing.B, c segment.Codec) *shard.Shard {
	s, err := shard.Open(b.TempDir(), shard.Options{Codec: c, Sync: shard.SyncNone})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchCompressWrite appends the batches in turn; an op is one batch.
func benchCompressWrite(b *testing.B, c segment.Codec, batches [][]segment.Record) {
	s := openCompressShard(b, c)
	b.SetBytes(recordBytes(batches[0]))
	b.ReportAllocs()
	var payload int64
	n := 0
	cpu := selfCPU()
	for b.Loop() {
		recs := batches[n%len(batches)]
		if _, _, err := s.Append(recs); err != nil {
			b.Fatal(err)
		}
		payload += recordBytes(recs)
		n++
	}
	reportCPU(b, selfCPU()-cpu, n*compressBatchRecords)
	b.ReportMetric(float64(s.Stats().Bytes)/float64(payload), "disk/payload")
}

// benchCompressRead reads a shard of the batches written twice over, one batch an op, from
// the start again at its end. The records are looked at (their sizes summed) but not copied,
// as GetRecords encodes them straight from what Read hands it.
func benchCompressRead(b *testing.B, c segment.Codec, batches [][]segment.Record) {
	s := openCompressShard(b, c)
	for range 2 {
		for _, recs := range batches {
			if _, _, err := s.Append(recs); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.SetBytes(recordBytes(batches[0]))
	b.ReportAllocs()
	var from uint64
	sum, n := 0, 0
	cpu := selfCPU()
	for b.Loop() {
		next, err := s.Read(from, compressBatchRecords, 0, func(r segment.Record) error {
			sum += len(r.Data) + len(r.PartitionKey)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if from = next; from >= s.NextOffset() {
			from = 0
		}
		n++
	}
	reportCPU(b, selfCPU()-cpu, n*compressBatchRecords)
	if sum == 0 {
		b.Fatal("read nothing")
	}
}

func reportCPU(b *testing.B, seconds float64, records int) {
	b.ReportMetric(seconds*1e9/float64(records), "cpu-ns/record")
}

// BenchmarkCompressionEncode frames the batches alone (segment.AppendBatch into a reused
// buffer), with no shard and no file: the codec's share of a write. With random payloads
// every batch is an attempt that fails, the cost a shard avoids by not trying (see
// shard.Options.Codec).
func BenchmarkCompressionEncode(b *testing.B) {
	codecs := []segment.Codec{segment.CodecNone, segment.CodecS2, segment.CodecZstd}
	for _, kind := range []payloadKind{clickstream, logLine, randomBytes} {
		batches := eventBatches(kind)
		for _, c := range codecs {
			b.Run(fmt.Sprintf("payload=%s/codec=%s", kind, c), func(b *testing.B) {
				var buf []byte
				b.SetBytes(recordBytes(batches[0]))
				b.ReportAllocs()
				n := 0
				cpu := selfCPU()
				for b.Loop() {
					var err error
					if buf, err = segment.AppendBatch(buf[:0], c, 0, batches[n%len(batches)]); err != nil {
						b.Fatal(err)
					}
					n++
				}
				reportCPU(b, selfCPU()-cpu, n*compressBatchRecords)
			})
		}
	}
}
