package streambackend_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/stream"
)

// TestTerraformSequence runs, through the Go SDK, the calls an infrastructure tool makes
// to create, change, read back and destroy a stream (the aws_kinesis_stream resource of the
// Terraform AWS provider waits for ACTIVE after each change by polling
// DescribeStreamSummary): create with a mode and tags, encryption and monitoring on, a
// resource policy, a switch to PROVISIONED, a shard count change, everything read back, and
// destroy. The store's delays are real and its clock fake: the poller moves the clock.
func TestTerraformSequence(t *testing.T) {
	ctx := context.Background()
	c := &streamClock{ms: streamT0}
	client, _ := mustServeStream(t, stream.Options{Now: c.Now,
		CreateDelay: time.Second, UpdateDelay: time.Second, DeleteDelay: time.Second})
	name := aws.String("tf-orders")

	// waitActive polls DescribeStreamSummary as the provider's waiter does, and returns the
	// summary once the stream is ACTIVE; it fails if a poll finds anything but the given
	// transient status or ACTIVE.
	waitActive := func(transient types.StreamStatus) *types.StreamDescriptionSummary {
		t.Helper()
		for range 10 {
			out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})
			require.NoError(t, err)
			s := out.StreamDescriptionSummary
			if s.StreamStatus == types.StreamStatusActive {
				return s
			}
			require.Equal(t, transient, s.StreamStatus)
			c.Advance(400 * time.Millisecond)
		}
		t.Fatalf("stream not ACTIVE after 10 polls")
		return nil
	}

	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: name,
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand},
		Tags:              map[string]string{"team": "payments", "env": "test"}})
	require.NoError(t, err)
	s := waitActive(types.StreamStatusCreating)
	arn := s.StreamARN
	require.Equal(t, types.StreamModeOnDemand, s.StreamModeDetails.StreamMode)
	require.EqualValues(t, 4, aws.ToInt32(s.OpenShardCount), "an ON_DEMAND stream starts with 4 shards")

	_, err = client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: name,
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
	require.NoError(t, err)
	waitActive(types.StreamStatusUpdating)

	_, err = client.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: name,
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameOutgoingRecords}})
	require.NoError(t, err)
	waitActive(types.StreamStatusUpdating)

	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},` +
		`"Action":"kinesis:GetRecords","Resource":"` + aws.ToString(arn) + `"}]}`
	_, err = client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(policy)})
	require.NoError(t, err)

	_, err = client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn,
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	require.NoError(t, err)
	waitActive(types.StreamStatusUpdating)

	_, err = client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: name,
		TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling})
	require.NoError(t, err)
	s = waitActive(types.StreamStatusUpdating)

	// Read everything back, as the provider's Read does.
	require.Equal(t, types.StreamModeProvisioned, s.StreamModeDetails.StreamMode)
	require.EqualValues(t, 2, aws.ToInt32(s.OpenShardCount))
	require.Equal(t, types.EncryptionTypeKms, s.EncryptionType)
	require.Equal(t, "alias/aws/kinesis", aws.ToString(s.KeyId))
	require.Len(t, s.EnhancedMonitoring, 1)
	require.ElementsMatch(t, []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameOutgoingRecords},
		s.EnhancedMonitoring[0].ShardLevelMetrics)
	require.EqualValues(t, 24, aws.ToInt32(s.RetentionPeriodHours))
	tags, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	require.NoError(t, err)
	got := map[string]string{}
	for _, tag := range tags.Tags {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	require.Equal(t, map[string]string{"team": "payments", "env": "test"}, got)
	pol, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	require.NoError(t, err)
	require.JSONEq(t, policy, aws.ToString(pol.Policy))

	// Destroy: the policy goes, then the stream, and the waiter sees it gone.
	_, err = client.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn})
	require.NoError(t, err)
	_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: name, EnforceConsumerDeletion: aws.Bool(true)})
	require.NoError(t, err)
	for i := 0; ; i++ {
		require.Less(t, i, 10, "stream still there after 10 polls")
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})
		if err != nil {
			requireSDKError(t, err, "ResourceNotFoundException",
				"Stream tf-orders under account "+stream.DefaultAccount+" not found.")
			break
		}
		require.Equal(t, types.StreamStatusDeleting, out.StreamDescriptionSummary.StreamStatus)
		c.Advance(400 * time.Millisecond)
	}
	list, err := client.ListStreams(ctx, &kinesis.ListStreamsInput{})
	require.NoError(t, err)
	require.Empty(t, list.StreamNames)
}
