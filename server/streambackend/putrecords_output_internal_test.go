package streambackend

import (
	"testing"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// TestPutRecordsOutput_SequenceNumbers renders random batches as the store answers them
// (records of up to 40 shards interleaved, consecutive counters within a shard with the odd
// jump or new second, some failed records) and checks every number against its exact
// conversion, reusing one scratch from batch to batch as the pool does.
func TestPutRecordsOutput_SequenceNumbers(t *testing.T) {
	r := testutil.Rand(t)
	sc := new(putRecordsScratch)
	for batch := range 300 {
		shards := 1 + r.IntN(40)
		next := make([]kinesis.SequenceNumber, shards)
		for i := range next {
			next[i] = kinesis.SequenceNumber{ShardCreatedSec: 1.6e9 + r.Int64N(1e8), ShardIndex: int32(i),
				Counter: r.Uint64N(kinesis.MaxCounter - 1000), TimeSec: 1.7e9 + r.Int64N(1e8)}
		}
		results := make([]stream.PutResult, 1+r.IntN(500))
		for i := range results {
			sh := r.IntN(shards)
			switch r.IntN(50) {
			case 0:
				results[i] = stream.PutResult{ErrorCode: kinesis.TypeInternalFailure, ErrorMessage: "Internal Service Failure"}
				continue
			case 1:
				next[sh].Counter += 2 // a gap: the failed records of a retried group
			case 2:
				next[sh].TimeSec++
			}
			results[i] = stream.PutResult{ShardID: kinesis.ShardID(sh), SequenceNumber: next[sh]}
			next[sh].Counter++
		}
		out := putRecordsOutput(results, sc)
		for i, res := range results {
			want := ""
			if res.ErrorCode == "" {
				want = res.SequenceNumber.String()
			}
			if got := out.Records[i].SequenceNumber; got != want {
				t.Fatalf("batch %d (%d shards): record %d SequenceNumber = %s, want %s (%+v)", batch, shards, i, got, want, res.SequenceNumber)
			}
		}
	}
}
