package stream_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// BenchmarkStore_Queue: a queue worker's loop, ReceiveQueueRecords of 10 records then
// AcknowledgeQueueRecords of them, each call writing the queue's delivery state (synced
// under SyncAlways); beside it, for scale, GetRecords of 10 records from one shard.
func BenchmarkStore_Queue(b *testing.B) {
	for _, sync := range []shard.SyncPolicy{shard.SyncAlways, shard.SyncNone} {
		b.Run(fmt.Sprintf("sync=%s", sync), func(b *testing.B) { benchQueue(b, sync) })
	}
}

func benchQueue(b *testing.B, sync shard.SyncPolicy) {
	const size, batch = 100, 10
	s := mustOpen(b, stream.Options{Shard: shard.Options{Sync: sync}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := s.CreateStream("bench", stream.StreamConfig{Mode: stream.ModeOnDemand}); err != nil {
		b.Fatal(err)
	}
	q, err := s.CreateQueue(stream.CreateQueueRequest{Name: "q", StreamARN: s.StreamARN("bench"), Start: stream.QueueStartTrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	entries := benchEntries(500, size)
	refill := func() {
		if _, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "bench", Entries: entries}, nil); err != nil {
			b.Fatal(err)
		}
	}
	refill()
	b.Run(fmt.Sprintf("receive+acknowledge/limit=%d/size=%dB", batch, size), func(b *testing.B) {
		ctx := context.Background()
		acks := make([]stream.QueueEntry, 0, batch)
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			recs, err := s.ReceiveQueueRecords(ctx, stream.ReceiveRequest{QueueARN: q.ARN, Limit: batch})
			if err != nil {
				b.Fatal(err)
			}
			if len(recs) < batch {
				refill()
			}
			acks = acks[:0]
			for _, r := range recs {
				acks = append(acks, stream.QueueEntry{ReceiptHandle: r.ReceiptHandle})
			}
			if len(acks) > 0 {
				if _, err := s.QueueRecords(q.ARN, stream.QueueAcknowledge, acks); err != nil {
					b.Fatal(err)
				}
			}
			n += len(recs)
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run(fmt.Sprintf("getrecords/limit=%d/size=%dB", batch, size), func(b *testing.B) {
		start, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "bench", ShardID: "0", Type: stream.TrimHorizon})
		if err != nil {
			b.Fatal(err)
		}
		var sink countSink
		req := &stream.GetRecordsRequest{ShardIterator: start, Limit: batch}
		b.ReportAllocs()
		for b.Loop() {
			before := sink.n
			res, err := s.GetRecords(req, &sink)
			if err != nil {
				b.Fatal(err)
			}
			req.ShardIterator = res.NextShardIterator
			if sink.n-before < batch {
				req.ShardIterator = start
			}
		}
		b.ReportMetric(float64(sink.n)/b.Elapsed().Seconds(), "records/s")
	})
}
