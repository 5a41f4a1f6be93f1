package server

import (
	"context"
	"time"

	"github.com/shardlog/shardlog/kinesis"
)

// Enhanced fan-out consumers: RegisterStreamConsumer, DescribeStreamConsumer,
// ListStreamConsumers, DeregisterStreamConsumer (KINESIS-API.md §2.8). A consumer belongs to
// one stream, named by its StreamARN, and is named by its ConsumerARN,
// <StreamARN>/consumer/<ConsumerName>:<creation epoch seconds>, or by StreamARN and
// ConsumerName.

// Values of ConsumerStatus.
const (
	ConsumerStatusCreating = "CREATING"
	ConsumerStatusActive   = "ACTIVE"
	ConsumerStatusDeleting = "DELETING"
)

// RegisterStreamConsumerInput is the input of RegisterStreamConsumer. The server has checked
// that StreamARN names a stream of the Backend's (StreamARNChecker).
type RegisterStreamConsumerInput struct {
	StreamARN    string            `json:"StreamARN"`
	ConsumerName string            `json:"ConsumerName"`
	StreamId     string            `json:"StreamId,omitempty"`
	Tags         map[string]string `json:"Tags,omitempty"`
}

// DescribeStreamConsumerInput is the input of DescribeStreamConsumer. The server has
// checked that it names a consumer one way at least, ConsumerARN or StreamARN and
// ConsumerName, and, when it names it both ways, that they agree; a ConsumerARN given, it
// is the Backend's key.
type DescribeStreamConsumerInput struct {
	StreamARN    string `json:"StreamARN,omitempty"`
	ConsumerName string `json:"ConsumerName,omitempty"`
	ConsumerARN  string `json:"ConsumerARN,omitempty"`
	StreamId     string `json:"StreamId,omitempty"`
}

// ListStreamConsumersInput is the input of ListStreamConsumers. The server has checked
// StreamARN as for RegisterStreamConsumer; the pairing of NextToken with
// StreamCreationTimestamp is the Backend's to check, with the token.
type ListStreamConsumersInput struct {
	StreamARN               string     `json:"StreamARN"`
	NextToken               string     `json:"NextToken,omitempty"`
	MaxResults              *int32     `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *time.Time `json:"StreamCreationTimestamp,omitempty"`
	StreamId                string     `json:"StreamId,omitempty"`
}

// DeregisterStreamConsumerInput is the input of DeregisterStreamConsumer; it names its
// consumer as DescribeStreamConsumerInput does.
type DeregisterStreamConsumerInput struct {
	StreamARN    string `json:"StreamARN,omitempty"`
	ConsumerName string `json:"ConsumerName,omitempty"`
	ConsumerARN  string `json:"ConsumerARN,omitempty"`
	StreamId     string `json:"StreamId,omitempty"`
}

// Consumer is one consumer in RegisterStreamConsumer and ListStreamConsumers.
type Consumer struct {
	ConsumerName              string    `json:"ConsumerName"`
	ConsumerARN               string    `json:"ConsumerARN"`
	ConsumerStatus            string    `json:"ConsumerStatus"`
	ConsumerCreationTimestamp time.Time `json:"ConsumerCreationTimestamp"`
}

// ConsumerDescription is the consumer of DescribeStreamConsumer: a Consumer and its stream.
type ConsumerDescription struct {
	ConsumerName              string    `json:"ConsumerName"`
	ConsumerARN               string    `json:"ConsumerARN"`
	ConsumerStatus            string    `json:"ConsumerStatus"`
	ConsumerCreationTimestamp time.Time `json:"ConsumerCreationTimestamp"`
	StreamARN                 string    `json:"StreamARN"`
}

// RegisterStreamConsumerOutput is the output of RegisterStreamConsumer.
type RegisterStreamConsumerOutput struct {
	Consumer Consumer `json:"Consumer"`
}

// DescribeStreamConsumerOutput is the output of DescribeStreamConsumer.
type DescribeStreamConsumerOutput struct {
	ConsumerDescription ConsumerDescription `json:"ConsumerDescription"`
}

// ListStreamConsumersOutput is the output of ListStreamConsumers.
type ListStreamConsumersOutput struct {
	Consumers []Consumer `json:"Consumers"`
	NextToken string     `json:"NextToken,omitempty"`
}

// DeregisterStreamConsumerOutput is the (empty) output of DeregisterStreamConsumer.
type DeregisterStreamConsumerOutput struct{}

// Member types and input shapes, in the model's member order.
var (
	shapeConsumerName = stringShape(1, kinesis.MaxConsumerNameLen, `[a-zA-Z0-9_.-]+`)
	shapeConsumerARN  = stringShape(1, 2048,
		`^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+$`)

	shapeRegisterStreamConsumerInput = structShape("RegisterStreamConsumerInput",
		required("StreamARN", shapeStreamARN),
		required("ConsumerName", shapeConsumerName),
		optional("StreamId", shapeStreamID),
		optional("Tags", shapeTagMap))

	shapeDescribeStreamConsumerInput = structShape("DescribeStreamConsumerInput",
		optional("StreamARN", shapeStreamARN),
		optional("ConsumerName", shapeConsumerName),
		optional("ConsumerARN", shapeConsumerARN),
		optional("StreamId", shapeStreamID))

	shapeListStreamConsumersInput = structShape("ListStreamConsumersInput",
		required("StreamARN", shapeStreamARN),
		optional("NextToken", shapeNextToken),
		optional("MaxResults", shapeLimit10000),
		optional("StreamCreationTimestamp", shapeTimestamp),
		optional("StreamId", shapeStreamID))

	shapeDeregisterStreamConsumerInput = structShape("DeregisterStreamConsumerInput",
		optional("StreamARN", shapeStreamARN),
		optional("ConsumerName", shapeConsumerName),
		optional("ConsumerARN", shapeConsumerARN),
		optional("StreamId", shapeStreamID))
)

// checkConsumerInput applies to the consumer operations the rules that follow validation
// (checkInput): it reports whether in is one of their inputs, and the error of its rules.
func (c *call) checkConsumerInput(in any) (bool, error) {
	switch t := in.(type) {
	case *RegisterStreamConsumerInput:
		return true, c.checkStreamARN(t.StreamARN)
	case *ListStreamConsumersInput:
		return true, c.checkStreamARN(t.StreamARN)
	case *DescribeStreamConsumerInput:
		return true, c.checkConsumerRef(t.ConsumerARN, t.StreamARN, t.ConsumerName)
	case *DeregisterStreamConsumerInput:
		return true, c.checkConsumerRef(t.ConsumerARN, t.StreamARN, t.ConsumerName)
	}
	return false, nil
}

// checkConsumerRef checks how a request names its consumer: by consumerARN, or by
// streamARN and name, or both ways if they agree. A StreamARN of another place names no
// stream (StreamARNChecker); a ConsumerARN of another place is the Backend's to refuse.
func (c *call) checkConsumerRef(consumerARN, streamARN, name string) error {
	if consumerARN == "" {
		if streamARN == "" || name == "" {
			return invalidArgument("Either ConsumerARN or both StreamARN and ConsumerName must be provided.")
		}
		return c.checkStreamARN(streamARN)
	}
	arnStream, arnName, _, _ := kinesis.ParseConsumerARN(consumerARN)
	if streamARN != "" && streamARN != arnStream {
		return invalidArgument("ConsumerARN " + consumerARN + " does not match StreamARN " + streamARN + ".")
	}
	if name != "" && name != arnName {
		return invalidArgument("ConsumerARN " + consumerARN + " does not match ConsumerName " + name + ".")
	}
	return nil
}

// RegisterStreamConsumer reports that RegisterStreamConsumer is not implemented.
func (UnimplementedBackend) RegisterStreamConsumer(context.Context, *RegisterStreamConsumerInput) (*RegisterStreamConsumerOutput, error) {
	return nil, notImplemented("RegisterStreamConsumer")
}

// DescribeStreamConsumer reports that DescribeStreamConsumer is not implemented.
func (UnimplementedBackend) DescribeStreamConsumer(context.Context, *DescribeStreamConsumerInput) (*DescribeStreamConsumerOutput, error) {
	return nil, notImplemented("DescribeStreamConsumer")
}

// ListStreamConsumers reports that ListStreamConsumers is not implemented.
func (UnimplementedBackend) ListStreamConsumers(context.Context, *ListStreamConsumersInput) (*ListStreamConsumersOutput, error) {
	return nil, notImplemented("ListStreamConsumers")
}

// DeregisterStreamConsumer reports that DeregisterStreamConsumer is not implemented.
func (UnimplementedBackend) DeregisterStreamConsumer(context.Context, *DeregisterStreamConsumerInput) (*DeregisterStreamConsumerOutput, error) {
	return nil, notImplemented("DeregisterStreamConsumer")
}
