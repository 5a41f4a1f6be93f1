package server

import (
	"strings"

	"github.com/shardlog/shardlog/kinesis"
)

// modelOperations are the operations of the Kinesis Data Streams service model
// (aws-sdk-go-v2 service/kinesis v1.57.0: 57 operations; TestModelOperations_MatchTheSDK
// keeps the two equal). An X-Amz-Target that names one the server has no operation for
// is answered UnknownOperationException "X is not supported by shardlog", so that a user of
// the CLI reads why; a name the model does not have keeps AWS's answer, the
// same type without a message (KINESIS-API.md §1.6 step 10).
var modelOperations = map[string]bool{
	"AddTagsToStream": true, "CreateChannel": true, "CreateStream": true,
	"DecreaseStreamRetentionPeriod": true, "DeleteChannel": true, "DeleteResourcePolicy": true,
	"DeleteStream": true, "DeregisterStreamConsumer": true, "DescribeAccountSettings": true,
	"DescribeChannel": true, "DescribeLimits": true, "DescribeStream": true,
	"DescribeStreamConsumer": true, "DescribeStreamSummary": true, "DisableEnhancedMonitoring": true,
	"EnableEnhancedMonitoring": true, "GetRecords": true, "GetResourcePolicy": true,
	"GetShardIterator": true, "IncreaseStreamRetentionPeriod": true, "ListChannels": true,
	"ListShards": true, "ListStreamConsumers": true, "ListStreams": true,
	"ListTagsForResource": true, "ListTagsForStream": true, "MergeShards": true,
	"PutRecord": true, "PutRecords": true, "PutResourcePolicy": true,
	"RegisterStreamConsumer": true, "RemoveTagsFromStream": true, "SplitShard": true,
	"StartStreamEncryption": true, "StopStreamEncryption": true, "SubscribeToShard": true,
	"TagResource": true, "UntagResource": true, "UpdateAccountSettings": true,
	"UpdateChannel": true, "UpdateMaxRecordSize": true, "UpdateShardCount": true,
	"UpdateStreamMode": true, "UpdateStreamRecordDistributionStrategy": true,
	"UpdateStreamWarmThroughput": true,
	// Queues (Go SDK v1.57.0).
	"AcknowledgeDeadLetterQueueRecords": true, "AcknowledgeQueueRecords": true, "CreateQueue": true,
	"DeleteQueue": true, "DescribeQueue": true, "ListQueues": true,
	"ReceiveDeadLetterQueueRecords": true, "ReceiveQueueRecords": true,
	"RestoreDeadLetterQueueRecords": true, "UpdateDeadLetterQueueRecordsVisibility": true,
	"UpdateQueue": true, "UpdateQueueRecordsVisibility": true,
}

// unknownOperation is the answer to a request whose target names no operation
// of the server: the name of a model operation it does not carry out, or none.
func (c *call) unknownOperation() *kinesis.Error {
	service, opName, _ := strings.Cut(c.r.Header.Get("X-Amz-Target"), ".")
	if service != targetPrefix || !modelOperations[opName] {
		return &kinesis.Error{Type: kinesis.TypeUnknownOperation}
	}
	return &kinesis.Error{Type: kinesis.TypeUnknownOperation, Message: opName + " is not supported by shardlog"}
}
