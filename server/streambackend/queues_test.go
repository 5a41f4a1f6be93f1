package streambackend_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// The queue operations through the Go SDK: the control plane here, the records in
// queuerecords_test.go.

const (
	queueStreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	queueDelay     = 500 * time.Millisecond
)

// queueEnv serves a store on a fake clock with the delays of the shardlog command, with an
// ON_DEMAND stream s.
type queueEnv struct {
	t      *testing.T
	client *kinesis.Client
	store  *stream.Store
	clock  *streamClock
}

func newQueueEnv(t *testing.T) *queueEnv {
	t.Helper()
	clock := &streamClock{ms: streamT0}
	client, st := mustServeStream(t, stream.Options{Now: clock.Now, RegisterConsumerDelay: queueDelay,
		DeregisterConsumerDelay: queueDelay, UpdateDelay: queueDelay})
	e := &queueEnv{t: t, client: client, store: st, clock: clock}
	e.createOnDemand("s")
	return e
}

// createOnDemand creates an ON_DEMAND stream (of 4 shards, as AWS makes them).
func (e *queueEnv) createOnDemand(name string) {
	e.t.Helper()
	_, err := e.client.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(name),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	require.NoError(e.t, err)
}

// create creates a queue on stream s and returns its ARN.
func (e *queueEnv) create(name string, attrs *types.QueueAttributes) string {
	e.t.Helper()
	out, err := e.client.CreateQueue(context.Background(), &kinesis.CreateQueueInput{QueueName: aws.String(name),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN)}}, QueueAttributes: attrs})
	require.NoError(e.t, err)
	return aws.ToString(out.QueueDescription.QueueARN)
}

// createActive creates a queue and waits out its CREATING.
func (e *queueEnv) createActive(name string, attrs *types.QueueAttributes) string {
	arn := e.create(name, attrs)
	e.clock.Advance(queueDelay)
	return arn
}

func (e *queueEnv) describe(arn string) types.QueueDescription {
	e.t.Helper()
	out, err := e.client.DescribeQueue(context.Background(), &kinesis.DescribeQueueInput{QueueARN: aws.String(arn)})
	require.NoError(e.t, err)
	return *out.QueueDescription
}

func queueNotFound(arn string) string { return "Queue " + arn + " not found." }

// utc puts the times of a description in UTC, as the SDK's are not.
func utc(d types.QueueDescription) types.QueueDescription {
	d.QueueCreationTimestamp = aws.Time(d.QueueCreationTimestamp.UTC())
	for i := range d.StreamConfigurationList {
		if p := d.StreamConfigurationList[i].StartingPosition; p != nil && p.Timestamp != nil {
			p.Timestamp = aws.Time(p.Timestamp.UTC())
		}
	}
	return d
}

func defaultAttrs(visibility, maxReceive int32) *types.QueueAttributes {
	return &types.QueueAttributes{VisibilityTimeoutSeconds: aws.Int32(visibility),
		DeadLetterConfiguration: &types.DeadLetterConfiguration{TargetType: types.TargetTypeBuiltIn, MaxReceiveCount: aws.Int32(maxReceive)}}
}

// TestQueues_SDK_Lifecycle: a queue from creation to gone: CREATING with the configuration
// echoed (no starting time yet for LATEST), ACTIVE after the delay with its effective
// starting time, the defaults of the model (30 s, BUILT_IN with 6), listed, UPDATING then
// ACTIVE with new attributes, DELETING then gone; created again under the same name, it gets
// another ARN.
func TestQueues_SDK_Lifecycle(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	created := time.UnixMilli(streamT0).UTC()

	out, err := e.client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("q"),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN)}}})
	require.NoError(t, err)
	arn := aws.ToString(out.QueueDescription.QueueARN)
	require.Regexp(t, `^arn:aws:kinesis:us-east-1:000000000000:queue/[0-9a-f]{32}$`, arn)
	want := types.QueueDescription{QueueARN: aws.String(arn), QueueName: aws.String("q"), QueueStatus: types.QueueStatusCreating,
		QueueCreationTimestamp: aws.Time(created), QueueAttributes: defaultAttrs(30, 6),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN),
			StartingPosition: &types.QueueStartingPosition{Type: types.QueueStartingPositionTypeLatest}}}}
	require.Equal(t, want, utc(*out.QueueDescription))
	require.Equal(t, want, utc(e.describe(arn)))

	e.clock.Advance(queueDelay)
	want.QueueStatus = types.QueueStatusActive
	want.StreamConfigurationList[0].StartingPosition.Timestamp = aws.Time(created)
	require.Equal(t, want, utc(e.describe(arn)))

	list, err := e.client.ListQueues(ctx, &kinesis.ListQueuesInput{})
	require.NoError(t, err)
	require.Len(t, list.QueueSummaries, 1)
	s := list.QueueSummaries[0]
	require.Equal(t, arn, aws.ToString(s.QueueARN))
	require.Equal(t, "q", aws.ToString(s.QueueName))
	require.Equal(t, types.QueueStatusActive, s.QueueStatus)
	require.Equal(t, created, s.QueueCreationTimestamp.UTC())
	require.Len(t, s.Streams, 1)
	require.Equal(t, queueStreamARN, aws.ToString(s.Streams[0].StreamARN))
	require.Equal(t, created, s.Streams[0].StreamCreationTimestamp.UTC())
	require.Nil(t, list.NextToken)

	up, err := e.client.UpdateQueue(ctx, &kinesis.UpdateQueueInput{QueueARN: aws.String(arn),
		QueueAttributes: &types.QueueAttributes{VisibilityTimeoutSeconds: aws.Int32(90)}})
	require.NoError(t, err)
	want.QueueStatus, want.QueueAttributes = types.QueueStatusUpdating, defaultAttrs(90, 6)
	require.Equal(t, want, utc(*up.QueueDescription), "only the visibility timeout changes")
	e.clock.Advance(queueDelay)
	up, err = e.client.UpdateQueue(ctx, &kinesis.UpdateQueueInput{QueueARN: aws.String(arn),
		QueueAttributes: &types.QueueAttributes{DeadLetterConfiguration: &types.DeadLetterConfiguration{TargetType: types.TargetTypeNone}}})
	require.NoError(t, err)
	want.QueueAttributes = &types.QueueAttributes{VisibilityTimeoutSeconds: aws.Int32(90),
		DeadLetterConfiguration: &types.DeadLetterConfiguration{TargetType: types.TargetTypeNone}}
	require.Equal(t, want, utc(*up.QueueDescription))
	_, err = e.client.DeleteQueue(ctx, &kinesis.DeleteQueueInput{QueueARN: aws.String(arn)})
	requireSDKError(t, err, "ResourceInUseException", "Queue q under account 000000000000 not ACTIVE, instead in state UPDATING")
	e.clock.Advance(queueDelay)
	want.QueueStatus = types.QueueStatusActive
	require.Equal(t, want, utc(e.describe(arn)))

	_, err = e.client.DeleteQueue(ctx, &kinesis.DeleteQueueInput{QueueARN: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, types.QueueStatusDeleting, e.describe(arn).QueueStatus)
	_, err = e.client.DeleteQueue(ctx, &kinesis.DeleteQueueInput{QueueARN: aws.String(arn)})
	require.NoError(t, err, "deleting a DELETING queue changes nothing")
	_, err = e.client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("q"),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN)}}})
	requireSDKError(t, err, "ResourceInUseException", "Queue q under account 000000000000 already exists.")
	e.clock.Advance(queueDelay)
	_, err = e.client.DescribeQueue(ctx, &kinesis.DescribeQueueInput{QueueARN: aws.String(arn)})
	requireSDKError(t, err, "ResourceNotFoundException", queueNotFound(arn))
	_, err = e.client.DeleteQueue(ctx, &kinesis.DeleteQueueInput{QueueARN: aws.String(arn)})
	requireSDKError(t, err, "ResourceNotFoundException", queueNotFound(arn))
	list, err = e.client.ListQueues(ctx, &kinesis.ListQueuesInput{})
	require.NoError(t, err)
	require.Empty(t, list.QueueSummaries)

	again := e.create("q", nil)
	require.NotEqual(t, arn, again, "the same name gets another ARN")
}

// TestQueues_SDK_StartingPositions: TRIM_HORIZON reports the earliest time the stream can
// be read from once ACTIVE; AT_TIMESTAMP echoes its time while CREATING and after, or the
// stream's earliest time if that is later.
func TestQueues_SDK_StartingPositions(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	e.clock.Advance(time.Hour)
	create := func(name string, p *types.QueueStartingPosition) string {
		out, err := e.client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String(name),
			StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN), StartingPosition: p}}})
		require.NoError(t, err)
		return aws.ToString(out.QueueDescription.QueueARN)
	}
	position := func(arn string) types.QueueStartingPosition {
		p := *e.describe(arn).StreamConfigurationList[0].StartingPosition
		if p.Timestamp != nil {
			p.Timestamp = aws.Time(p.Timestamp.UTC())
		}
		return p
	}
	trim := create("trim", &types.QueueStartingPosition{Type: types.QueueStartingPositionTypeTrimHorizon})
	at := time.UnixMilli(streamT0 + 1000).UTC()
	atq := create("at", &types.QueueStartingPosition{Type: types.QueueStartingPositionTypeAtTimestamp, Timestamp: aws.Time(at)})
	early := create("early", &types.QueueStartingPosition{Type: types.QueueStartingPositionTypeAtTimestamp,
		Timestamp: aws.Time(time.UnixMilli(streamT0 - 1000))})
	require.Equal(t, types.QueueStartingPosition{Type: types.QueueStartingPositionTypeTrimHorizon}, position(trim))
	require.Equal(t, types.QueueStartingPosition{Type: types.QueueStartingPositionTypeAtTimestamp, Timestamp: aws.Time(at)}, position(atq))
	e.clock.Advance(queueDelay)
	streamCreated := time.UnixMilli(streamT0).UTC()
	require.Equal(t, types.QueueStartingPosition{Type: types.QueueStartingPositionTypeTrimHorizon, Timestamp: aws.Time(streamCreated)}, position(trim))
	require.Equal(t, types.QueueStartingPosition{Type: types.QueueStartingPositionTypeAtTimestamp, Timestamp: aws.Time(at)}, position(atq))
	require.Equal(t, types.QueueStartingPosition{Type: types.QueueStartingPositionTypeAtTimestamp, Timestamp: aws.Time(streamCreated)}, position(early))
}

// TestQueues_SDK_CreateErrors: CreateQueue's refusals, each with its type and message.
func TestQueues_SDK_CreateErrors(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	_, err := e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("prov"), ShardCount: aws.Int32(1)})
	require.NoError(t, err)
	e.createActive("taken", nil)
	conf := func(arn string) []types.QueueStreamConfiguration {
		return []types.QueueStreamConfiguration{{StreamARN: aws.String(arn)}}
	}
	ts := aws.Time(time.UnixMilli(streamT0))
	cases := []struct {
		name string
		in   kinesis.CreateQueueInput
		typ  string
		msg  string
	}{
		{"PROVISIONED stream", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: conf("arn:aws:kinesis:us-east-1:000000000000:stream/prov")},
			"ValidationException", "Queues are only supported for ON_DEMAND streams. Stream prov under account 000000000000 is PROVISIONED."},
		{"no such stream", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: conf("arn:aws:kinesis:us-east-1:000000000000:stream/nope")},
			"ResourceNotFoundException", "Stream nope under account 000000000000 not found."},
		{"stream of another account", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: conf("arn:aws:kinesis:us-east-1:111111111111:stream/s")},
			"ResourceNotFoundException", "Stream s under account 111111111111 not found."},
		{"name taken", kinesis.CreateQueueInput{QueueName: aws.String("taken"), StreamConfigurationList: conf(queueStreamARN)},
			"ResourceInUseException", "Queue taken under account 000000000000 already exists."},
		{"name pattern", kinesis.CreateQueueInput{QueueName: aws.String("a/b"), StreamConfigurationList: conf(queueStreamARN)},
			"ValidationException", "1 validation error detected: Value 'a/b' at 'queueName' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"name length", kinesis.CreateQueueInput{QueueName: aws.String(strings.Repeat("a", 129)), StreamConfigurationList: conf(queueStreamARN)},
			"ValidationException", "1 validation error detected: Value '" + strings.Repeat("a", 129) + "' at 'queueName' failed to satisfy constraint: " +
				"Member must have length less than or equal to 128"},
		{"two streams", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: append(conf(queueStreamARN), conf(queueStreamARN)...)},
			"ValidationException", "1 validation error detected: Value '[com.amazonaws.kinesis.v20131202.QueueStreamConfiguration@c965e310, " +
				"com.amazonaws.kinesis.v20131202.QueueStreamConfiguration@c965e310]' at 'streamConfigurationList' failed to satisfy constraint: " +
				"Member must have length less than or equal to 1"},
		{"AT_TIMESTAMP without Timestamp", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: []types.QueueStreamConfiguration{{
			StreamARN: aws.String(queueStreamARN), StartingPosition: &types.QueueStartingPosition{Type: types.QueueStartingPositionTypeAtTimestamp}}}},
			"ValidationException", "Timestamp is required when the StartingPosition Type is AT_TIMESTAMP."},
		{"LATEST with Timestamp", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: []types.QueueStreamConfiguration{{
			StreamARN: aws.String(queueStreamARN), StartingPosition: &types.QueueStartingPosition{Type: types.QueueStartingPositionTypeLatest, Timestamp: ts}}}},
			"ValidationException", "Timestamp can be specified only when the StartingPosition Type is AT_TIMESTAMP."},
		{"BUILT_IN without MaxReceiveCount", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: conf(queueStreamARN),
			QueueAttributes: &types.QueueAttributes{DeadLetterConfiguration: &types.DeadLetterConfiguration{TargetType: types.TargetTypeBuiltIn}}},
			"ValidationException", "MaxReceiveCount is required when the DeadLetterConfiguration TargetType is BUILT_IN."},
		{"NONE with MaxReceiveCount", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: conf(queueStreamARN),
			QueueAttributes: &types.QueueAttributes{DeadLetterConfiguration: &types.DeadLetterConfiguration{TargetType: types.TargetTypeNone, MaxReceiveCount: aws.Int32(3)}}},
			"ValidationException", "MaxReceiveCount can be specified only when the DeadLetterConfiguration TargetType is BUILT_IN."},
		{"visibility timeout over 12 hours", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: conf(queueStreamARN),
			QueueAttributes: &types.QueueAttributes{VisibilityTimeoutSeconds: aws.Int32(43201)}},
			"ValidationException", "1 validation error detected: Value '43201' at 'queueAttributes.visibilityTimeoutSeconds' failed to satisfy constraint: " +
				"Member must have value less than or equal to 43200"},
		{"MaxReceiveCount 0", kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: conf(queueStreamARN),
			QueueAttributes: defaultAttrs(30, 0)},
			"ValidationException", "1 validation error detected: Value '0' at 'queueAttributes.deadLetterConfiguration.maxReceiveCount' failed to satisfy constraint: " +
				"Member must have value greater than or equal to 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.client.CreateQueue(ctx, &c.in)
			requireSDKError(t, err, c.typ, c.msg)
		})
	}

	t.Run("stream CREATING", func(t *testing.T) {
		st := mustOpenStreamStore(t, stream.Options{CreateDelay: time.Hour})
		ts := httptest.NewServer(server.New(streambackend.New(st), server.Options{Logger: discardLogger()}))
		t.Cleanup(ts.Close)
		client := newSDKClient(ts.URL, ts.Client())
		_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
		require.NoError(t, err)
		_, err = client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("q"), StreamConfigurationList: conf(queueStreamARN)})
		requireSDKError(t, err, "ResourceInUseException", "Stream s under account 000000000000 not ACTIVE, instead in state CREATING")
	})
}

// TestQueues_SDK_Limits: queues and enhanced fan-out consumers share the stream's limit of
// 20, and at most 5 queues are CREATING or DELETING at once.
func TestQueues_SDK_Limits(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	for i := range 5 {
		e.create(fmt.Sprint("c", i), nil)
	}
	_, err := e.client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("sixth"),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN)}}})
	requireSDKError(t, err, "LimitExceededException", "Account 000000000000 already has 5 queues in CREATING or DELETING status; "+
		"only 5 queues can be created or deleted at the same time.")
	e.clock.Advance(queueDelay)
	for i := range 5 {
		_, err := e.client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(queueStreamARN),
			ConsumerName: aws.String(fmt.Sprint("consumer", i))})
		require.NoError(t, err)
	}
	e.clock.Advance(queueDelay)
	for i := 5; i < 15; i++ {
		e.create(fmt.Sprint("c", i), nil)
		e.clock.Advance(queueDelay)
	}
	_, err = e.client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("21st"),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN)}}})
	requireSDKError(t, err, "LimitExceededException", "Stream s under account 000000000000 already has 20 queues and registered consumers, "+
		"the most a stream can have.")
	_, err = e.client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(queueStreamARN),
		ConsumerName: aws.String("consumer5")})
	requireSDKError(t, err, "LimitExceededException", "Stream s under account 000000000000 already has 20 registered consumers, "+
		"the most a stream can have.")
}

// TestQueues_SDK_StreamRules: a stream that has queues cannot be deleted, with or without
// EnforceConsumerDeletion, nor switched to PROVISIONED, until its queues are deleted.
func TestQueues_SDK_StreamRules(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	arn := e.createActive("q", nil)
	for _, enforce := range []bool{false, true} {
		_, err := e.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s"), EnforceConsumerDeletion: aws.Bool(enforce)})
		requireSDKError(t, err, "ResourceInUseException", "Stream s under account 000000000000 has queues. "+
			"Delete them with DeleteQueue before deleting the stream.")
	}
	_, err := e.client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(queueStreamARN),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	requireSDKError(t, err, "ResourceInUseException", "Stream s under account 000000000000 has queues. "+
		"Delete them with DeleteQueue before switching the stream to PROVISIONED mode.")
	_, err = e.client.DeleteQueue(ctx, &kinesis.DeleteQueueInput{QueueARN: aws.String(arn)})
	require.NoError(t, err)
	_, err = e.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	requireSDKError(t, err, "ResourceInUseException", "Stream s under account 000000000000 has queues. "+
		"Delete them with DeleteQueue before deleting the stream.")
	e.clock.Advance(queueDelay)
	_, err = e.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	require.NoError(t, err, "the queue is gone")
}

// TestQueues_SDK_NotFound: ARNs that name no queue here, and ARNs that are not queue ARNs.
func TestQueues_SDK_NotFound(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	arn := e.createActive("q", nil)
	id := strings.TrimPrefix(arn, "arn:aws:kinesis:us-east-1:000000000000:queue/")
	for _, other := range []string{
		"arn:aws:kinesis:us-east-1:000000000000:queue/0123456789abcdef0123456789abcdef",
		"arn:aws:kinesis:us-east-1:111111111111:queue/" + id,
		"arn:aws:kinesis:eu-west-1:000000000000:queue/" + id,
		"arn:aws-cn:kinesis:us-east-1:000000000000:queue/" + id,
		"arn:aws:kinesis:us-east-1:000000000000:queue/q",
	} {
		_, err := e.client.DescribeQueue(ctx, &kinesis.DescribeQueueInput{QueueARN: aws.String(other)})
		requireSDKError(t, err, "ResourceNotFoundException", queueNotFound(other))
		_, err = e.client.UpdateQueue(ctx, &kinesis.UpdateQueueInput{QueueARN: aws.String(other), QueueAttributes: &types.QueueAttributes{}})
		requireSDKError(t, err, "ResourceNotFoundException", queueNotFound(other))
		_, err = e.client.ReceiveQueueRecords(ctx, &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(other), WaitTimeSeconds: aws.Int32(0)})
		requireSDKError(t, err, "ResourceNotFoundException", queueNotFound(other))
	}
	_, err := e.client.DescribeQueue(ctx, &kinesis.DescribeQueueInput{QueueARN: aws.String(queueStreamARN)})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value '"+queueStreamARN+"' at 'queueARN' failed to satisfy "+
		"constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:queue/\\S+")
}

// TestQueues_SDK_ListQueues: in name order, a page at a time, and filtered by stream (and
// by the stream's creation time).
func TestQueues_SDK_ListQueues(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	e.createOnDemand("t")
	tARN := "arn:aws:kinesis:us-east-1:000000000000:stream/t"
	for _, name := range []string{"d", "b", "a"} {
		e.createActive(name, nil)
	}
	out, err := e.client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("c"),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(tARN)}}})
	require.NoError(t, err)
	names := func(s []types.QueueSummary) []string {
		var out []string
		for _, q := range s {
			out = append(out, aws.ToString(q.QueueName))
		}
		return out
	}
	var got []string
	p := kinesis.NewListQueuesPaginator(e.client, &kinesis.ListQueuesInput{MaxResults: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		got = append(got, names(page.QueueSummaries)...)
		pages++
	}
	require.Equal(t, []string{"a", "b", "c", "d"}, got)
	require.Equal(t, 2, pages)

	only, err := e.client.ListQueues(ctx, &kinesis.ListQueuesInput{StreamFilter: []types.QueueStreamFilter{{StreamARN: aws.String(tARN)}}})
	require.NoError(t, err)
	require.Equal(t, []string{"c"}, names(only.QueueSummaries))
	require.Equal(t, out.QueueDescription.QueueARN, only.QueueSummaries[0].QueueARN)
	old, err := e.client.ListQueues(ctx, &kinesis.ListQueuesInput{StreamFilter: []types.QueueStreamFilter{{StreamARN: aws.String(tARN),
		StreamCreationTimestamp: aws.Time(time.UnixMilli(streamT0 - 60000))}}})
	require.NoError(t, err)
	require.Empty(t, old.QueueSummaries, "another incarnation of t")

	_, err = e.client.ListQueues(ctx, &kinesis.ListQueuesInput{NextToken: aws.String("garbage")})
	requireSDKError(t, err, "InvalidArgumentException", "Invalid NextToken.")
	_, err = e.client.ListQueues(ctx, &kinesis.ListQueuesInput{MaxResults: aws.Int32(10001)})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value '10001' at 'maxResults' failed to satisfy constraint: "+
		"Member must have value less than or equal to 10000")
}

// TestQueues_SDK_Restart: a queue's configuration survives a restart of the server and its
// store, and a CREATING queue becomes ACTIVE after it.
func TestQueues_SDK_Restart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := &streamClock{ms: streamT0}
	opts := stream.Options{Now: clock.Now, RegisterConsumerDelay: queueDelay, Logger: discardLogger(),
		Shard: shard.Options{Sync: shard.SyncNone}}
	serve := func() (*kinesis.Client, func()) {
		st, err := stream.Open(dir, opts)
		require.NoError(t, err)
		ts := httptest.NewServer(server.New(streambackend.New(st), server.Options{Logger: discardLogger()}))
		return newSDKClient(ts.URL, ts.Client()), func() { ts.Close(); require.NoError(t, st.Close()) }
	}
	client, stop := serve()
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	require.NoError(t, err)
	out, err := client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("q"),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN),
			StartingPosition: &types.QueueStartingPosition{Type: types.QueueStartingPositionTypeTrimHorizon}}},
		QueueAttributes: defaultAttrs(45, 3), Tags: map[string]string{"k": "v"}})
	require.NoError(t, err)
	before := utc(*out.QueueDescription)
	stop()

	client, stop = serve()
	defer stop()
	d, err := client.DescribeQueue(ctx, &kinesis.DescribeQueueInput{QueueARN: before.QueueARN})
	require.NoError(t, err)
	require.Equal(t, before, utc(*d.QueueDescription))
	clock.Advance(queueDelay)
	d, err = client.DescribeQueue(ctx, &kinesis.DescribeQueueInput{QueueARN: before.QueueARN})
	require.NoError(t, err)
	require.Equal(t, types.QueueStatusActive, d.QueueDescription.QueueStatus)
	require.Equal(t, defaultAttrs(45, 3), d.QueueDescription.QueueAttributes)
	tags, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: before.QueueARN})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}, tags.Tags)
	_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	requireSDKError(t, err, "ResourceInUseException", "Stream s under account 000000000000 has queues. "+
		"Delete them with DeleteQueue before deleting the stream.")
}

// TestQueues_Reset: the reset of a shared server (DeleteAllStreams) takes the queues with
// their streams, delivery state included: a stream made again under the same name starts
// with none, and a queue made on it delivers from its own start.
func TestQueues_Reset(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	arn := e.createActive("q", nil)
	put(t, e.client, "before")
	require.Equal(t, []string{"before"}, keys(receive(t, e.client, arn, false)))
	n, err := e.store.DeleteAllStreams()
	require.NoError(t, err)
	require.Equal(t, 1, n)
	_, err = e.client.DescribeQueue(ctx, &kinesis.DescribeQueueInput{QueueARN: aws.String(arn)})
	requireSDKError(t, err, "ResourceNotFoundException", queueNotFound(arn))
	list, err := e.client.ListQueues(ctx, &kinesis.ListQueuesInput{})
	require.NoError(t, err)
	require.Empty(t, list.QueueSummaries)

	e.createOnDemand("s")
	again := e.createActive("q", nil)
	require.NotEqual(t, arn, again)
	put(t, e.client, "after")
	require.Equal(t, []string{"after"}, keys(receive(t, e.client, again, false)))
}

// TestQueues_SDK_TagsAndPolicies: a queue's tags (from CreateQueue, then TagResource and
// UntagResource) and its resource policy, on its ARN; they survive nothing of a deleted
// queue: DELETING or gone, it is a resource not found.
func TestQueues_SDK_TagsAndPolicies(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	out, err := e.client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("q"),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN)}},
		Tags:                    map[string]string{"team": "billing", "env": "test"}})
	require.NoError(t, err)
	arn := out.QueueDescription.QueueARN
	tags := func() []types.Tag {
		t.Helper()
		out, err := e.client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
		require.NoError(t, err)
		return out.Tags
	}
	require.Equal(t, []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}, {Key: aws.String("team"), Value: aws.String("billing")}}, tags())
	policy := `{"Version":"2012-10-17","Statement":[]}`
	_, err = e.client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(policy)})
	requireSDKError(t, err, "ResourceInUseException", "Queue q under account 000000000000 not ACTIVE, instead in state CREATING")
	e.clock.Advance(queueDelay)

	_, err = e.client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"env": "prod", "k": "v"}})
	require.NoError(t, err)
	_, err = e.client.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("k"), Value: aws.String("v")}}, tags())
	stream, err := e.client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(queueStreamARN)})
	require.NoError(t, err)
	require.Empty(t, stream.Tags, "the stream's own tags are apart")

	_, err = e.client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(policy)})
	require.NoError(t, err)
	got, err := e.client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, policy, aws.ToString(got.Policy))

	_, err = e.client.DeleteQueue(ctx, &kinesis.DeleteQueueInput{QueueARN: arn})
	require.NoError(t, err)
	notFound := "Resource " + aws.ToString(arn) + " not found."
	_, err = e.client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	requireSDKError(t, err, "ResourceNotFoundException", notFound)
	_, err = e.client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"a": "b"}})
	requireSDKError(t, err, "ResourceNotFoundException", notFound)
	_, err = e.client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	requireSDKError(t, err, "ResourceNotFoundException", notFound)
	e.clock.Advance(queueDelay)
	_, err = e.client.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn})
	requireSDKError(t, err, "ResourceNotFoundException", notFound)
	other := "arn:aws:kinesis:us-east-1:111111111111:queue/0123456789abcdef0123456789abcdef"
	_, err = e.client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(other)})
	requireSDKError(t, err, "ResourceNotFoundException", "Resource "+other+" not found.")

	// The gone queue's policy left the catalog entry with it: the stream is deletable and
	// its entry holds no trace of the queue.
	_, err = e.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	require.NoError(t, err)
}
