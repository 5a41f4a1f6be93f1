package streambackend_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/wire"
)

// TestSDK_StreamedReadsUnderLoad reads a stream through the SDK while writers add to it, with
// answers large enough to be sent in pieces (over wire.StreamChunkBytes): every record
// arrives once, unchanged, in order per partition key, and every call succeeds. It is the
// load TestSDK_ReshardUnderLoad does not give: that test's answers (at most 100 records of
// a few bytes) are always sent whole.
func TestSDK_StreamedReadsUnderLoad(t *testing.T) {
	const writers, batches, batch, size, keysPerWriter = 2, 16, 100, 1000, 4
	e := newReshardEnv(t, 0, 0)
	const name = "streamed"
	require.NoError(t, e.call(func(c *kinesis.Client) error {
		_, err := c.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(2)})
		return err
	}))
	e.waitActive(name)

	data := func(w, i int) []byte { // "w/i/" then filler that depends on both
		b := fmt.Appendf(nil, "%d/%d/", w, i)
		for len(b) < size {
			b = append(b, byte('a'+(w*7+i+len(b))%26))
		}
		return b
	}
	var written atomic.Int64
	halfway := make(chan struct{})
	var halfOnce sync.Once
	writeErrs := make(chan error, writers)
	for w := range writers {
		go func() {
			for n := range batches {
				if n == batches/2 {
					halfOnce.Do(func() { close(halfway) })
				}
				entries := make([]types.PutRecordsRequestEntry, batch)
				for k := range entries {
					i := n*batch + k
					entries[k] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("w%d-k%d", w, i%keysPerWriter)), Data: data(w, i)}
				}
				err := e.call(func(c *kinesis.Client) error {
					out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
					if err == nil && aws.ToInt32(out.FailedRecordCount) != 0 {
						err = fmt.Errorf("%d records failed", aws.ToInt32(out.FailedRecordCount))
					}
					return err
				})
				if err != nil {
					writeErrs <- fmt.Errorf("writer %d batch %d: %w", w, n, err)
					return
				}
				written.Add(batch)
			}
			writeErrs <- nil
		}()
	}
	<-halfway // a backlog for the first answers

	const total = writers * batches * batch
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var mu sync.Mutex
	seen := map[string]int{} // "w/i" → times read
	last := map[string]int{} // partition key → last i read
	largest := 0             // records in the largest answer
	var read atomic.Int64
	readErrs := make(chan error, 2)
	for _, shardID := range []string{"shardId-000000000000", "shardId-000000000001"} {
		go func() {
			readErrs <- e.call(func(c *kinesis.Client) error {
				it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(shardID),
					ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
				if err != nil {
					return err
				}
				iter := it.ShardIterator
				for read.Load() < total {
					out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
					if err != nil {
						return fmt.Errorf("%s: GetRecords after %d records: %w", shardID, read.Load(), err)
					}
					iter = out.NextShardIterator
					mu.Lock()
					largest = max(largest, len(out.Records))
					for _, r := range out.Records {
						parts := bytes.SplitN(r.Data, []byte("/"), 3)
						w, _ := strconv.Atoi(string(parts[0]))
						i, _ := strconv.Atoi(string(parts[1]))
						if !bytes.Equal(r.Data, data(w, i)) {
							mu.Unlock()
							return fmt.Errorf("%s: record %s changed", shardID, aws.ToString(r.SequenceNumber))
						}
						key := aws.ToString(r.PartitionKey)
						if prev, ok := last[key]; ok && i <= prev {
							mu.Unlock()
							return fmt.Errorf("%s: key %s: record %d after %d", shardID, key, i, prev)
						}
						last[key] = i
						seen[fmt.Sprintf("%d/%d", w, i)]++
					}
					mu.Unlock()
					read.Add(int64(len(out.Records)))
					if len(out.Records) == 0 { // caught up: the writers are behind
						select {
						case <-ctx.Done():
						case <-time.After(5 * time.Millisecond):
						}
					}
				}
				return nil
			})
		}()
	}
	for range writers {
		require.NoError(t, <-writeErrs)
	}
	for range 2 {
		require.NoError(t, <-readErrs)
	}
	require.EqualValues(t, total, written.Load())
	require.Len(t, seen, total, "records read")
	for k, n := range seen {
		require.Equal(t, 1, n, "record %s read %d times", k, n)
	}
	// An answer of this many 1000 B records is over StreamChunkBytes, so it was sent in pieces.
	streamed := wire.StreamChunkBytes/(size*4/3) + 1
	require.Greater(t, largest, streamed, "no answer was large enough to be sent in pieces")
	t.Logf("%d records; largest answer %d records (sent in pieces from %d)", total, largest, streamed)
}
