package stream_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// consumerOptions are testOptions with the consumer delays of the shardlog command.
func consumerOptions(c *clock) stream.Options {
	opts := testOptions(c)
	opts.RegisterConsumerDelay, opts.DeregisterConsumerDelay = 500*time.Millisecond, 500*time.Millisecond
	return opts
}

// consumerARNAt is the ARN of the consumer name of stream registered at ms.
func consumerARNAt(s *stream.Store, streamName, name string, ms int64) string {
	return s.StreamARN(streamName) + "/consumer/" + name + ":" + strconv.FormatInt(ms/1000, 10)
}

func notFoundConsumer(consumer string) string {
	return "Consumer " + consumer + ", account " + acct + " not found."
}

func TestStore_Consumer_Lifecycle(t *testing.T) {
	c := newClock()
	s := mustOpen(t, consumerOptions(c))
	mustCreate(t, s, "orders", 1)
	arn := consumerARNAt(s, "orders", "billing", t0)

	got, err := s.RegisterStreamConsumer("orders", "billing", nil)
	require.NoError(t, err)
	require.Equal(t, stream.ConsumerDescription{Name: "billing", ARN: arn, Status: stream.ConsumerCreating,
		CreatedMs: t0, StreamARN: s.StreamARN("orders")}, got)

	requireConsumerStatus := func(want stream.ConsumerStatus) {
		t.Helper()
		byARN, err := s.DescribeStreamConsumer(arn, "", "")
		require.NoError(t, err)
		require.Equal(t, want, byARN.Status)
		byName, err := s.DescribeStreamConsumer("", "orders", "billing")
		require.NoError(t, err)
		require.Equal(t, byARN, byName, "by ARN and by name")
		info, err := s.DescribeStreamSummary("orders")
		require.NoError(t, err)
		require.Len(t, info.Consumers, 1)
		require.Equal(t, want, info.Consumers[0].Status)
	}
	requireConsumerStatus(stream.ConsumerCreating)
	_, err = s.ActiveConsumer(arn)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Consumer billing with creation timestamp "+
		strconv.FormatInt(t0/1000, 10)+" under stream orders and account "+acct+" is not in ACTIVE status.")

	c.Advance(499 * time.Millisecond)
	requireConsumerStatus(stream.ConsumerCreating)
	c.Advance(time.Millisecond)
	requireConsumerStatus(stream.ConsumerActive)
	active, err := s.ActiveConsumer(arn)
	require.NoError(t, err)
	require.Equal(t, "orders", active.Stream)
	require.Equal(t, "billing", active.Name)
	requireOpen(t, active.Ended)

	require.NoError(t, s.DeregisterStreamConsumer(arn, "", ""))
	requireClosed(t, active.Ended, "a deregistered consumer's subscriptions end at once")
	requireConsumerStatus(stream.ConsumerDeleting)
	require.NoError(t, s.DeregisterStreamConsumer("", "orders", "billing"), "deregistering a DELETING consumer")
	_, err = s.ActiveConsumer(arn)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Consumer billing with creation timestamp "+
		strconv.FormatInt(t0/1000, 10)+" under stream orders and account "+acct+" is not in ACTIVE status.")
	_, err = s.RegisterStreamConsumer("orders", "billing", nil)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Consumer billing under stream orders and account "+acct+" already exists.")

	c.Advance(500 * time.Millisecond)
	_, err = s.DescribeStreamConsumer(arn, "", "")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFoundConsumer(arn))
	_, err = s.DescribeStreamConsumer("", "orders", "billing")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFoundConsumer("billing"))
	_, err = s.ActiveConsumer(arn)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFoundConsumer(arn))
	requireKinesisError(t, s.DeregisterStreamConsumer(arn, "", ""), kinesis.TypeResourceNotFound, notFoundConsumer(arn))
	list, next, err := s.ListStreamConsumers(stream.ListConsumersRequest{Stream: "orders"})
	require.NoError(t, err)
	require.Empty(t, list)
	require.Empty(t, next)
}

// TestStore_Consumer_ReregisterNewARN: a name registered again gets another ARN, even
// within the second of the first registration, and the old ARN names nothing.
func TestStore_Consumer_ReregisterNewARN(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c)) // no delays: DELETING ends at once
	mustCreate(t, s, "orders", 1)
	first, err := s.RegisterStreamConsumer("orders", "billing", nil)
	require.NoError(t, err)
	require.Equal(t, stream.ConsumerActive, first.Status, "ACTIVE at once without a delay")
	require.NoError(t, s.PutResourcePolicy(first.ARN, testPolicy))
	require.NoError(t, s.DeregisterStreamConsumer(first.ARN, "", ""))

	c.Advance(10 * time.Millisecond) // the same second
	second, err := s.RegisterStreamConsumer("orders", "billing", nil)
	require.NoError(t, err)
	require.NotEqual(t, first.ARN, second.ARN)
	require.Equal(t, consumerARNAt(s, "orders", "billing", t0+1000), second.ARN)
	_, err = s.DescribeStreamConsumer(first.ARN, "", "")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFoundConsumer(first.ARN))
	requireKinesisError(t, s.DeregisterStreamConsumer(first.ARN, "", ""), kinesis.TypeResourceNotFound, notFoundConsumer(first.ARN))
	got, err := s.DescribeStreamConsumer(second.ARN, "", "")
	require.NoError(t, err)
	require.Equal(t, second, got)
	info, err := s.DescribeStreamSummary("orders")
	require.NoError(t, err)
	require.Empty(t, info.Policies, "the first consumer's policy went with it")

	require.NoError(t, s.DeregisterStreamConsumer("", "orders", "billing"))
	c.Advance(5 * time.Second)
	third, err := s.RegisterStreamConsumer("orders", "billing", nil)
	require.NoError(t, err)
	require.Equal(t, consumerARNAt(s, "orders", "billing", t0+5010), third.ARN, "a later second is the creation time itself")
	require.Equal(t, t0+5010, third.CreatedMs)
}

func TestStore_Consumer_Errors(t *testing.T) {
	c := newClock()
	opts := consumerOptions(c)
	opts.UpdateDelay = time.Second
	s := mustOpen(t, opts)
	mustCreate(t, s, "orders", 2)
	_, err := s.RegisterStreamConsumer("orders", "billing", nil)
	require.NoError(t, err)
	arn := consumerARNAt(s, "orders", "billing", t0)
	foreignRegion := strings.Replace(arn, region, "eu-west-1", 1)
	foreignAccount := strings.Replace(arn, acct, "111111111111", 1)
	foreignPartition := strings.Replace(arn, "arn:aws:", "arn:aws-cn:", 1)
	otherSecond := consumerARNAt(s, "orders", "billing", t0+1000)

	for _, a := range []string{foreignRegion, foreignAccount, foreignPartition, otherSecond,
		consumerARNAt(s, "nope", "billing", t0), consumerARNAt(s, "orders", "nope", t0), s.StreamARN("orders")} {
		t.Run("describe "+a, func(t *testing.T) {
			_, err := s.DescribeStreamConsumer(a, "", "")
			requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFoundConsumer(a))
			requireKinesisError(t, s.DeregisterStreamConsumer(a, "", ""), kinesis.TypeResourceNotFound, notFoundConsumer(a))
			_, err = s.ActiveConsumer(a)
			requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFoundConsumer(a))
		})
	}
	_, err = s.DescribeStreamConsumer("", "nope", "billing")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream nope under account "+acct+" not found.")
	_, err = s.RegisterStreamConsumer("nope", "billing", nil)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream nope under account "+acct+" not found.")
	_, _, err = s.ListStreamConsumers(stream.ListConsumersRequest{Stream: "nope"})
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream nope under account "+acct+" not found.")

	require.NoError(t, s.SplitShard("orders", kinesis.ShardID(0), "100"))
	_, err = s.RegisterStreamConsumer("orders", "search", nil)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Stream orders under account "+acct+" not ACTIVE, instead in state UPDATING")

	_, err = s.RegisterStreamConsumer("orders", "bad:name", nil)
	require.Error(t, err, "a name the server's validation lets through never")
}

// TestStore_Consumer_Limits: 20 consumers per stream, 5 CREATING at once in the account.
func TestStore_Consumer_Limits(t *testing.T) {
	c := newClock()
	s := mustOpen(t, consumerOptions(c))
	mustCreate(t, s, "a", 1)
	mustCreate(t, s, "b", 1)
	creatingLimit := "Account " + acct + " already has 5 consumers in CREATING status; only 5 consumers can be created at the same time."
	for i := range 3 {
		_, err := s.RegisterStreamConsumer("a", fmt.Sprintf("c%02d", i), nil)
		require.NoError(t, err)
	}
	for i := range 2 {
		_, err := s.RegisterStreamConsumer("b", fmt.Sprintf("c%02d", i), nil)
		require.NoError(t, err)
	}
	_, err := s.RegisterStreamConsumer("a", "c99", nil)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded, creatingLimit)
	_, err = s.RegisterStreamConsumer("b", "c99", nil)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded, creatingLimit)

	c.Advance(500 * time.Millisecond) // all ACTIVE
	for i := 3; i < 20; i++ {
		_, err := s.RegisterStreamConsumer("a", fmt.Sprintf("c%02d", i), nil)
		if i%5 == 3 && i > 3 {
			requireKinesisError(t, err, kinesis.TypeLimitExceeded, creatingLimit)
			c.Advance(500 * time.Millisecond)
			_, err = s.RegisterStreamConsumer("a", fmt.Sprintf("c%02d", i), nil)
		}
		require.NoError(t, err, "consumer %d", i)
	}
	c.Advance(500 * time.Millisecond)
	_, err = s.RegisterStreamConsumer("a", "c20", nil)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded, "Stream a under account "+acct+
		" already has 20 registered consumers, the most a stream can have.")

	require.NoError(t, s.DeregisterStreamConsumer("", "a", "c00"))
	_, err = s.RegisterStreamConsumer("a", "c20", nil) // a DELETING consumer still counts
	requireKinesisError(t, err, kinesis.TypeLimitExceeded, "Stream a under account "+acct+
		" already has 20 registered consumers, the most a stream can have.")
	c.Advance(500 * time.Millisecond)
	_, err = s.RegisterStreamConsumer("a", "c20", nil)
	require.NoError(t, err, "once the DELETING consumer is gone")
}

func TestStore_ListStreamConsumers_Paging(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "orders", 1)
	var want []string
	for _, name := range []string{"e", "a", "d", "c", "b"} {
		_, err := s.RegisterStreamConsumer("orders", name, nil)
		require.NoError(t, err)
	}
	want = []string{"a", "b", "c", "d", "e"}
	all, next, err := s.ListStreamConsumers(stream.ListConsumersRequest{Stream: "orders"})
	require.NoError(t, err)
	require.Empty(t, next)
	require.Equal(t, want, consumerNames(all), "in name order")

	var got []string
	req := stream.ListConsumersRequest{Stream: "orders", MaxResults: 2}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 3)
		page, next, err := s.ListStreamConsumers(req)
		require.NoError(t, err)
		got = append(got, consumerNames(page)...)
		if next == "" {
			break
		}
		req.NextToken = next
	}
	require.Equal(t, want, got)

	_, next, err = s.ListStreamConsumers(stream.ListConsumersRequest{Stream: "orders", MaxResults: 1})
	require.NoError(t, err)
	created := time.UnixMilli(t0)
	tests := []struct {
		name      string
		req       stream.ListConsumersRequest
		typ, msg  string
		wantNames []string
	}{
		{"creation time", stream.ListConsumersRequest{Stream: "orders", StreamCreationTimestamp: created}, "", "", want},
		{"another creation time", stream.ListConsumersRequest{Stream: "orders", StreamCreationTimestamp: created.Add(time.Second)},
			kinesis.TypeResourceNotFound, "Stream orders under account " + acct + " not found.", nil},
		{"token with creation time", stream.ListConsumersRequest{Stream: "orders", NextToken: next, StreamCreationTimestamp: created},
			kinesis.TypeInvalidArgument, "NextToken and StreamCreationTimestamp cannot be provided together.", nil},
		{"token of another stream", stream.ListConsumersRequest{Stream: "other", NextToken: next},
			kinesis.TypeInvalidArgument, "Invalid NextToken.", nil},
		{"not a token", stream.ListConsumersRequest{Stream: "orders", NextToken: "xyz"},
			kinesis.TypeInvalidArgument, "Invalid NextToken.", nil},
		{"more than 100", stream.ListConsumersRequest{Stream: "orders", MaxResults: 10000}, "", "", want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, _, err := s.ListStreamConsumers(tt.req)
			if tt.typ != "" {
				requireKinesisError(t, err, tt.typ, tt.msg)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantNames, consumerNames(page))
		})
	}

	c.Advance(kinesis.NextTokenLifetime + time.Millisecond)
	_, _, err = s.ListStreamConsumers(stream.ListConsumersRequest{Stream: "orders", NextToken: next})
	requireKinesisError(t, err, kinesis.TypeExpiredNextToken, "The NextToken has expired. NextTokens are valid for 300000 milliseconds.")
}

func consumerNames(cs []stream.ConsumerDescription) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// TestStore_Consumer_Tags: tags given at registration and changed by ARN, apart from the
// stream's; a DELETING consumer has none to change.
func TestStore_Consumer_Tags(t *testing.T) {
	c := newClock()
	s := mustOpen(t, consumerOptions(c))
	mustCreate(t, s, "orders", 1)
	desc, err := s.RegisterStreamConsumer("orders", "billing", map[string]string{"team": "pay", "env": "dev"})
	require.NoError(t, err)
	arn := desc.ARN

	tags, err := s.ListTagsForResource(arn)
	require.NoError(t, err)
	require.Equal(t, []stream.Tag{{Key: "env", Value: "dev"}, {Key: "team", Value: "pay"}}, tags, "tagged while CREATING")
	require.NoError(t, s.TagResource(arn, map[string]string{"env": "prod", "tier": "1"}))
	require.NoError(t, s.UntagResource(arn, []string{"team", "absent"}))
	tags, err = s.ListTagsForResource(arn)
	require.NoError(t, err)
	require.Equal(t, []stream.Tag{{Key: "env", Value: "prod"}, {Key: "tier", Value: "1"}}, tags)
	streamTags, err := s.ListTagsForResource(s.StreamARN("orders"))
	require.NoError(t, err)
	require.Empty(t, streamTags, "the consumer's tags are not the stream's")

	requireKinesisError(t, s.TagResource(arn, map[string]string{"k": "\t"}), kinesis.TypeInvalidArgument,
		"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
	many := map[string]string{}
	for i := range kinesis.MaxTags - 1 {
		many[fmt.Sprintf("k%02d", i)] = ""
	}
	requireKinesisError(t, s.TagResource(arn, many), kinesis.TypeInvalidArgument,
		"Failed to add tags to stream orders under account "+acct+" because a given stream cannot have more than 10 tags associated with it.")
	_, err = s.RegisterStreamConsumer("orders", "x", map[string]string{"%": "v"})
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, "Failed to add tags to stream orders under account "+acct+
		" because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")

	require.NoError(t, s.DeregisterStreamConsumer(arn, "", ""))
	notFound := "Resource " + arn + " not found."
	requireKinesisError(t, s.TagResource(arn, map[string]string{"a": "b"}), kinesis.TypeResourceNotFound, notFound)
	requireKinesisError(t, s.UntagResource(arn, []string{"env"}), kinesis.TypeResourceNotFound, notFound)
	_, err = s.ListTagsForResource(arn)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFound)
	other := consumerARNAt(s, "orders", "nope", t0)
	requireKinesisError(t, s.TagResource(other, map[string]string{"a": "b"}), kinesis.TypeResourceNotFound, "Resource "+other+" not found.")
}

// TestStore_Consumer_ResourcePolicy: a policy on a consumer ARN is the consumer's, needs an
// ACTIVE consumer to be put, and goes with it.
func TestStore_Consumer_ResourcePolicy(t *testing.T) {
	c := newClock()
	s := mustOpen(t, consumerOptions(c))
	mustCreate(t, s, "orders", 1)
	desc, err := s.RegisterStreamConsumer("orders", "billing", nil)
	require.NoError(t, err)
	arn := desc.ARN
	requireKinesisError(t, s.PutResourcePolicy(arn, testPolicy), kinesis.TypeResourceInUse, "Consumer billing with creation timestamp "+
		strconv.FormatInt(t0/1000, 10)+" under stream orders and account "+acct+" is not in ACTIVE status.")
	policy, err := s.GetResourcePolicy(arn)
	require.NoError(t, err)
	require.Equal(t, stream.NoResourcePolicy, policy)

	c.Advance(500 * time.Millisecond)
	require.NoError(t, s.PutResourcePolicy(arn, testPolicy))
	policy, err = s.GetResourcePolicy(arn)
	require.NoError(t, err)
	require.Equal(t, testPolicy, policy)
	policy, err = s.GetResourcePolicy(s.StreamARN("orders"))
	require.NoError(t, err)
	require.Equal(t, stream.NoResourcePolicy, policy, "the consumer's policy is not the stream's")

	require.NoError(t, s.DeregisterStreamConsumer(arn, "", ""))
	c.Advance(time.Second)
	notFound := "Resource " + arn + " not found."
	_, err = s.GetResourcePolicy(arn)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFound)
	requireKinesisError(t, s.PutResourcePolicy(arn, testPolicy), kinesis.TypeResourceNotFound, notFound)
	requireKinesisError(t, s.DeleteResourcePolicy(arn), kinesis.TypeResourceNotFound, notFound)

	// The next change of the stream's consumers drops the gone consumer and its policy.
	_, err = s.RegisterStreamConsumer("orders", "search", nil)
	require.NoError(t, err)
	info, err := s.DescribeStreamSummary("orders")
	require.NoError(t, err)
	require.Empty(t, info.Policies)
	require.Equal(t, []string{"search"}, []string{info.Consumers[0].Name})
}

// TestStore_Consumer_Restart: consumers, their status changes, tags and policies survive a
// restart; a catalog file without consumers has no consumers key (it reads the same in
// builds from before consumers).
func TestStore_Consumer_Restart(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	s := mustOpenUnchecked(t, dir, consumerOptions(c))
	mustCreate(t, s, "orders", 1)
	mustCreate(t, s, "plain", 1)
	a, err := s.RegisterStreamConsumer("orders", "a", map[string]string{"k": "v"})
	require.NoError(t, err)
	c.Advance(500 * time.Millisecond)
	require.NoError(t, s.PutResourcePolicy(a.ARN, testPolicy))
	b, err := s.RegisterStreamConsumer("orders", "b", nil) // CREATING across the restart
	require.NoError(t, err)
	require.NoError(t, s.Close())

	plain, err := os.ReadFile(filepath.Join(dir, "catalog", "plain.json"))
	require.NoError(t, err)
	require.NotContains(t, string(plain), "consumers")

	s = mustOpenDir(t, dir, consumerOptions(c))
	list, _, err := s.ListStreamConsumers(stream.ListConsumersRequest{Stream: "orders"})
	require.NoError(t, err)
	require.Equal(t, []stream.ConsumerDescription{
		{Name: "a", ARN: a.ARN, Status: stream.ConsumerActive, CreatedMs: a.CreatedMs, StreamARN: s.StreamARN("orders")},
		{Name: "b", ARN: b.ARN, Status: stream.ConsumerCreating, CreatedMs: b.CreatedMs, StreamARN: s.StreamARN("orders")},
	}, list)
	c.Advance(500 * time.Millisecond)
	got, err := s.DescribeStreamConsumer(b.ARN, "", "")
	require.NoError(t, err)
	require.Equal(t, stream.ConsumerActive, got.Status, "CREATING ends after the restart")
	tags, err := s.ListTagsForResource(a.ARN)
	require.NoError(t, err)
	require.Equal(t, []stream.Tag{{Key: "k", Value: "v"}}, tags)
	policy, err := s.GetResourcePolicy(a.ARN)
	require.NoError(t, err)
	require.Equal(t, testPolicy, policy)
}

// TestStore_Consumer_DeleteStream: deleting a stream takes its consumers to DELETING, ends
// their subscriptions, and removes them with the stream; a stream of the same name created
// again has none.
func TestStore_Consumer_DeleteStream(t *testing.T) {
	c := newClock()
	opts := consumerOptions(c)
	opts.DeleteDelay = time.Second
	s := mustOpen(t, opts)
	mustCreate(t, s, "orders", 1)
	a, err := s.RegisterStreamConsumer("orders", "a", nil)
	require.NoError(t, err)
	c.Advance(500 * time.Millisecond)
	active, err := s.ActiveConsumer(a.ARN)
	require.NoError(t, err)

	hasConsumers := "Stream orders under account " + acct + " has registered consumers. " +
		"Deregister them, or set EnforceConsumerDeletion to delete them with the stream."
	requireKinesisError(t, s.DeleteStreamWithoutConsumers("orders"), kinesis.TypeResourceInUse, hasConsumers)
	requireOpen(t, active.Ended)
	require.NoError(t, s.DeleteStream("orders"))
	requireClosed(t, active.Ended, "a deleted stream's subscriptions end at once")
	got, err := s.DescribeStreamConsumer(a.ARN, "", "")
	require.NoError(t, err)
	require.Equal(t, stream.ConsumerDeleting, got.Status)
	_, err = s.RegisterStreamConsumer("orders", "b", nil)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Stream orders under account "+acct+" not ACTIVE, instead in state DELETING")

	c.Advance(time.Second)
	_, err = s.DescribeStreamConsumer(a.ARN, "", "")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFoundConsumer(a.ARN))
	opts.CreateDelay = 0
	mustCreate(t, s, "orders", 1)
	list, _, err := s.ListStreamConsumers(stream.ListConsumersRequest{Stream: "orders"})
	require.NoError(t, err)
	require.Empty(t, list)
	_, err = s.DescribeStreamConsumer(a.ARN, "", "")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, notFoundConsumer(a.ARN))
}

// TestStore_DeleteStreamWithoutConsumers: without EnforceConsumerDeletion, a stream is
// deleted only once its consumers are gone (a DELETING one still counts).
func TestStore_DeleteStreamWithoutConsumers(t *testing.T) {
	c := newClock()
	s := mustOpen(t, consumerOptions(c))
	mustCreate(t, s, "orders", 1)
	_, err := s.RegisterStreamConsumer("orders", "a", nil)
	require.NoError(t, err)
	hasConsumers := "Stream orders under account " + acct + " has registered consumers. " +
		"Deregister them, or set EnforceConsumerDeletion to delete them with the stream."
	requireKinesisError(t, s.DeleteStreamWithoutConsumers("orders"), kinesis.TypeResourceInUse, hasConsumers)
	require.NoError(t, s.DeregisterStreamConsumer("", "orders", "a"))
	requireKinesisError(t, s.DeleteStreamWithoutConsumers("orders"), kinesis.TypeResourceInUse, hasConsumers)
	c.Advance(500 * time.Millisecond)
	require.NoError(t, s.DeleteStreamWithoutConsumers("orders"))
	_, err = s.DescribeStreamSummary("orders")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream orders under account "+acct+" not found.")
	require.NoError(t, s.CreateStream("plain", stream.StreamConfig{ShardCount: 1}))
	require.NoError(t, s.DeleteStreamWithoutConsumers("plain"), "a stream that never had consumers")
}

// TestStore_Consumer_CloseEndsSubscriptions: Close ends every subscription.
func TestStore_Consumer_CloseEndsSubscriptions(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "orders", 1)
	a, err := s.RegisterStreamConsumer("orders", "a", nil)
	require.NoError(t, err)
	active, err := s.ActiveConsumer(a.ARN)
	require.NoError(t, err)
	again, err := s.ActiveConsumer(a.ARN)
	require.NoError(t, err)
	require.Equal(t, active.Ended, again.Ended, "one channel per consumer")
	require.NoError(t, s.Close())
	requireClosed(t, active.Ended, "Close")
}

func requireOpen(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
		t.Fatal("channel closed")
	default:
	}
}

func requireClosed(t *testing.T, ch <-chan struct{}, why string) {
	t.Helper()
	select {
	case <-ch:
	default:
		t.Fatalf("channel open: %s", why)
	}
}

// TestStore_Consumer_ConcurrentRegistrations: registrations racing on two streams never take
// the account past 5 CREATING consumers.
func TestStore_Consumer_ConcurrentRegistrations(t *testing.T) {
	s := mustOpen(t, consumerOptions(newClock()))
	mustCreate(t, s, "a", 1)
	mustCreate(t, s, "b", 1)
	errs := make(chan error, 12)
	for i := range 12 {
		go func() {
			_, err := s.RegisterStreamConsumer([]string{"a", "b"}[i%2], fmt.Sprintf("c%02d", i), nil)
			errs <- err
		}()
	}
	ok := 0
	for range 12 {
		if err := <-errs; err == nil {
			ok++
		} else {
			requireKinesisError(t, err, kinesis.TypeLimitExceeded,
				"Account "+acct+" already has 5 consumers in CREATING status; only 5 consumers can be created at the same time.")
		}
	}
	require.Equal(t, kinesis.MaxCreatingConsumers, ok)
}
