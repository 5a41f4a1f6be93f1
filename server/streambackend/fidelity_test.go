package streambackend_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/stream"
)

// The fidelity tests pin answers where shardlog once differed from AWS (issue 11, item 2).

// TestFidelity_TagControlCharacters: a tag key or value with a control character (\p{Cc})
// is refused by every operation that takes tags, although tab and newline are white space.
func TestFidelity_TagControlCharacters(t *testing.T) {
	ctx := context.Background()
	client, _ := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1),
		Tags: map[string]string{"ok key": "ok value"}})
	require.NoError(t, err)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	const msg = "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."
	for _, bad := range []string{"a\tb", "a\nb", "a\rb", "\x00", "a\x1fb", "a\x7fb", "a\u0085b", "a\u009fb"} {
		calls := map[string]func() error{
			"CreateStream key": func() error {
				_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(1),
					Tags: map[string]string{bad: "v"}})
				return err
			},
			"CreateStream value": func() error {
				_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(1),
					Tags: map[string]string{"k": bad}})
				return err
			},
			"AddTagsToStream key": func() error {
				_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{bad: "v"}})
				return err
			},
			"AddTagsToStream value": func() error {
				_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"k": bad}})
				return err
			},
			"RemoveTagsFromStream": func() error {
				_, err := client.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("s"), TagKeys: []string{bad}})
				return err
			},
			"TagResource key": func() error {
				_, err := client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{bad: "v"}})
				return err
			},
			"TagResource value": func() error {
				_, err := client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"k": bad}})
				return err
			},
			"UntagResource": func() error {
				_, err := client.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{bad}})
				return err
			},
		}
		for name, call := range calls {
			t.Run(name+"/"+fmtQuoted(bad), func(t *testing.T) {
				err := call()
				require.ErrorAs(t, err, new(*types.InvalidArgumentException))
				requireSDKError(t, err, "InvalidArgumentException", msg)
			})
		}
	}
	_, err = client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("t")})
	require.ErrorAs(t, err, new(*types.ResourceNotFoundException), "a refused CreateStream creates nothing")
	tags, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s")})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1, "a refused tag change changes nothing")
	require.Equal(t, "ok key", aws.ToString(tags.Tags[0].Key), "white space other than control characters is allowed")
}

// fmtQuoted names a test case after a string with control characters.
func fmtQuoted(s string) string { return strconv.QuoteToASCII(s) }

// TestFidelity_ReshardNotActive: SplitShard and MergeShards on a stream that is not ACTIVE
// answer ResourceInUseException naming its state, before any shard is looked up, so that a
// stream still CREATING does not get "Could not find shard".
func TestFidelity_ReshardNotActive(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	client, _ := mustServeStream(t, stream.Options{Now: c.Now, CreateDelay: time.Second, UpdateDelay: time.Second, DeleteDelay: time.Second})
	for _, name := range []string{"updating", "deleting"} {
		_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(2)})
		require.NoError(t, err)
	}
	split := func(name, shard string) error {
		_, err := client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: aws.String(shard),
			NewStartingHashKey: aws.String("100")})
		return err
	}
	merge := func(name, a, b string) error {
		_, err := client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String(name), ShardToMerge: aws.String(a),
			AdjacentShardToMerge: aws.String(b)})
		return err
	}
	c.Advance(time.Second)
	requireStatus(t, client, "updating", "ACTIVE")
	requireStatus(t, client, "deleting", "ACTIVE")
	require.NoError(t, split("updating", "shardId-000000000000"))
	_, err := client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("deleting")})
	require.NoError(t, err)
	_, err = client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("creating"), ShardCount: aws.Int32(2)})
	require.NoError(t, err)

	states := map[string]string{"creating": "CREATING", "updating": "UPDATING", "deleting": "DELETING"}
	for name, state := range states {
		requireStatus(t, client, name, state)
		msg := "Stream " + name + " under account 000000000000 not ACTIVE, instead in state " + state
		cases := map[string]error{
			"split an open shard":       split(name, "shardId-000000000001"),
			"split a shard of no index": split(name, "shardId-000000000099"),
			"split a bad shard id":      split(name, "nonsense"),
			"merge":                     merge(name, "shardId-000000000000", "shardId-000000000001"),
			"merge unknown shards":      merge(name, "shardId-000000000007", "shardId-000000000008"),
		}
		for what, err := range cases {
			t.Run(name+"/"+what, func(t *testing.T) {
				require.ErrorAs(t, err, new(*types.ResourceInUseException))
				requireSDKError(t, err, "ResourceInUseException", msg)
			})
		}
	}
}

// requireStatus checks the StreamStatus DescribeStreamSummary reports.
func requireStatus(t *testing.T, client *kinesis.Client, name, status string) {
	t.Helper()
	out, err := client.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, status, string(out.StreamDescriptionSummary.StreamStatus), "status of %s", name)
}

// TestFidelity_ListShardsNextTokenWithStreamARN: a NextToken with a StreamARN is refused
// naming StreamARN, the member the client sent, not the StreamName the server derives from it.
func TestFidelity_ListShardsNextTokenWithStreamARN(t *testing.T) {
	ctx := context.Background()
	client, _ := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")
	tests := []struct {
		name string
		in   *kinesis.ListShardsInput
		msg  string
	}{
		{"StreamARN", &kinesis.ListShardsInput{NextToken: aws.String("t"), StreamARN: arn},
			"NextToken and StreamARN cannot be provided together."},
		{"StreamName", &kinesis.ListShardsInput{NextToken: aws.String("t"), StreamName: aws.String("s")},
			"NextToken and StreamName cannot be provided together."},
		{"both", &kinesis.ListShardsInput{NextToken: aws.String("t"), StreamName: aws.String("s"), StreamARN: arn},
			"NextToken and StreamName cannot be provided together."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.ListShards(ctx, tt.in)
			require.ErrorAs(t, err, new(*types.InvalidArgumentException))
			requireSDKError(t, err, "InvalidArgumentException", tt.msg)
		})
	}
}

// TestFidelity_ForeignStreamARN: a StreamARN of another partition, region or account names
// no stream of this server, even when a local stream has its name: every operation that
// takes a StreamARN answers ResourceNotFoundException for it, in AWS's words for the
// account the ARN names, and changes nothing.
func TestFidelity_ForeignStreamARN(t *testing.T) {
	ctx := context.Background()
	client, st := mustServeStream(t, stream.Options{})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("S"), ShardCount: aws.Int32(2)})
	require.NoError(t, err)
	_, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("S"), PartitionKey: aws.String("k"), Data: []byte("x")})
	require.NoError(t, err)
	before := testutil.TreeState(t, st.Dir())

	foreign := []struct{ name, arn, account string }{
		{"account", "arn:aws:kinesis:us-east-1:111111111111:stream/S", "111111111111"},
		{"region", "arn:aws:kinesis:eu-west-1:000000000000:stream/S", "000000000000"},
		{"partition", "arn:aws-us-gov:kinesis:us-east-1:000000000000:stream/S", "000000000000"},
	}
	for _, f := range foreign {
		arn := aws.String(f.arn)
		calls := map[string]func() error{
			"DeleteStream": func() error {
				_, err := client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamARN: arn})
				return err
			},
			"DescribeStream": func() error {
				_, err := client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: arn})
				return err
			},
			"DescribeStreamSummary": func() error {
				_, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn})
				return err
			},
			"ListShards": func() error {
				_, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: arn})
				return err
			},
			"ListShards with StreamName": func() error {
				_, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: arn, StreamName: aws.String("S")})
				return err
			},
			"PutRecord": func() error {
				_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: arn, PartitionKey: aws.String("k"), Data: []byte("x")})
				return err
			},
			"PutRecords": func() error {
				_, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamARN: arn, Records: []types.PutRecordsRequestEntry{
					{PartitionKey: aws.String("k"), Data: []byte("x")}}})
				return err
			},
			"GetShardIterator": func() error {
				_, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamARN: arn, ShardId: aws.String("shardId-000000000000"),
					ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
				return err
			},
			"IncreaseStreamRetentionPeriod": func() error {
				_, err := client.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamARN: arn, RetentionPeriodHours: aws.Int32(48)})
				return err
			},
			"DecreaseStreamRetentionPeriod": func() error {
				_, err := client.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamARN: arn, RetentionPeriodHours: aws.Int32(24)})
				return err
			},
			"AddTagsToStream": func() error {
				_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamARN: arn, Tags: map[string]string{"k": "v"}})
				return err
			},
			"RemoveTagsFromStream": func() error {
				_, err := client.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamARN: arn, TagKeys: []string{"k"}})
				return err
			},
			"ListTagsForStream": func() error {
				_, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamARN: arn})
				return err
			},
			"SplitShard": func() error {
				_, err := client.SplitShard(ctx, &kinesis.SplitShardInput{StreamARN: arn, ShardToSplit: aws.String("shardId-000000000000"),
					NewStartingHashKey: aws.String("100")})
				return err
			},
			"MergeShards": func() error {
				_, err := client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamARN: arn, ShardToMerge: aws.String("shardId-000000000000"),
					AdjacentShardToMerge: aws.String("shardId-000000000001")})
				return err
			},
			"UpdateShardCount": func() error {
				_, err := client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamARN: arn, TargetShardCount: aws.Int32(3),
					ScalingType: types.ScalingTypeUniformScaling})
				return err
			},
		}
		for op, call := range calls {
			t.Run(f.name+"/"+op, func(t *testing.T) {
				err := call()
				require.ErrorAs(t, err, new(*types.ResourceNotFoundException))
				requireSDKError(t, err, "ResourceNotFoundException", "Stream S under account "+f.account+" not found.")
			})
		}
		resourceCalls := map[string]func() error{
			"TagResource": func() error {
				_, err := client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"k": "v"}})
				return err
			},
			"UntagResource": func() error {
				_, err := client.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"k"}})
				return err
			},
			"ListTagsForResource": func() error {
				_, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
				return err
			},
			"PutResourcePolicy": func() error {
				_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String("{}")})
				return err
			},
			"GetResourcePolicy": func() error {
				_, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
				return err
			},
			"DeleteResourcePolicy": func() error {
				_, err := client.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn})
				return err
			},
		}
		for op, call := range resourceCalls {
			t.Run(f.name+"/"+op, func(t *testing.T) {
				err := call()
				require.ErrorAs(t, err, new(*types.ResourceNotFoundException))
				requireSDKError(t, err, "ResourceNotFoundException", "Resource "+f.arn+" not found.")
			})
		}
	}
	require.Equal(t, before, testutil.TreeState(t, st.Dir()), "requests naming a foreign stream changed the data directory")
	out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/S")})
	require.NoError(t, err, "the server's own ARN still names the stream")
	require.Equal(t, int32(2), aws.ToInt32(out.StreamDescriptionSummary.OpenShardCount))
	require.Equal(t, int32(24), aws.ToInt32(out.StreamDescriptionSummary.RetentionPeriodHours))
}
