package inject

// Operations are the operation names of the Kinesis API model (KINESIS-API.md §2) that a
// rule may name, those shardlog does not implement included: a rule for one of them never
// fires.
var Operations = []string{
	"AddTagsToStream", "CreateStream", "DecreaseStreamRetentionPeriod", "DeleteResourcePolicy",
	"DeleteStream", "DeregisterStreamConsumer", "DescribeAccountSettings", "DescribeLimits",
	"DescribeStream", "DescribeStreamConsumer", "DescribeStreamSummary",
	"DisableEnhancedMonitoring", "EnableEnhancedMonitoring", "GetRecords", "GetResourcePolicy",
	"GetShardIterator", "IncreaseStreamRetentionPeriod", "ListShards", "ListStreamConsumers",
	"ListStreams", "ListTagsForResource", "ListTagsForStream", "MergeShards", "PutRecord",
	"PutRecords", "PutResourcePolicy", "RegisterStreamConsumer", "RemoveTagsFromStream",
	"SplitShard", "StartStreamEncryption", "StopStreamEncryption", "SubscribeToShard",
	"TagResource", "UntagResource", "UpdateAccountSettings", "UpdateMaxRecordSize",
	"UpdateShardCount", "UpdateStreamMode", "UpdateStreamRecordDistributionStrategy",
	"UpdateStreamWarmThroughput",
	"CreateQueue", "DescribeQueue", "ListQueues", "UpdateQueue", "DeleteQueue", "ReceiveQueueRecords",
	"AcknowledgeQueueRecords", "UpdateQueueRecordsVisibility", "ReceiveDeadLetterQueueRecords",
	"AcknowledgeDeadLetterQueueRecords", "UpdateDeadLetterQueueRecordsVisibility", "RestoreDeadLetterQueueRecords",
}
