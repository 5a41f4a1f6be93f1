package streambackend_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/server/streambackend"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// The record operations of queues through the Go SDK, on a fake clock: visibility timeouts
// end when the test advances it.

const (
	handleNotValid   = "The receipt handle is not valid for this queue."
	handleExpired    = "The receipt handle has expired: the record's visibility timeout has passed, or it was received again."
	recordNotInQueue = "The record of the receipt handle is no longer in the queue."
)

// put writes one record to stream s and returns its RecordId as a queue reports it.
func put(t *testing.T, client *kinesis.Client, data string) string {
	t.Helper()
	out, err := client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamARN: aws.String(queueStreamARN),
		PartitionKey: aws.String("key-" + data), Data: []byte(data)})
	require.NoError(t, err)
	return aws.ToString(out.ShardId) + ":" + aws.ToString(out.SequenceNumber)
}

// receive receives from the queue without waiting.
func receive(t *testing.T, client *kinesis.Client, arn string, deadLetter bool) map[string]types.QueueRecord {
	t.Helper()
	in := &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(arn), WaitTimeSeconds: aws.Int32(0)}
	var recs []types.QueueRecord
	if deadLetter {
		out, err := client.ReceiveDeadLetterQueueRecords(context.Background(), (*kinesis.ReceiveDeadLetterQueueRecordsInput)(in))
		require.NoError(t, err)
		recs = out.QueueRecords
	} else {
		out, err := client.ReceiveQueueRecords(context.Background(), in)
		require.NoError(t, err)
		recs = out.QueueRecords
	}
	byData := map[string]types.QueueRecord{}
	for _, r := range recs {
		byData[string(r.Data)] = r
	}
	require.Len(t, byData, len(recs), "a record twice in one answer")
	return byData
}

func keys(m map[string]types.QueueRecord) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// entryResult is one entry of the answer of a record operation: "" for success, else the
// error code and message.
type entryResult struct{ Code, Message string }

func results(t *testing.T, handles []string, ok []string, failed [][3]string) []entryResult {
	t.Helper()
	require.Equal(t, len(handles), len(ok)+len(failed))
	by := map[string]entryResult{}
	for _, h := range ok {
		by[h] = entryResult{}
	}
	for _, f := range failed {
		by[f[0]] = entryResult{f[1], f[2]}
	}
	out := make([]entryResult, len(handles))
	for i, h := range handles {
		r, found := by[h]
		require.True(t, found, "no result for handle %q", h)
		out[i] = r
	}
	return out
}

// queueCalls runs the five record operations that take receipt handles.
type queueCalls struct {
	t      *testing.T
	client *kinesis.Client
	arn    string
}

func (c queueCalls) ack(handles ...string) []entryResult {
	c.t.Helper()
	var entries []types.AcknowledgeQueueRecordsRequestEntry
	for _, h := range handles {
		entries = append(entries, types.AcknowledgeQueueRecordsRequestEntry{ReceiptHandle: aws.String(h)})
	}
	out, err := c.client.AcknowledgeQueueRecords(context.Background(), &kinesis.AcknowledgeQueueRecordsInput{QueueARN: aws.String(c.arn), Entries: entries})
	require.NoError(c.t, err)
	var ok []string
	var failed [][3]string
	for _, s := range out.Successful {
		ok = append(ok, aws.ToString(s.ReceiptHandle))
	}
	for _, f := range out.Failed {
		failed = append(failed, [3]string{aws.ToString(f.ReceiptHandle), aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage)})
	}
	return results(c.t, handles, ok, failed)
}

func (c queueCalls) ackDead(handles ...string) []entryResult {
	c.t.Helper()
	var entries []types.AcknowledgeDeadLetterQueueRecordsRequestEntry
	for _, h := range handles {
		entries = append(entries, types.AcknowledgeDeadLetterQueueRecordsRequestEntry{ReceiptHandle: aws.String(h)})
	}
	out, err := c.client.AcknowledgeDeadLetterQueueRecords(context.Background(), &kinesis.AcknowledgeDeadLetterQueueRecordsInput{QueueARN: aws.String(c.arn), Entries: entries})
	require.NoError(c.t, err)
	var ok []string
	var failed [][3]string
	for _, s := range out.Successful {
		ok = append(ok, aws.ToString(s.ReceiptHandle))
	}
	for _, f := range out.Failed {
		failed = append(failed, [3]string{aws.ToString(f.ReceiptHandle), aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage)})
	}
	return results(c.t, handles, ok, failed)
}

func (c queueCalls) restore(handles ...string) []entryResult {
	c.t.Helper()
	var entries []types.RestoreDeadLetterQueueRecordsRequestEntry
	for _, h := range handles {
		entries = append(entries, types.RestoreDeadLetterQueueRecordsRequestEntry{ReceiptHandle: aws.String(h)})
	}
	out, err := c.client.RestoreDeadLetterQueueRecords(context.Background(), &kinesis.RestoreDeadLetterQueueRecordsInput{QueueARN: aws.String(c.arn), Entries: entries})
	require.NoError(c.t, err)
	var ok []string
	var failed [][3]string
	for _, s := range out.Successful {
		ok = append(ok, aws.ToString(s.ReceiptHandle))
	}
	for _, f := range out.Failed {
		failed = append(failed, [3]string{aws.ToString(f.ReceiptHandle), aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage)})
	}
	return results(c.t, handles, ok, failed)
}

func (c queueCalls) visibility(sec int32, handles ...string) []entryResult {
	c.t.Helper()
	var entries []types.UpdateQueueRecordsVisibilityRequestEntry
	for _, h := range handles {
		entries = append(entries, types.UpdateQueueRecordsVisibilityRequestEntry{ReceiptHandle: aws.String(h), VisibilityTimeoutSeconds: aws.Int32(sec)})
	}
	out, err := c.client.UpdateQueueRecordsVisibility(context.Background(), &kinesis.UpdateQueueRecordsVisibilityInput{QueueARN: aws.String(c.arn), Entries: entries})
	require.NoError(c.t, err)
	var ok []string
	var failed [][3]string
	for _, s := range out.Successful {
		ok = append(ok, aws.ToString(s.ReceiptHandle))
	}
	for _, f := range out.Failed {
		failed = append(failed, [3]string{aws.ToString(f.ReceiptHandle), aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage)})
	}
	return results(c.t, handles, ok, failed)
}

func (c queueCalls) deadVisibility(sec int32, handles ...string) []entryResult {
	c.t.Helper()
	var entries []types.UpdateDeadLetterQueueRecordsVisibilityRequestEntry
	for _, h := range handles {
		entries = append(entries, types.UpdateDeadLetterQueueRecordsVisibilityRequestEntry{ReceiptHandle: aws.String(h), VisibilityTimeoutSeconds: aws.Int32(sec)})
	}
	out, err := c.client.UpdateDeadLetterQueueRecordsVisibility(context.Background(), &kinesis.UpdateDeadLetterQueueRecordsVisibilityInput{QueueARN: aws.String(c.arn), Entries: entries})
	require.NoError(c.t, err)
	var ok []string
	var failed [][3]string
	for _, s := range out.Successful {
		ok = append(ok, aws.ToString(s.ReceiptHandle))
	}
	for _, f := range out.Failed {
		failed = append(failed, [3]string{aws.ToString(f.ReceiptHandle), aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage)})
	}
	return results(c.t, handles, ok, failed)
}

var success = entryResult{}

// TestQueueRecords_SDK_Flow: records put to the stream are received with receipt handles and
// hidden for the visibility timeout; an acknowledged record is gone for good; one that is not
// is delivered again once its timeout ends, with a new handle (the old one has expired);
// UpdateQueueRecordsVisibility with 0 makes one visible at once; after MaxReceiveCount
// receptions a record becomes a dead-letter record, served by the dead-letter operations
// only, and RestoreDeadLetterQueueRecords returns it to the queue with its count reset.
func TestQueueRecords_SDK_Flow(t *testing.T) {
	e := newQueueEnv(t)
	arn := e.createActive("q", defaultAttrs(30, 2))
	c := queueCalls{t, e.client, arn}
	ids := map[string]string{}
	for _, d := range []string{"a", "b", "c"} {
		ids[d] = put(t, e.client, d)
	}
	arrived := time.UnixMilli(streamT0 + queueDelay.Milliseconds()).UTC()

	first := receive(t, e.client, arn, false)
	require.Equal(t, []string{"a", "b", "c"}, keys(first))
	for d, r := range first {
		require.Equal(t, ids[d], aws.ToString(r.RecordId))
		require.Equal(t, "key-"+d, aws.ToString(r.PartitionKey))
		require.Equal(t, int32(1), aws.ToInt32(r.ReceiveCount))
		require.Equal(t, arrived, r.ApproximateArrivalTimestamp.UTC())
		require.Equal(t, arrived, r.FirstReceiveTimestamp.UTC())
	}
	require.Empty(t, receive(t, e.client, arn, false), "in flight")

	a := aws.ToString(first["a"].ReceiptHandle)
	require.Equal(t, []entryResult{success}, c.ack(a))
	require.Equal(t, []entryResult{success}, c.ack(a), "acknowledging again is safe")

	e.clock.Advance(29 * time.Second)
	require.Empty(t, receive(t, e.client, arn, false), "still in flight")
	e.clock.Advance(time.Second)
	second := receive(t, e.client, arn, false)
	require.Equal(t, []string{"b", "c"}, keys(second), "a was acknowledged")
	for d, r := range second {
		require.Equal(t, ids[d], aws.ToString(r.RecordId), "the same record")
		require.NotEqual(t, first[d].ReceiptHandle, r.ReceiptHandle, "a new handle")
		require.Equal(t, int32(2), aws.ToInt32(r.ReceiveCount))
		require.Equal(t, arrived, r.FirstReceiveTimestamp.UTC())
	}
	oldB, b, cc := aws.ToString(first["b"].ReceiptHandle), aws.ToString(second["b"].ReceiptHandle), aws.ToString(second["c"].ReceiptHandle)
	require.Equal(t, []entryResult{{"InvalidArgumentException", handleExpired}, {"InvalidArgumentException", handleExpired}},
		c.ack(oldB, aws.ToString(first["c"].ReceiptHandle)), "received again: the first handles expired")
	require.Equal(t, []entryResult{{"InvalidArgumentException", handleExpired}}, c.visibility(60, oldB))

	// b goes back at once, and having been received twice (MaxReceiveCount 2), becomes a
	// dead-letter record; c's timeout is extended.
	require.Equal(t, []entryResult{success}, c.visibility(0, b))
	require.Equal(t, []entryResult{success}, c.visibility(300, cc))
	require.Empty(t, receive(t, e.client, arn, false), "b is a dead letter, c in flight")
	dead := receive(t, e.client, arn, true)
	require.Equal(t, []string{"b"}, keys(dead))
	require.Equal(t, int32(3), aws.ToInt32(dead["b"].ReceiveCount))
	require.Equal(t, ids["b"], aws.ToString(dead["b"].RecordId))
	deadB := aws.ToString(dead["b"].ReceiptHandle)
	require.Empty(t, receive(t, e.client, arn, true), "in flight as a dead letter")
	require.Equal(t, []entryResult{{"InvalidArgumentException", handleNotValid}}, c.ack(deadB), "a dead-letter handle is not a queue handle")
	require.Equal(t, []entryResult{{"InvalidArgumentException", handleNotValid}}, c.ackDead(cc), "nor the other way round")
	require.Equal(t, []entryResult{success}, c.deadVisibility(0, deadB))
	require.Equal(t, []entryResult{{"InvalidArgumentException", handleExpired}}, c.restore(deadB), "visible again: the handle expired")
	dead = receive(t, e.client, arn, true)
	deadB = aws.ToString(dead["b"].ReceiptHandle)
	require.Equal(t, []entryResult{success}, c.restore(deadB))
	require.Equal(t, []entryResult{{"InvalidArgumentException", handleExpired}}, c.ackDead(deadB), "restored: the handle expired")

	restored := receive(t, e.client, arn, false)
	require.Equal(t, []string{"b"}, keys(restored))
	require.Equal(t, int32(1), aws.ToInt32(restored["b"].ReceiveCount), "the count starts again")
	require.Equal(t, arrived, restored["b"].FirstReceiveTimestamp.UTC())

	// 300 s on, c (received twice) is a dead letter, and b visible again.
	e.clock.Advance(300 * time.Second)
	require.Equal(t, []string{"b"}, keys(receive(t, e.client, arn, false)))
	dead = receive(t, e.client, arn, true)
	require.Equal(t, []string{"c"}, keys(dead))
	deadC := aws.ToString(dead["c"].ReceiptHandle)
	require.Equal(t, []entryResult{success}, c.ackDead(deadC))
	require.Equal(t, []entryResult{{"ResourceNotFoundException", recordNotInQueue}}, c.deadVisibility(10, deadC))
	require.Equal(t, []entryResult{{"ResourceNotFoundException", recordNotInQueue}}, c.restore(deadC))
	e.clock.Advance(time.Hour)
	require.Equal(t, []string{"b"}, keys(receive(t, e.client, arn, true)), "b received twice again; c acknowledged, gone for good")
}

// TestQueueRecords_SDK_Batches: at most Limit records an answer (10 by default), from every
// shard of the stream; and with dead-letter handling NONE a record is delivered again and
// again.
func TestQueueRecords_SDK_Batches(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	arn := e.createActive("q", &types.QueueAttributes{DeadLetterConfiguration: &types.DeadLetterConfiguration{TargetType: types.TargetTypeNone}})
	shards := map[string]bool{}
	for i := range 25 {
		id := put(t, e.client, fmt.Sprint("r", i))
		shards[id[:len("shardId-000000000000")]] = true
	}
	require.Len(t, shards, 4, "the records are spread over the 4 shards")
	got := map[string]bool{}
	for _, want := range []int{10, 10, 5, 0} {
		recs := receive(t, e.client, arn, false)
		require.Len(t, recs, want)
		for d := range recs {
			require.False(t, got[d], "%s twice", d)
			got[d] = true
		}
	}
	require.Len(t, got, 25)
	e.clock.Advance(30 * time.Second)
	out, err := e.client.ReceiveQueueRecords(ctx, &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(arn), Limit: aws.Int32(3),
		WaitTimeSeconds: aws.Int32(0), VisibilityTimeoutSeconds: aws.Int32(0)})
	require.NoError(t, err)
	require.Len(t, out.QueueRecords, 3)
	one := string(out.QueueRecords[0].Data)
	for n := int32(3); n <= 10; n++ {
		out, err := e.client.ReceiveQueueRecords(ctx, &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(arn), Limit: aws.Int32(1),
			WaitTimeSeconds: aws.Int32(0), VisibilityTimeoutSeconds: aws.Int32(0)})
		require.NoError(t, err)
		require.Len(t, out.QueueRecords, 1)
		require.Equal(t, one, string(out.QueueRecords[0].Data), "the first visible record, again")
		require.Equal(t, n, aws.ToInt32(out.QueueRecords[0].ReceiveCount), "NONE: no dead letters")
	}
	require.Empty(t, receive(t, e.client, arn, true))
}

// TestQueueRecords_SDK_StartingPosition: LATEST delivers only records put after the queue
// was created; TRIM_HORIZON the stream's older records too.
func TestQueueRecords_SDK_StartingPosition(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	put(t, e.client, "old")
	e.clock.Advance(time.Second)
	latest := e.create("latest", nil)
	out, err := e.client.CreateQueue(ctx, &kinesis.CreateQueueInput{QueueName: aws.String("trim"),
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN),
			StartingPosition: &types.QueueStartingPosition{Type: types.QueueStartingPositionTypeTrimHorizon}}}})
	require.NoError(t, err)
	trim := aws.ToString(out.QueueDescription.QueueARN)
	_, err = e.client.ReceiveQueueRecords(ctx, &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(latest), WaitTimeSeconds: aws.Int32(0)})
	requireSDKError(t, err, "ResourceInUseException", "Queue latest under account 000000000000 not ACTIVE, instead in state CREATING")
	e.clock.Advance(queueDelay)
	put(t, e.client, "new")
	require.Equal(t, []string{"new"}, keys(receive(t, e.client, latest, false)))
	require.Equal(t, []string{"new", "old"}, keys(receive(t, e.client, trim, false)))
}

// TestQueueRecords_SDK_BadHandles: text that is not a receipt handle, and handles of
// another queue, fail their entry with InvalidArgumentException; the other entries of the
// call go through.
func TestQueueRecords_SDK_BadHandles(t *testing.T) {
	e := newQueueEnv(t)
	arn := e.createActive("q", nil)
	other := e.createActive("other", nil)
	put(t, e.client, "x")
	mine := aws.ToString(receive(t, e.client, arn, false)["x"].ReceiptHandle)
	theirs := aws.ToString(receive(t, e.client, other, false)["x"].ReceiptHandle)
	c := queueCalls{t, e.client, arn}
	require.Equal(t, []entryResult{{"InvalidArgumentException", handleNotValid}, {"InvalidArgumentException", handleNotValid}, success},
		c.ack("garbage", theirs, mine))
	require.Equal(t, []entryResult{{"InvalidArgumentException", handleNotValid}}, c.visibility(5, mine[:len(mine)-2]+"AA"), "a changed handle")
	require.Equal(t, []entryResult{{"InvalidArgumentException", handleNotValid}}, c.restore(mine))
}

// TestQueueRecords_SDK_Validation: the limits of the record operations' members.
func TestQueueRecords_SDK_Validation(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	arn := e.createActive("q", nil)
	_, err := e.client.ReceiveQueueRecords(ctx, &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(arn), Limit: aws.Int32(11)})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value '11' at 'limit' failed to satisfy constraint: "+
		"Member must have value less than or equal to 10")
	_, err = e.client.ReceiveQueueRecords(ctx, &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(arn), VisibilityTimeoutSeconds: aws.Int32(-1)})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value '-1' at 'visibilityTimeoutSeconds' failed to satisfy constraint: "+
		"Member must have value greater than or equal to 0")
	var entries []types.AcknowledgeQueueRecordsRequestEntry
	for range 11 {
		entries = append(entries, types.AcknowledgeQueueRecordsRequestEntry{ReceiptHandle: aws.String("h")})
	}
	_, err = e.client.AcknowledgeQueueRecords(ctx, &kinesis.AcknowledgeQueueRecordsInput{QueueARN: aws.String(arn), Entries: entries})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value '["+
		strings.Repeat("com.amazonaws.kinesis.v20131202.AcknowledgeQueueRecordsRequestEntry@c965e310, ", 10)+
		"com.amazonaws.kinesis.v20131202.AcknowledgeQueueRecordsRequestEntry@c965e310]' at 'entries' failed to satisfy constraint: "+
		"Member must have length less than or equal to 10")
	_, err = e.client.UpdateQueueRecordsVisibility(ctx, &kinesis.UpdateQueueRecordsVisibilityInput{QueueARN: aws.String(arn),
		Entries: []types.UpdateQueueRecordsVisibilityRequestEntry{{ReceiptHandle: aws.String("h"), VisibilityTimeoutSeconds: aws.Int32(43201)}}})
	requireSDKError(t, err, "ValidationException", "1 validation error detected: Value '43201' at 'entries.1.member.visibilityTimeoutSeconds' "+
		"failed to satisfy constraint: Member must have value less than or equal to 43200")
}

// messageOf returns the message of an SDK error.
func messageOf(err error) string {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return ""
	}
	return apiErr.ErrorMessage()
}

// TestQueueRecords_SDK_Wait: a receive with WaitTimeSeconds returns the record put while it
// waits.
func TestQueueRecords_SDK_Wait(t *testing.T) {
	e := newQueueEnv(t)
	arn := e.createActive("q", nil)
	got := make(chan []types.QueueRecord, 1)
	go func() {
		out, err := e.client.ReceiveQueueRecords(context.Background(), &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(arn),
			WaitTimeSeconds: aws.Int32(20)})
		if err != nil {
			got <- nil
			return
		}
		got <- out.QueueRecords
	}()
	put(t, e.client, "late")
	recs := <-got
	require.Len(t, recs, 1)
	require.Equal(t, "late", string(recs[0].Data))
}

// TestQueueRecords_SDK_Restart: the delivery state survives a restart: an acknowledged
// record is not delivered again, a record in flight stays in flight until its timeout ends,
// receive counts go on, and dead-letter records stay dead letters. A damaged state file is
// reported, never guessed at.
func TestQueueRecords_SDK_Restart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := &streamClock{ms: streamT0}
	opts := stream.Options{Now: clock.Now, Logger: discardLogger(), Shard: shard.Options{Sync: shard.SyncNone}}
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
		StreamConfigurationList: []types.QueueStreamConfiguration{{StreamARN: aws.String(queueStreamARN)}}, QueueAttributes: defaultAttrs(30, 2)})
	require.NoError(t, err)
	arn := aws.ToString(out.QueueDescription.QueueARN)
	for _, d := range []string{"acked", "flight", "dead"} {
		put(t, client, d)
	}
	first := receive(t, client, arn, false)
	require.Equal(t, []string{"acked", "dead", "flight"}, keys(first))
	require.Equal(t, []entryResult{success}, queueCalls{t, client, arn}.ack(aws.ToString(first["acked"].ReceiptHandle)))
	clock.Advance(30 * time.Second)
	require.Equal(t, []string{"dead", "flight"}, keys(receive(t, client, arn, false)))
	clock.Advance(30 * time.Second) // both received twice: dead letters when next looked at
	stop()

	client, stop = serve()
	dead := receive(t, client, arn, true)
	require.Equal(t, []string{"dead", "flight"}, keys(dead), "dead letters after the restart, the acknowledged record is not one")
	require.Equal(t, int32(3), aws.ToInt32(dead["flight"].ReceiveCount))
	c := queueCalls{t, client, arn}
	require.Equal(t, []entryResult{success}, c.restore(aws.ToString(dead["flight"].ReceiptHandle)))
	flight := receive(t, client, arn, false)
	require.Equal(t, []string{"flight"}, keys(flight))
	stop()

	client, stop = serve()
	require.Empty(t, receive(t, client, arn, false), "still in flight after the restart")
	require.Equal(t, []entryResult{success}, queueCalls{t, client, arn}.ack(aws.ToString(flight["flight"].ReceiptHandle)),
		"its receipt handle still current")
	clock.Advance(time.Minute)
	require.Empty(t, receive(t, client, arn, false))
	stop()

	// Damage: one byte of the state file changed.
	paths, err := filepath.Glob(filepath.Join(dir, "streams", "*", "queues", "*"))
	require.NoError(t, err)
	require.Len(t, paths, 1)
	b, err := os.ReadFile(paths[0])
	require.NoError(t, err)
	b[len(b)-1] ^= 0xff
	require.NoError(t, os.WriteFile(paths[0], b, 0o644))
	client, stop = serve()
	defer stop()
	_, err = client.ReceiveQueueRecords(ctx, &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(arn), WaitTimeSeconds: aws.Int32(0)})
	requireSDKError(t, err, "InternalFailure", messageOf(err))
	require.Regexp(t, `^Internal Service Failure: queue delivery state .*/queues/[0-9a-f]{32} is damaged: checksum [0-9a-f]{8}, want [0-9a-f]{8}$`, messageOf(err))
	_, err = client.AcknowledgeQueueRecords(ctx, &kinesis.AcknowledgeQueueRecordsInput{QueueARN: aws.String(arn),
		Entries: []types.AcknowledgeQueueRecordsRequestEntry{{ReceiptHandle: flight["flight"].ReceiptHandle}}})
	requireSDKError(t, err, "InternalFailure", messageOf(err))
	d, err := client.DescribeQueue(ctx, &kinesis.DescribeQueueInput{QueueARN: aws.String(arn)})
	require.NoError(t, err, "the configuration is in the catalog, not in the damaged file")
	require.Equal(t, types.QueueStatusActive, d.QueueDescription.QueueStatus)
}

// TestQueueRecords_SDK_Concurrent: workers receiving from one queue at once never hold the
// same record at the same time, and together get every record once.
func TestQueueRecords_SDK_Concurrent(t *testing.T) {
	e := newQueueEnv(t)
	arn := e.createActive("q", nil)
	const n = 60
	for i := range n {
		put(t, e.client, fmt.Sprint("r", i))
	}
	got := make(chan string, n*2)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				out, err := e.client.ReceiveQueueRecords(context.Background(), &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(arn),
					WaitTimeSeconds: aws.Int32(0), Limit: aws.Int32(3)})
				if err != nil {
					errs <- err
					return
				}
				if len(out.QueueRecords) == 0 {
					errs <- nil
					return
				}
				for _, r := range out.QueueRecords {
					got <- string(r.Data)
				}
			}
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	close(got)
	seen := map[string]bool{}
	for d := range got {
		require.False(t, seen[d], "%s delivered twice while in flight", d)
		seen[d] = true
	}
	require.Len(t, seen, n)
}

// TestQueueRecords_SDK_Retention: a record that expires from the stream leaves the queue:
// it is not delivered again, and acknowledging it is no error.
func TestQueueRecords_SDK_Retention(t *testing.T) {
	e := newQueueEnv(t)
	arn := e.createActive("q", defaultAttrs(30, 1))
	put(t, e.client, "old")
	recs := receive(t, e.client, arn, false)
	require.Equal(t, []string{"old"}, keys(recs))
	e.clock.Advance(25 * time.Hour) // past the 24 h retention
	put(t, e.client, "new")
	require.Equal(t, []string{"new"}, keys(receive(t, e.client, arn, false)))
	require.Empty(t, receive(t, e.client, arn, true), "expired, not a dead letter")
	require.Equal(t, []entryResult{success}, queueCalls{t, e.client, arn}.ack(aws.ToString(recs["old"].ReceiptHandle)))
}

// TestQueueRecords_SDK_AnswerBytes: an answer holds at most 10 MiB of data and partition
// keys, as GetRecords (its first record whatever its size); the records left out come in
// the next.
func TestQueueRecords_SDK_AnswerBytes(t *testing.T) {
	ctx := context.Background()
	e := newQueueEnv(t)
	_, err := e.client.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(queueStreamARN),
		MaxRecordSizeInKiB: aws.Int32(10240)})
	require.NoError(t, err)
	arn := e.createActive("q", nil)
	big := strings.Repeat("x", 4<<20)
	for i := range 3 {
		_, err := e.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(queueStreamARN),
			PartitionKey: aws.String(fmt.Sprint("k", i)), Data: []byte(fmt.Sprint(i) + big)})
		require.NoError(t, err)
	}
	first := receive(t, e.client, arn, false) // keyed by 4 MiB texts: compared by count, never printed
	require.Equal(t, 2, len(first), "a third 4 MiB record would pass 10 MiB")
	second := receive(t, e.client, arn, false)
	require.Equal(t, 1, len(second))
	for d := range second {
		_, again := first[d]
		require.False(t, again, "record %c delivered twice", d[0])
	}
}

// enteringBackend tells, on entered, when a ReceiveQueueRecords call has reached the
// Backend.
type enteringBackend struct {
	server.Backend
	entered chan struct{}
}

func (b *enteringBackend) ReceiveQueueRecords(ctx context.Context, in *server.ReceiveQueueRecordsInput) (*server.ReceiveQueueRecordsOutput, error) {
	close(b.entered)
	return b.Backend.ReceiveQueueRecords(ctx, in)
}

// TestQueueRecords_ShutdownEndsWait: a receive waiting for records (WaitTimeSeconds 20)
// answers at once, with no records, when the server shuts down, rather than holding the
// shutdown for the rest of its wait.
func TestQueueRecords_ShutdownEndsWait(t *testing.T) {
	clock := &streamClock{ms: streamT0}
	st := mustOpenStreamStore(t, stream.Options{Now: clock.Now})
	require.NoError(t, st.CreateStream("s", stream.StreamConfig{Mode: stream.ModeOnDemand}))
	q, err := st.CreateQueue(stream.CreateQueueRequest{Name: "q", StreamARN: queueStreamARN})
	require.NoError(t, err)
	b := &enteringBackend{Backend: streambackend.New(st), entered: make(chan struct{})}
	s := server.New(b, server.Options{Logger: discardLogger()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	client := newSDKClient("http://"+ln.Addr().String(), nil)
	type result struct {
		out *kinesis.ReceiveQueueRecordsOutput
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := client.ReceiveQueueRecords(context.Background(), &kinesis.ReceiveQueueRecordsInput{QueueARN: aws.String(q.ARN),
			WaitTimeSeconds: aws.Int32(20)})
		done <- result{out, err}
	}()
	<-b.entered
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, s.Shutdown(ctx), "the waiting receive ended with the shutdown, well before its 20 s")
	r := <-done
	require.NoError(t, r.err)
	require.Empty(t, r.out.QueueRecords)
	require.ErrorIs(t, <-served, server.ErrClosed)
}
