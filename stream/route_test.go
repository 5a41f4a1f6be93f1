package stream_test

import (
	"strconv"
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

func TestRouter_Route_MD5Examples(t *testing.T) {
	r := stream.NewRouter(stream.InitialShards(3, createdSec))
	for key, want := range map[string]int{"a": 0, "b": 1, "e": 2, "f": 1} {
		if got := r.Route(kinesis.HashPartitionKey([]byte(key))); got != want {
			t.Errorf("Route(md5(%q)) = shard %d, want %d", key, got, want)
		}
	}
}

func TestRouter_Route_Boundaries(t *testing.T) {
	s := splitStream("orders") // shard 0 closed; open: 2 [0, 2^126-1], 3 [2^126, end of 0], 1
	r := stream.NewRouter(s.Shards)
	for _, sh := range s.Shards {
		if sh.Closed {
			continue
		}
		for _, h := range []kinesis.HashKey{sh.HashKeyRange.Start, sh.HashKeyRange.End} {
			if got := r.Route(h); got != sh.Index {
				t.Errorf("Route(%s) = shard %d, want %d", h, got, sh.Index)
			}
		}
	}
}

func TestRouter_Route_Random(t *testing.T) {
	rnd := testutil.Rand(t)
	for _, n := range []int{1, 2, 7, 64, 1000} {
		shards := stream.InitialShards(n, createdSec)
		r := stream.NewRouter(shards)
		for range 500 {
			h := kinesis.HashKey{Hi: rnd.Uint64(), Lo: rnd.Uint64()}
			got := r.Route(h)
			if !shards[got].HashKeyRange.Contains(h) {
				t.Fatalf("n=%d: Route(%s) = shard %d with range %v", n, h, got, shards[got].HashKeyRange)
			}
		}
	}
}

func TestNewRouter_PanicsOnGap(t *testing.T) {
	shards := stream.InitialShards(3, createdSec)
	shards[1].HashKeyRange.Start = shards[1].HashKeyRange.Start.Next()
	defer func() {
		if recover() == nil {
			t.Errorf("NewRouter of shards with a gap did not panic")
		}
	}()
	stream.NewRouter(shards)
}

func BenchmarkRouter_Route(b *testing.B) {
	for _, n := range []int{1, 4, 64, 1024} {
		b.Run("shards="+strconv.Itoa(n), func(b *testing.B) {
			r := stream.NewRouter(stream.InitialShards(n, createdSec))
			key := []byte("partition-key-0000")
			b.ReportAllocs()
			for b.Loop() {
				key[len(key)-1]++
				r.Route(kinesis.HashPartitionKey(key))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
