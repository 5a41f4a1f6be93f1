package streambackend

import (
	"context"
	"time"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// The consumer operations. The server has checked every StreamARN against the store
// (CheckStreamARN), so the stream's name is the ARN's.

func (b *backend) RegisterStreamConsumer(_ context.Context, in *server.RegisterStreamConsumerInput) (*server.RegisterStreamConsumerOutput, error) {
	c, err := b.store.RegisterStreamConsumer(streamName(in.StreamARN), in.ConsumerName, in.Tags)
	if err != nil {
		return nil, err
	}
	return &server.RegisterStreamConsumerOutput{Consumer: consumerOut(&c)}, nil
}

func (b *backend) DescribeStreamConsumer(_ context.Context, in *server.DescribeStreamConsumerInput) (*server.DescribeStreamConsumerOutput, error) {
	c, err := b.store.DescribeStreamConsumer(in.ConsumerARN, streamName(in.StreamARN), in.ConsumerName)
	if err != nil {
		return nil, err
	}
	return &server.DescribeStreamConsumerOutput{ConsumerDescription: server.ConsumerDescription{
		ConsumerName:              c.Name,
		ConsumerARN:               c.ARN,
		ConsumerStatus:            string(c.Status),
		ConsumerCreationTimestamp: time.UnixMilli(c.CreatedMs),
		StreamARN:                 c.StreamARN,
	}}, nil
}

func (b *backend) ListStreamConsumers(_ context.Context, in *server.ListStreamConsumersInput) (*server.ListStreamConsumersOutput, error) {
	req := stream.ListConsumersRequest{Stream: streamName(in.StreamARN), NextToken: in.NextToken, MaxResults: int(deref(in.MaxResults))}
	if in.StreamCreationTimestamp != nil {
		req.StreamCreationTimestamp = *in.StreamCreationTimestamp
	}
	cs, next, err := b.store.ListStreamConsumers(req)
	if err != nil {
		return nil, err
	}
	out := &server.ListStreamConsumersOutput{Consumers: make([]server.Consumer, len(cs)), NextToken: next}
	for i := range cs {
		out.Consumers[i] = consumerOut(&cs[i])
	}
	return out, nil
}

func (b *backend) DeregisterStreamConsumer(_ context.Context, in *server.DeregisterStreamConsumerInput) (*server.DeregisterStreamConsumerOutput, error) {
	if err := b.store.DeregisterStreamConsumer(in.ConsumerARN, streamName(in.StreamARN), in.ConsumerName); err != nil {
		return nil, err
	}
	return &server.DeregisterStreamConsumerOutput{}, nil
}

// streamName returns the stream name of a StreamARN, or "" for none.
func streamName(arn string) string {
	name, _ := kinesis.StreamNameFromARN(arn)
	return name
}

func consumerOut(c *stream.ConsumerDescription) server.Consumer {
	return server.Consumer{
		ConsumerName:              c.Name,
		ConsumerARN:               c.ARN,
		ConsumerStatus:            string(c.Status),
		ConsumerCreationTimestamp: time.UnixMilli(c.CreatedMs),
	}
}
