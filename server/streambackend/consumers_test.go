package streambackend_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

const (
	consumerStreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	consumerDelay     = 500 * time.Millisecond
)

// consumerClient serves a store with the consumer delays of the shardlog command on a fake
// clock, with one ACTIVE stream s of one shard.
func consumerClient(t *testing.T) (*kinesis.Client, *streamClock) {
	t.Helper()
	clock := &streamClock{ms: streamT0}
	client, _ := mustServeStream(t, stream.Options{Now: clock.Now,
		RegisterConsumerDelay: consumerDelay, DeregisterConsumerDelay: consumerDelay})
	_, err := client.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	return client, clock
}

func consumerARNOf(name string, ms int64) string {
	return consumerStreamARN + "/consumer/" + name + ":" + strconv.FormatInt(ms/1000, 10)
}

func consumerNotFound(consumer string) string {
	return "Consumer " + consumer + ", account 000000000000 not found."
}

// TestConsumers_SDK_Lifecycle: a consumer from registration to gone through the SDK:
// CREATING, then ACTIVE after the delay, described by ARN and by name, counted by
// DescribeStreamSummary, DELETING after deregistration, then gone; registered again, it gets
// another ARN, and the old one names nothing.
func TestConsumers_SDK_Lifecycle(t *testing.T) {
	ctx := context.Background()
	client, clock := consumerClient(t)
	arn := consumerARNOf("c", streamT0)
	created := time.UnixMilli(streamT0).UTC()

	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("c")})
	require.NoError(t, err)
	require.Equal(t, types.Consumer{ConsumerName: aws.String("c"), ConsumerARN: aws.String(arn), ConsumerStatus: types.ConsumerStatusCreating,
		ConsumerCreationTimestamp: aws.Time(created)}, *reg.Consumer)

	requireStatus := func(want types.ConsumerStatus) {
		t.Helper()
		byARN, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		require.NoError(t, err)
		require.Equal(t, types.ConsumerDescription{ConsumerName: aws.String("c"), ConsumerARN: aws.String(arn), ConsumerStatus: want,
			ConsumerCreationTimestamp: aws.Time(created), StreamARN: aws.String(consumerStreamARN)}, *byARN.ConsumerDescription)
		byName, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
			ConsumerName: aws.String("c")})
		require.NoError(t, err)
		require.Equal(t, byARN.ConsumerDescription, byName.ConsumerDescription)
		all, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn),
			StreamARN: aws.String(consumerStreamARN), ConsumerName: aws.String("c")})
		require.NoError(t, err, "both ways, agreeing")
		require.Equal(t, byARN.ConsumerDescription, all.ConsumerDescription)
	}
	requireStatus(types.ConsumerStatusCreating)
	sum, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	require.NoError(t, err)
	require.Equal(t, int32(1), aws.ToInt32(sum.StreamDescriptionSummary.ConsumerCount))
	clock.Advance(consumerDelay - time.Millisecond)
	requireStatus(types.ConsumerStatusCreating)
	clock.Advance(time.Millisecond)
	requireStatus(types.ConsumerStatusActive)

	_, err = client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)})
	require.NoError(t, err)
	requireStatus(types.ConsumerStatusDeleting)
	clock.Advance(consumerDelay)
	_, err = client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
	requireSDKError(t, err, "ResourceNotFoundException", consumerNotFound(arn))
	_, err = client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(consumerStreamARN), ConsumerName: aws.String("c")})
	requireSDKError(t, err, "ResourceNotFoundException", consumerNotFound("c"))
	sum, err = client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	require.NoError(t, err)
	require.Equal(t, int32(0), aws.ToInt32(sum.StreamDescriptionSummary.ConsumerCount))

	again, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("c")})
	require.NoError(t, err)
	require.NotEqual(t, arn, aws.ToString(again.Consumer.ConsumerARN), "a name registered again gets another ARN")
	_, err = client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)})
	requireSDKError(t, err, "ResourceNotFoundException", consumerNotFound(arn))
	_, err = client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("c")})
	require.NoError(t, err, "by stream and name")
}

// TestConsumers_SDK_List: ListStreamConsumers pages through the SDK's paginator, in name
// order, and checks StreamCreationTimestamp and NextToken as AWS does.
func TestConsumers_SDK_List(t *testing.T) {
	ctx := context.Background()
	client, _ := consumerClient(t)
	for _, name := range []string{"d", "b", "a", "c", "e"} {
		_, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
			ConsumerName: aws.String(name)})
		require.NoError(t, err)
	}
	var names []string
	pages := 0
	p := kinesis.NewListStreamConsumersPaginator(client, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(consumerStreamARN),
		MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, c := range page.Consumers {
			names = append(names, aws.ToString(c.ConsumerName))
			require.Equal(t, types.ConsumerStatusCreating, c.ConsumerStatus)
		}
		pages++
	}
	require.Equal(t, []string{"a", "b", "c", "d", "e"}, names)
	require.Equal(t, 3, pages)

	first, err := client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(consumerStreamARN), MaxResults: aws.Int32(1)})
	require.NoError(t, err)
	require.NotNil(t, first.NextToken)
	_, err = client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(consumerStreamARN),
		NextToken: first.NextToken, StreamCreationTimestamp: aws.Time(time.UnixMilli(streamT0))})
	requireSDKError(t, err, "InvalidArgumentException", "NextToken and StreamCreationTimestamp cannot be provided together.")
	out, err := client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(consumerStreamARN),
		StreamCreationTimestamp: aws.Time(time.UnixMilli(streamT0))})
	require.NoError(t, err)
	require.Len(t, out.Consumers, 5)
	require.Nil(t, out.NextToken)
	_, err = client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(consumerStreamARN),
		StreamCreationTimestamp: aws.Time(time.UnixMilli(streamT0 - 1000))})
	requireSDKError(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	_, err = client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(consumerStreamARN), NextToken: aws.String("bogus")})
	requireSDKError(t, err, "InvalidArgumentException", "Invalid NextToken.")
}

// TestConsumers_SDK_Errors: the refusals of the consumer operations, with AWS's types.
func TestConsumers_SDK_Errors(t *testing.T) {
	ctx := context.Background()
	client, clock := consumerClient(t)
	_, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("c")})
	require.NoError(t, err)
	arn := consumerARNOf("c", streamT0)
	clock.Advance(consumerDelay)

	register := func(streamARN, name string) error {
		_, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN), ConsumerName: aws.String(name)})
		return err
	}
	describeARN := func(a string) error {
		_, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(a)})
		return err
	}
	deregisterARN := func(a string) error {
		_, err := client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(a)})
		return err
	}
	list := func(streamARN string) error {
		_, err := client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(streamARN)})
		return err
	}
	foreignRegion := strings.Replace(arn, "us-east-1", "eu-west-1", 1)
	foreignAccount := strings.Replace(arn, "000000000000", "111111111111", 1)
	foreignPartition := strings.Replace(arn, "arn:aws:", "arn:aws-cn:", 1)
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"register again", register(consumerStreamARN, "c"), "ResourceInUseException",
			"Consumer c under stream s and account 000000000000 already exists."},
		{"register, no stream", register("arn:aws:kinesis:us-east-1:000000000000:stream/nope", "c"), "ResourceNotFoundException",
			"Stream nope under account 000000000000 not found."},
		{"register, stream of another region", register("arn:aws:kinesis:eu-west-1:000000000000:stream/s", "d"), "ResourceNotFoundException",
			"Stream s under account 000000000000 not found."},
		{"register, stream of another account", register("arn:aws:kinesis:us-east-1:111111111111:stream/s", "d"), "ResourceNotFoundException",
			"Stream s under account 111111111111 not found."},
		{"list, stream of another partition", list("arn:aws-cn:kinesis:us-east-1:000000000000:stream/s"), "ResourceNotFoundException",
			"Stream s under account 000000000000 not found."},
		{"describe, consumer of another region", describeARN(foreignRegion), "ResourceNotFoundException", consumerNotFound(foreignRegion)},
		{"describe, consumer of another account", describeARN(foreignAccount), "ResourceNotFoundException", consumerNotFound(foreignAccount)},
		{"deregister, consumer of another partition", deregisterARN(foreignPartition), "ResourceNotFoundException", consumerNotFound(foreignPartition)},
		{"describe, another creation time", describeARN(consumerARNOf("c", streamT0+1000)), "ResourceNotFoundException",
			consumerNotFound(consumerARNOf("c", streamT0+1000))},
		{"describe, no consumer", describeARN(consumerARNOf("x", streamT0)), "ResourceNotFoundException", consumerNotFound(consumerARNOf("x", streamT0))},
		{"describe, neither way", func() error {
			_, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerName: aws.String("c")})
			return err
		}(), "InvalidArgumentException", "Either ConsumerARN or both StreamARN and ConsumerName must be provided."},
		{"deregister, ways disagree", func() error {
			_, err := client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn), ConsumerName: aws.String("d")})
			return err
		}(), "InvalidArgumentException", "ConsumerARN " + arn + " does not match ConsumerName d."},
		{"describe, stream of another region by name", func() error {
			_, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{
				StreamARN: aws.String("arn:aws:kinesis:eu-west-1:000000000000:stream/s"), ConsumerName: aws.String("c")})
			return err
		}(), "ResourceNotFoundException", "Stream s under account 000000000000 not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireSDKError(t, tt.err, tt.code, tt.msg)
		})
	}
}

// TestConsumers_SDK_Limits: a stream takes 20 consumers, and 5 may be CREATING at once; the
// client retries LimitExceededException itself (KINESIS-API.md §1.5), so this client does
// not retry.
func TestConsumers_SDK_Limits(t *testing.T) {
	ctx := context.Background()
	client, clock := consumerClient(t)
	register := func(name string) error {
		_, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN), ConsumerName: aws.String(name)})
		return err
	}
	for i := range 20 {
		if i > 0 && i%5 == 0 {
			requireSDKError(t, register(fmt.Sprintf("c%02d", i)), "LimitExceededException",
				"Account 000000000000 already has 5 consumers in CREATING status; only 5 consumers can be created at the same time.")
			clock.Advance(consumerDelay)
		}
		require.NoError(t, register(fmt.Sprintf("c%02d", i)))
	}
	clock.Advance(consumerDelay)
	requireSDKError(t, register("c20"), "LimitExceededException",
		"Stream s under account 000000000000 already has 20 registered consumers, the most a stream can have.")
}

// TestConsumers_SDK_TagsAndPolicies: TagResource, UntagResource and ListTagsForResource, and
// the resource-policy operations, on a consumer ARN.
func TestConsumers_SDK_TagsAndPolicies(t *testing.T) {
	ctx := context.Background()
	client, clock := consumerClient(t)
	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("c"), Tags: map[string]string{"team": "pay"}})
	require.NoError(t, err)
	arn := reg.Consumer.ConsumerARN

	_, err = client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"env": "dev"}})
	require.NoError(t, err)
	tags, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("pay")}}, tags.Tags)
	_, err = client.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err = client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}, tags.Tags)
	streamTags, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(consumerStreamARN)})
	require.NoError(t, err)
	require.Empty(t, streamTags.Tags)

	_, err = client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(sdkPolicy)})
	requireSDKError(t, err, "ResourceInUseException", "Consumer c with creation timestamp "+strconv.FormatInt(streamT0/1000, 10)+
		" under stream s and account 000000000000 is not in ACTIVE status.")
	clock.Advance(consumerDelay)
	_, err = client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(sdkPolicy)})
	require.NoError(t, err)
	policy, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, sdkPolicy, aws.ToString(policy.Policy))
	policy, err = client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(consumerStreamARN)})
	require.NoError(t, err)
	require.Equal(t, "{}", aws.ToString(policy.Policy), "the consumer's policy is not the stream's")
	_, err = client.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn})
	require.NoError(t, err)

	_, err = client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: arn})
	require.NoError(t, err)
	clock.Advance(consumerDelay)
	notFound := "Resource " + aws.ToString(arn) + " not found."
	_, err = client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"a": "b"}})
	requireSDKError(t, err, "ResourceNotFoundException", notFound)
	_, err = client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	requireSDKError(t, err, "ResourceNotFoundException", notFound)
	_, err = client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	requireSDKError(t, err, "ResourceNotFoundException", notFound)
}

// TestConsumers_SDK_DeleteStream: a stream with consumers is deleted only with
// EnforceConsumerDeletion, which takes its consumers to DELETING, and they are gone with it.
func TestConsumers_SDK_DeleteStream(t *testing.T) {
	ctx := context.Background()
	clock := &streamClock{ms: streamT0}
	client, _ := mustServeStream(t, stream.Options{Now: clock.Now, DeleteDelay: time.Second,
		RegisterConsumerDelay: consumerDelay, DeregisterConsumerDelay: consumerDelay})
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN), ConsumerName: aws.String("c")})
	require.NoError(t, err)
	clock.Advance(consumerDelay)

	_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	requireSDKError(t, err, "ResourceInUseException", "Stream s under account 000000000000 has registered consumers. "+
		"Deregister them, or set EnforceConsumerDeletion to delete them with the stream.")
	_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s"), EnforceConsumerDeletion: aws.Bool(false)})
	requireSDKError(t, err, "ResourceInUseException", "Stream s under account 000000000000 has registered consumers. "+
		"Deregister them, or set EnforceConsumerDeletion to delete them with the stream.")
	_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s"), EnforceConsumerDeletion: aws.Bool(true)})
	require.NoError(t, err)
	desc, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
	require.NoError(t, err)
	require.Equal(t, types.ConsumerStatusDeleting, desc.ConsumerDescription.ConsumerStatus)
	clock.Advance(time.Second)
	_, err = client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
	requireSDKError(t, err, "ResourceNotFoundException", consumerNotFound(aws.ToString(reg.Consumer.ConsumerARN)))
	_, err = client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(consumerStreamARN)})
	requireSDKError(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
}

// TestConsumers_SDK_Restart: consumers survive a restart of the server and its store, and
// a CREATING consumer becomes ACTIVE after it.
func TestConsumers_SDK_Restart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := &streamClock{ms: streamT0}
	opts := stream.Options{Now: clock.Now, RegisterConsumerDelay: consumerDelay, Logger: discardLogger(),
		Shard: shard.Options{Sync: shard.SyncNone}}
	serve := func() (*kinesis.Client, func()) {
		st, err := stream.Open(dir, opts)
		require.NoError(t, err)
		ts := httptest.NewServer(server.New(streambackend.New(st), server.Options{Logger: discardLogger()}))
		return newSDKClient(ts.URL, ts.Client()), func() { ts.Close(); require.NoError(t, st.Close()) }
	}
	client, stop := serve()
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	a, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(consumerStreamARN),
		ConsumerName: aws.String("a"), Tags: map[string]string{"k": "v"}})
	require.NoError(t, err)
	stop()

	client, stop = serve()
	defer stop()
	desc, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: a.Consumer.ConsumerARN})
	require.NoError(t, err)
	require.Equal(t, types.ConsumerStatusCreating, desc.ConsumerDescription.ConsumerStatus)
	clock.Advance(consumerDelay)
	list, err := client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(consumerStreamARN)})
	require.NoError(t, err)
	require.Equal(t, []types.Consumer{{ConsumerName: aws.String("a"), ConsumerARN: a.Consumer.ConsumerARN,
		ConsumerStatus: types.ConsumerStatusActive, ConsumerCreationTimestamp: a.Consumer.ConsumerCreationTimestamp}}, list.Consumers)
	tags, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: a.Consumer.ConsumerARN})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}, tags.Tags)
}

// TestConsumers_CBOR: the Java SDK v2 (the KCL) speaks CBOR: a consumer's creation time is a
// tag-1 timestamp in milliseconds, as for every other timestamp.
func TestConsumers_CBOR(t *testing.T) {
	clock := &streamClock{ms: streamT0}
	st := mustOpenStreamStore(t, stream.Options{Now: clock.Now})
	require.NoError(t, st.CreateStream("s", stream.StreamConfig{ShardCount: 1}))
	h := server.New(streambackend.New(st), server.Options{Logger: discardLogger()})
	body := "\xa2" + cborText("StreamARN") + cborText(consumerStreamARN) + cborText("ConsumerName") + cborText("c")
	r := testutil.SetKinesisHeaders(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), "RegisterStreamConsumer")
	r.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, "body %q", w.Body)
	require.Equal(t, "application/x-amz-cbor-1.1", w.Header().Get("Content-Type"))
	got := w.Body.String()
	require.Contains(t, got, cborText("ConsumerARN")+cborText(consumerARNOf("c", streamT0)))
	require.Contains(t, got, cborText("ConsumerStatus")+cborText("ACTIVE"))
	require.Contains(t, got, cborText("ConsumerCreationTimestamp")+"\xc1\x1b\x00\x00\x01\x8b\xcf\xe5\x68\x00")
}
