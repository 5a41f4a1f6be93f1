package streambackend_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// TestSDK_GetRecords_AroundDamage: a GetRecords whose answer is large enough to go out in
// pieces reaches a damaged batch in a sealed segment. The SDK gets the good records before it
// as a whole answer; the next call gets a 500 InternalFailure whose message names the shard,
// the segment file and the position, over HTTP/1.1 and h2c alike.
func TestSDK_GetRecords_AroundDamage(t *testing.T) {
	dir := t.TempDir()
	opts := stream.Options{Shard: shard.Options{Sync: shard.SyncNone, MaxSegmentBytes: 4 << 20}, Logger: discardLogger()}
	st, err := stream.Open(dir, opts)
	require.NoError(t, err)
	require.NoError(t, st.CreateStream("d", stream.StreamConfig{ShardCount: 1}))
	data := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 100<<10) }
	for i := range 80 { // 8 MiB: two sealed segments of about 40 records
		_, err := st.PutRecord(&stream.PutRecordRequest{StreamName: "d", Entry: stream.PutEntry{PartitionKey: "k", Data: data(i)}})
		require.NoError(t, err)
	}
	require.NoError(t, st.Close())
	segs, err := filepath.Glob(filepath.Join(dir, "streams", "d-*", "shardId-000000000000", "*.seg"))
	require.NoError(t, err)
	b, err := os.ReadFile(segs[0])
	require.NoError(t, err)
	b[len(b)/2] ^= 0x01
	require.NoError(t, os.WriteFile(segs[0], b, 0o644))

	st, err = stream.Open(dir, opts)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	url := mustServe(t, streambackend.New(st))
	for _, tc := range []struct {
		name string
		c    *kinesis.Client
	}{
		{"http1", newSDKClient(url, nil)},
		{"h2c", newSDKClient(url, h2cClient())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			it, err := tc.c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("d"),
				ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			require.NoError(t, err)
			out, err := tc.c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
			require.NoError(t, err, "the call that reaches the damage")
			require.Greater(t, len(out.Records), 3, "the answer is large enough to be sent in pieces")
			require.Less(t, len(out.Records), 40, "records past the damage")
			for i, r := range out.Records {
				require.Equal(t, data(i), r.Data, "record %d", i)
			}
			_, err = tc.c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
			var apiErr smithy.APIError
			require.True(t, errors.As(err, &apiErr), "the call that starts at the damage: %v", err)
			require.Equal(t, "InternalFailure", apiErr.ErrorCode())
			require.Regexp(t, regexp.MustCompile(`^Internal Service Failure: shard shardId-000000000000 in stream d under account 000000000000: corrupt batch at `+
				regexp.QuoteMeta(segs[0])+`:\d+: `), apiErr.ErrorMessage())
		})
	}
}
