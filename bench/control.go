package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	slkinesis "github.com/shardlog/shardlog/kinesis"
)

// The control plane (create, wait, list, delete) goes through the AWS SDK for Go v2, as an
// application's would; only the hot write and read loops use pre-encoded requests.

// activeTimeout bounds the wait for a new stream to become ACTIVE.
const activeTimeout = 2 * time.Minute

func newKinesis(cfg Config) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(cfg.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSHARDLOGBENCH", "shardlog-bench", ""),
	})
}

// shardRange is one open shard of a stream and the hash keys it owns.
type shardRange struct {
	id   string
	keys slkinesis.HashKeyRange
}

// createStreams creates the streams and waits until all are ACTIVE.
func createStreams(ctx context.Context, kc *kinesis.Client, names []string, shards int) error {
	for _, name := range names {
		_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(int32(shards))})
		if err != nil {
			return fmt.Errorf("bench: create stream %s: %w", name, err)
		}
	}
	for _, name := range names {
		if err := waitActive(ctx, kc, name); err != nil {
			return err
		}
	}
	return nil
}

func waitActive(ctx context.Context, kc *kinesis.Client, name string) error {
	deadline := time.Now().Add(activeTimeout)
	for {
		out, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		var notFound *types.ResourceNotFoundException
		switch {
		case err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive:
			return nil
		case err != nil && !errors.As(err, &notFound):
			return fmt.Errorf("bench: describe stream %s: %w", name, err)
		case time.Now().After(deadline):
			return fmt.Errorf("bench: stream %s not ACTIVE after %v", name, activeTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// listOpenShards returns the open shards of a stream with their hash ranges.
func listOpenShards(ctx context.Context, kc *kinesis.Client, name string) ([]shardRange, error) {
	var out []shardRange
	in := &kinesis.ListShardsInput{StreamName: aws.String(name)}
	for {
		page, err := kc.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("bench: list shards of %s: %w", name, err)
		}
		for _, sh := range page.Shards {
			if sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil {
				continue // closed
			}
			r, err := parseRange(sh)
			if err != nil {
				return nil, fmt.Errorf("bench: list shards of %s: %w", name, err)
			}
			out = append(out, r)
		}
		if page.NextToken == nil {
			return out, nil
		}
		in = &kinesis.ListShardsInput{NextToken: page.NextToken}
	}
}

func parseRange(sh types.Shard) (shardRange, error) {
	r := shardRange{id: aws.ToString(sh.ShardId)}
	if sh.HashKeyRange == nil {
		return r, fmt.Errorf("shard %s has no hash key range", r.id)
	}
	var err1, err2 error
	r.keys.Start, err1 = slkinesis.ParseHashKey(aws.ToString(sh.HashKeyRange.StartingHashKey))
	r.keys.End, err2 = slkinesis.ParseHashKey(aws.ToString(sh.HashKeyRange.EndingHashKey))
	if err := errors.Join(err1, err2); err != nil {
		return r, fmt.Errorf("shard %s: %w", r.id, err)
	}
	return r, nil
}

// routerFor returns the router of a stream's open shards: the MD5 of a partition key, as a
// 128-bit number, falls in exactly one shard's range.
func routerFor(shards []shardRange) router {
	return func(key string) int32 {
		h := slkinesis.HashPartitionKey([]byte(key))
		for i, sh := range shards {
			if sh.keys.Contains(h) {
				return int32(i)
			}
		}
		return -1
	}
}

// deleteTimeout bounds the deletion of a run's streams, which goes on after the run's
// context is cancelled.
const deleteTimeout = 30 * time.Second

// deleteStreams deletes the streams, reporting the first failure. A stream that does not
// exist (its creation failed) is not one. It runs under a context of its own, so that an
// interrupted run still cleans up.
// With consumers, registered or being deregistered, the deletion takes them along.
func deleteStreams(ctx context.Context, kc *kinesis.Client, names []string, consumers bool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deleteTimeout)
	defer cancel()
	var first error
	for _, name := range names {
		in := &kinesis.DeleteStreamInput{StreamName: aws.String(name)}
		if consumers {
			in.EnforceConsumerDeletion = aws.Bool(true)
		}
		_, err := kc.DeleteStream(ctx, in)
		var notFound *types.ResourceNotFoundException
		if err != nil && !errors.As(err, &notFound) && first == nil {
			first = fmt.Errorf("bench: delete stream %s: %w", name, err)
		}
	}
	return first
}
