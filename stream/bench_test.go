package stream_test

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// benchStore opens a store for a benchmark with the given sync policy and a stream of
// shards shards.
func benchStore(b *testing.B, sync shard.SyncPolicy, shards int) *stream.Store {
	b.Helper()
	s := mustOpen(b, stream.Options{
		Shard:  shard.Options{Sync: sync},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err := s.CreateStream("bench", stream.StreamConfig{ShardCount: shards}); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchEntries returns n entries of size bytes of data, with partition keys spread over
// the shards.
func benchEntries(n, size int) []stream.PutEntry {
	data := []byte(strings.Repeat("x", size))
	entries := make([]stream.PutEntry, n)
	for i := range entries {
		entries[i] = stream.PutEntry{PartitionKey: fmt.Sprintf("partition-key-%d", i), Data: data}
	}
	return entries
}

func BenchmarkStore_PutRecords(b *testing.B) {
	const records, size = 500, 100
	for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncNone} {
		b.Run(fmt.Sprintf("records=%d/size=%dB/shards=4/sync=%s", records, size, sync), func(b *testing.B) {
			s := benchStore(b, sync, 4)
			req := &stream.PutRecordsRequest{StreamName: "bench", Entries: benchEntries(records, size)}
			var results []stream.PutResult
			b.SetBytes(records * size)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if results, err = s.PutRecords(req, results); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// countSink counts the records it gets.
type countSink struct{ n int }

func (c *countSink) Record([]byte, int64, []byte, []byte) error {
	c.n++
	return nil
}

func BenchmarkStore_GetRecords(b *testing.B) {
	const records, size, limit = 100000, 100, 10000 // 100 B records, the GetRecords maximum per call
	s := benchStore(b, shard.SyncNone, 1)
	entries := benchEntries(500, size)
	for range records / len(entries) {
		if _, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "bench", Entries: entries}, nil); err != nil {
			b.Fatal(err)
		}
	}
	start, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "bench", ShardID: "0", Type: stream.TrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("limit=%d/size=%dB", limit, size), func(b *testing.B) {
		var sink countSink
		req := &stream.GetRecordsRequest{ShardIterator: start, Limit: limit}
		b.SetBytes(limit * size)
		b.ReportAllocs()
		for b.Loop() {
			before := sink.n
			res, err := s.GetRecords(req, &sink)
			if err != nil {
				b.Fatal(err)
			}
			req.ShardIterator = res.NextShardIterator
			if sink.n-before < limit {
				req.ShardIterator = start // caught up: read it all again
			}
		}
		b.ReportMetric(float64(sink.n)/b.Elapsed().Seconds(), "records/s")
	})
}
