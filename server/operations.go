package server

import (
	"context"
	"reflect"
	"strconv"

	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/kinesis"
)

// An operation ties an X-Amz-Target name to its input shape and its Backend
// method. run receives the decoded, validated input and writes the response
// body into the call.
type operation struct {
	name  string
	shape *shape
	newIn func() any
	run   func(c *call, in any) error
	// fast, if set, decodes a JSON body without the general path. It returns
	// false when it declines; the general path then decides.
	fast func(c *call) (any, bool)
}

// unary builds an operation whose output is encoded by the reflective encoder.
func unary[I, O any](name string, sh *shape, method func(Backend, context.Context, *I) (*O, error)) *operation {
	return &operation{
		name:  name,
		shape: sh,
		newIn: func() any { return new(I) },
		run: func(c *call, in any) error {
			out, err := method(c.s.backend, c.ctx, in.(*I))
			if err != nil {
				return err
			}
			if out == nil {
				out = new(O)
			}
			c.writeOutput(out)
			return nil
		},
	}
}

// newOperations builds the operation table of a server; the shapes holding
// record data take their bound from the options.
func newOperations(opts Options) map[string]*operation {
	ops := []*operation{
		unary("CreateStream", shapeCreateStreamInput, Backend.CreateStream),
		unary("DeleteStream", shapeDeleteStreamInput, Backend.DeleteStream),
		unary("DescribeStream", shapeDescribeStreamInput, Backend.DescribeStream),
		unary("DescribeStreamSummary", shapeDescribeStreamSummaryInput, Backend.DescribeStreamSummary),
		unary("ListStreams", shapeListStreamsInput, Backend.ListStreams),
		unary("ListShards", shapeListShardsInput, Backend.ListShards),
		putRecordOperation(opts),
		putRecordsOperation(opts, nil),
		unary("GetShardIterator", shapeGetShardIteratorInput, Backend.GetShardIterator),
		getRecordsOperation(),
		unary("IncreaseStreamRetentionPeriod", shapeIncreaseRetentionInput, Backend.IncreaseStreamRetentionPeriod),
		unary("DecreaseStreamRetentionPeriod", shapeDecreaseRetentionInput, Backend.DecreaseStreamRetentionPeriod),
		unary("AddTagsToStream", shapeAddTagsToStreamInput, Backend.AddTagsToStream),
		unary("RemoveTagsFromStream", shapeRemoveTagsFromStreamInput, Backend.RemoveTagsFromStream),
		unary("ListTagsForStream", shapeListTagsForStreamInput, Backend.ListTagsForStream),
		unary("TagResource", shapeTagResourceInput, Backend.TagResource),
		unary("UntagResource", shapeUntagResourceInput, Backend.UntagResource),
		unary("ListTagsForResource", shapeListTagsForResourceInput, Backend.ListTagsForResource),
		unary("DescribeLimits", shapeDescribeLimitsInput, Backend.DescribeLimits),
		unary("SplitShard", shapeSplitShardInput, Backend.SplitShard),
		unary("MergeShards", shapeMergeShardsInput, Backend.MergeShards),
		unary("UpdateShardCount", shapeUpdateShardCountInput, Backend.UpdateShardCount),
		unary("PutResourcePolicy", shapePutResourcePolicyInput, Backend.PutResourcePolicy),
		unary("GetResourcePolicy", shapeGetResourcePolicyInput, Backend.GetResourcePolicy),
		unary("DeleteResourcePolicy", shapeDeleteResourcePolicyInput, Backend.DeleteResourcePolicy),
		unary("UpdateMaxRecordSize", shapeUpdateMaxRecordSizeInput, Backend.UpdateMaxRecordSize),
		unary("DescribeAccountSettings", shapeDescribeAccountSettingsInput, Backend.DescribeAccountSettings),
		unary("UpdateAccountSettings", shapeUpdateAccountSettingsInput, Backend.UpdateAccountSettings),
		unary("UpdateStreamWarmThroughput", shapeUpdateStreamWarmThroughputInput, Backend.UpdateStreamWarmThroughput),
		unary("UpdateStreamRecordDistributionStrategy", shapeUpdateStreamRecordDistributionStrategyInput, Backend.UpdateStreamRecordDistributionStrategy),
		unary("UpdateStreamMode", shapeUpdateStreamModeInput, Backend.UpdateStreamMode),
		unary("StartStreamEncryption", shapeStartStreamEncryptionInput, Backend.StartStreamEncryption),
		unary("StopStreamEncryption", shapeStopStreamEncryptionInput, Backend.StopStreamEncryption),
		unary("EnableEnhancedMonitoring", shapeEnableEnhancedMonitoringInput, Backend.EnableEnhancedMonitoring),
		unary("DisableEnhancedMonitoring", shapeDisableEnhancedMonitoringInput, Backend.DisableEnhancedMonitoring),
		unary("RegisterStreamConsumer", shapeRegisterStreamConsumerInput, Backend.RegisterStreamConsumer),
		unary("DescribeStreamConsumer", shapeDescribeStreamConsumerInput, Backend.DescribeStreamConsumer),
		unary("ListStreamConsumers", shapeListStreamConsumersInput, Backend.ListStreamConsumers),
		unary("DeregisterStreamConsumer", shapeDeregisterStreamConsumerInput, Backend.DeregisterStreamConsumer),
		unary("CreateQueue", shapeCreateQueueInput, Backend.CreateQueue),
		unary("DescribeQueue", shapeDescribeQueueInput, Backend.DescribeQueue),
		unary("ListQueues", shapeListQueuesInput, Backend.ListQueues),
		unary("UpdateQueue", shapeUpdateQueueInput, Backend.UpdateQueue),
		unary("DeleteQueue", shapeDeleteQueueInput, Backend.DeleteQueue),
		untilShutdown(unary("ReceiveQueueRecords", shapeReceiveQueueRecordsInput, Backend.ReceiveQueueRecords)),
		unary("AcknowledgeQueueRecords", shapeAcknowledgeQueueRecordsInput, Backend.AcknowledgeQueueRecords),
		unary("UpdateQueueRecordsVisibility", shapeUpdateQueueRecordsVisibilityInput, Backend.UpdateQueueRecordsVisibility),
		untilShutdown(unary("ReceiveDeadLetterQueueRecords", shapeReceiveQueueRecordsInput, Backend.ReceiveDeadLetterQueueRecords)),
		unary("AcknowledgeDeadLetterQueueRecords", shapeAcknowledgeDeadLetterQueueRecordsInput, Backend.AcknowledgeDeadLetterQueueRecords),
		unary("UpdateDeadLetterQueueRecordsVisibility", shapeUpdateDeadLetterQueueRecordsVisibilityInput, Backend.UpdateDeadLetterQueueRecordsVisibility),
		unary("RestoreDeadLetterQueueRecords", shapeRestoreDeadLetterQueueRecordsInput, Backend.RestoreDeadLetterQueueRecords),
	}
	table := make(map[string]*operation, len(ops))
	for _, op := range ops {
		table[op.name] = op
	}
	return table
}

func putRecordOperation(opts Options) *operation {
	op := unary("PutRecord", putRecordInputShape(opts.MaxRecordDataBytes), Backend.PutRecord)
	lim := fastLimits{maxData: opts.MaxRecordDataBytes}
	op.fast = func(c *call) (any, bool) {
		in, ok := decodePutRecordFast(c.body, lim, c.arena())
		return in, ok
	}
	return op
}

// putRecordsOperation returns PutRecords. With a Base64Putter, the requests the focused
// decoder reads go to it with their data as base64 text; the others go to PutRecords.
func putRecordsOperation(opts Options, p Base64Putter) *operation {
	lim := fastLimits{maxData: opts.MaxRecordDataBytes, text: p != nil}
	return &operation{
		name:  "PutRecords",
		shape: putRecordsInputShape(opts.MaxRecordDataBytes),
		newIn: func() any { return new(PutRecordsInput) },
		fast: func(c *call) (any, bool) {
			in, ok := decodePutRecordsFast(c.body, lim, c.arena())
			c.dataText = ok && lim.text
			return in, ok
		},
		run: func(c *call, in any) error {
			var out *PutRecordsOutput
			var err error
			if c.dataText {
				out, err = p.PutRecordsBase64(c.ctx, in.(*PutRecordsInput))
			} else {
				out, err = c.s.backend.PutRecords(c.ctx, in.(*PutRecordsInput))
			}
			if out != nil && out.Release != nil {
				defer out.Release() // after the answer is rendered into c.out
			}
			if err != nil {
				return err
			}
			if out == nil {
				out = &PutRecordsOutput{}
			}
			if c.proto == protoCBOR {
				c.out = appendPutRecordsCBOR(c.out, out)
			} else {
				c.out = appendPutRecordsJSON(c.out, out)
			}
			return nil
		},
	}
}

func getRecordsOperation() *operation {
	return &operation{
		name:  "GetRecords",
		shape: shapeGetRecordsInput,
		newIn: func() any { return new(GetRecordsInput) },
		run: func(c *call, in any) error {
			var enc recordEncoder
			if c.proto == protoCBOR {
				enc = wire.NewCBORRecords(c.out[:0], c.sendPiece)
			} else {
				enc = wire.NewJSONRecords(c.out[:0], c.sendPiece)
			}
			out, err := c.s.backend.GetRecords(c.ctx, in.(*GetRecordsInput), enc)
			if err != nil {
				return err
			}
			if out == nil {
				out = &GetRecordsOutput{}
			}
			c.out = enc.Finish(recordsEnd(out))
			return nil
		},
	}
}

// decode turns the parsed body into the operation's input: type check,
// constraint validation, then the Go struct.
func (c *call) decode(op *operation) (any, error) {
	checked, err := checkStructure(c.tree, op.shape)
	if err != nil {
		return nil, err
	}
	if err := validate(checked, op.shape); err != nil {
		return nil, err
	}
	in := op.newIn()
	assign(in, checked, op.shape)
	return in, nil
}

// checkInput applies the request-level rules that follow validation and need
// no state: the stream named by StreamARN, the ListShards pairing rules, the
// PutRecords size limit; and asks the Backend whether a StreamARN is one of its
// own (StreamARNChecker).
func (c *call) checkInput(in any) error {
	if consumer, err := c.checkConsumerInput(in); consumer {
		return err
	}
	if queue, err := c.checkQueueInput(in); queue {
		return err
	}
	switch t := in.(type) {
	case *PutRecordsInput:
		if err := c.resolveStream(&t.StreamName, t.StreamARN); err != nil {
			return err
		}
		return c.checkRecordsSize(t.Records)
	case *PutRecordInput:
		return c.resolveStream(&t.StreamName, t.StreamARN)
	case *ListShardsInput:
		if t.NextToken != "" && t.StreamName == "" && t.StreamARN != "" {
			return invalidArgument("NextToken and StreamARN cannot be provided together.")
		}
		if err := c.resolveStream(&t.StreamName, t.StreamARN); err != nil {
			return err
		}
		switch {
		case t.StreamName == "" && t.NextToken == "":
			return invalidArgument("Either NextToken or StreamName should be provided.")
		case t.StreamName != "" && t.NextToken != "":
			return invalidArgument("NextToken and StreamName cannot be provided together.")
		}
		return nil
	}
	v := reflect.ValueOf(in).Elem()
	name, arn := v.FieldByName("StreamName"), v.FieldByName("StreamARN")
	if !name.IsValid() || !arn.IsValid() {
		return nil
	}
	s := name.String()
	if err := c.resolveStream(&s, arn.String()); err != nil {
		return err
	}
	name.SetString(s)
	return nil
}

// resolveStream fills an empty StreamName from the StreamARN, rejects a
// StreamName that names another stream than the ARN does, and an ARN that
// names no stream of the Backend's (StreamARNChecker).
func (c *call) resolveStream(name *string, arn string) error {
	if arn == "" {
		return nil
	}
	if err := resolveStreamName(name, arn); err != nil {
		return err
	}
	return c.checkStreamARN(arn)
}

// resolveStreamName fills an empty StreamName from the StreamARN, and rejects a
// StreamName that names another stream than the ARN does.
func resolveStreamName(name *string, arn string) error {
	fromARN, _ := kinesis.StreamNameFromARN(arn)
	if *name == "" {
		*name = fromARN
		return nil
	}
	if *name != fromARN {
		return invalidArgument("StreamARN " + arn + " does not match StreamName " + *name + ".")
	}
	return nil
}

// checkRecordsSize enforces the PutRecords request limit on data plus
// partition keys (KINESIS-API.md §3.5).
func (c *call) checkRecordsSize(records []PutRecordsRequestEntry) error {
	total := 0
	for i := range records {
		total += c.dataLen(records[i].Data) + len(records[i].PartitionKey)
	}
	if total > c.s.opts.MaxPutRecordsBytes {
		return invalidArgument("Records size exceeds " + strconv.Itoa(c.s.opts.MaxPutRecordsBytes>>20) + " MB limit")
	}
	return nil
}
