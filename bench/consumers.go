package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Consumers are registered and deregistered through the SDK, as the streams are created.

// registerConsumers registers n consumers on each stream, <stream>-consumer-<i>, and waits
// until all are ACTIVE. A LimitExceededException (AWS lets 5 consumers of a stream be
// CREATING at once, and 5 registrations a second) is retried.
func registerConsumers(ctx context.Context, kc *kinesis.Client, streams []string, n int) ([]*consumer, error) {
	var out []*consumer
	for s, name := range streams {
		desc, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			return out, fmt.Errorf("bench: describe stream %s: %w", name, err)
		}
		streamARN := desc.StreamDescriptionSummary.StreamARN
		for i := range n {
			con := &consumer{name: fmt.Sprintf("%s-consumer-%d", name, i), stream: s}
			err := retryLimited(ctx, func() error {
				reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: streamARN,
					ConsumerName: aws.String(con.name)})
				if err == nil {
					con.arn = aws.ToString(reg.Consumer.ConsumerARN)
				}
				return err
			})
			if err != nil {
				return out, fmt.Errorf("bench: register consumer %s: %w", con.name, err)
			}
			out = append(out, con)
		}
	}
	for _, con := range out {
		if err := waitConsumerActive(ctx, kc, con); err != nil {
			return out, err
		}
	}
	return out, nil
}

// retryLimited calls call until it succeeds, fails otherwise than with a
// LimitExceededException, or activeTimeout passes.
func retryLimited(ctx context.Context, call func() error) error {
	deadline := time.Now().Add(activeTimeout)
	for {
		err := call()
		var limited *types.LimitExceededException
		if !errors.As(err, &limited) || time.Now().After(deadline) {
			return err
		}
		sleep(ctx, 100*time.Millisecond)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func waitConsumerActive(ctx context.Context, kc *kinesis.Client, con *consumer) error {
	deadline := time.Now().Add(activeTimeout)
	for {
		out, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(con.arn)})
		var limited *types.LimitExceededException
		switch {
		case err == nil && out.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive:
			return nil
		case err != nil && !errors.As(err, &limited):
			return fmt.Errorf("bench: describe consumer %s: %w", con.name, err)
		case time.Now().After(deadline):
			return fmt.Errorf("bench: consumer %s not ACTIVE after %v", con.name, activeTimeout)
		}
		sleep(ctx, 20*time.Millisecond)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// deregisterConsumers deregisters the consumers, reporting the first failure; one that is
// gone already is not one. Like deleteStreams, it runs under a context of its own.
func deregisterConsumers(ctx context.Context, kc *kinesis.Client, consumers []*consumer) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deleteTimeout)
	defer cancel()
	var first error
	for _, con := range consumers {
		err := retryLimited(ctx, func() error {
			_, err := kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(con.arn)})
			return err
		})
		var notFound *types.ResourceNotFoundException
		if err != nil && !errors.As(err, &notFound) && first == nil {
			first = fmt.Errorf("bench: deregister consumer %s: %w", con.name, err)
		}
	}
	return first
}
