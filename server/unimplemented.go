package server

import (
	"context"

	"github.com/shardlog/shardlog/kinesis"
)

// UnimplementedBackend answers every operation with an InvalidArgumentException
// saying it is not implemented. Embed it in a Backend that implements only some
// operations, so that the rest still answer cleanly.
type UnimplementedBackend struct{}

func notImplemented(op string) error {
	return &kinesis.Error{Type: kinesis.TypeInvalidArgument, Message: op + " is not implemented by this server."}
}

// CreateStream reports that CreateStream is not implemented.
func (UnimplementedBackend) CreateStream(context.Context, *CreateStreamInput) (*CreateStreamOutput, error) {
	return nil, notImplemented("CreateStream")
}

// DeleteStream reports that DeleteStream is not implemented.
func (UnimplementedBackend) DeleteStream(context.Context, *DeleteStreamInput) (*DeleteStreamOutput, error) {
	return nil, notImplemented("DeleteStream")
}

// DescribeStream reports that DescribeStream is not implemented.
func (UnimplementedBackend) DescribeStream(context.Context, *DescribeStreamInput) (*DescribeStreamOutput, error) {
	return nil, notImplemented("DescribeStream")
}

// DescribeStreamSummary reports that DescribeStreamSummary is not implemented.
func (UnimplementedBackend) DescribeStreamSummary(context.Context, *DescribeStreamSummaryInput) (*DescribeStreamSummaryOutput, error) {
	return nil, notImplemented("DescribeStreamSummary")
}

// ListStreams reports that ListStreams is not implemented.
func (UnimplementedBackend) ListStreams(context.Context, *ListStreamsInput) (*ListStreamsOutput, error) {
	return nil, notImplemented("ListStreams")
}

// ListShards reports that ListShards is not implemented.
func (UnimplementedBackend) ListShards(context.Context, *ListShardsInput) (*ListShardsOutput, error) {
	return nil, notImplemented("ListShards")
}

// PutRecord reports that PutRecord is not implemented.
func (UnimplementedBackend) PutRecord(context.Context, *PutRecordInput) (*PutRecordOutput, error) {
	return nil, notImplemented("PutRecord")
}

// PutRecords reports that PutRecords is not implemented.
func (UnimplementedBackend) PutRecords(context.Context, *PutRecordsInput) (*PutRecordsOutput, error) {
	return nil, notImplemented("PutRecords")
}

// GetShardIterator reports that GetShardIterator is not implemented.
func (UnimplementedBackend) GetShardIterator(context.Context, *GetShardIteratorInput) (*GetShardIteratorOutput, error) {
	return nil, notImplemented("GetShardIterator")
}

// IncreaseStreamRetentionPeriod reports that IncreaseStreamRetentionPeriod is not implemented.
func (UnimplementedBackend) IncreaseStreamRetentionPeriod(context.Context, *IncreaseStreamRetentionPeriodInput) (*IncreaseStreamRetentionPeriodOutput, error) {
	return nil, notImplemented("IncreaseStreamRetentionPeriod")
}

// DecreaseStreamRetentionPeriod reports that DecreaseStreamRetentionPeriod is not implemented.
func (UnimplementedBackend) DecreaseStreamRetentionPeriod(context.Context, *DecreaseStreamRetentionPeriodInput) (*DecreaseStreamRetentionPeriodOutput, error) {
	return nil, notImplemented("DecreaseStreamRetentionPeriod")
}

// AddTagsToStream reports that AddTagsToStream is not implemented.
func (UnimplementedBackend) AddTagsToStream(context.Context, *AddTagsToStreamInput) (*AddTagsToStreamOutput, error) {
	return nil, notImplemented("AddTagsToStream")
}

// RemoveTagsFromStream reports that RemoveTagsFromStream is not implemented.
func (UnimplementedBackend) RemoveTagsFromStream(context.Context, *RemoveTagsFromStreamInput) (*RemoveTagsFromStreamOutput, error) {
	return nil, notImplemented("RemoveTagsFromStream")
}

// ListTagsForStream reports that ListTagsForStream is not implemented.
func (UnimplementedBackend) ListTagsForStream(context.Context, *ListTagsForStreamInput) (*ListTagsForStreamOutput, error) {
	return nil, notImplemented("ListTagsForStream")
}

// TagResource reports that TagResource is not implemented.
func (UnimplementedBackend) TagResource(context.Context, *TagResourceInput) (*TagResourceOutput, error) {
	return nil, notImplemented("TagResource")
}

// UntagResource reports that UntagResource is not implemented.
func (UnimplementedBackend) UntagResource(context.Context, *UntagResourceInput) (*UntagResourceOutput, error) {
	return nil, notImplemented("UntagResource")
}

// ListTagsForResource reports that ListTagsForResource is not implemented.
func (UnimplementedBackend) ListTagsForResource(context.Context, *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	return nil, notImplemented("ListTagsForResource")
}

// DescribeLimits reports that DescribeLimits is not implemented.
func (UnimplementedBackend) DescribeLimits(context.Context, *DescribeLimitsInput) (*DescribeLimitsOutput, error) {
	return nil, notImplemented("DescribeLimits")
}

// SplitShard reports that SplitShard is not implemented.
func (UnimplementedBackend) SplitShard(context.Context, *SplitShardInput) (*SplitShardOutput, error) {
	return nil, notImplemented("SplitShard")
}

// MergeShards reports that MergeShards is not implemented.
func (UnimplementedBackend) MergeShards(context.Context, *MergeShardsInput) (*MergeShardsOutput, error) {
	return nil, notImplemented("MergeShards")
}

// UpdateShardCount reports that UpdateShardCount is not implemented.
func (UnimplementedBackend) UpdateShardCount(context.Context, *UpdateShardCountInput) (*UpdateShardCountOutput, error) {
	return nil, notImplemented("UpdateShardCount")
}

// GetRecords reports that GetRecords is not implemented.
func (UnimplementedBackend) GetRecords(context.Context, *GetRecordsInput, RecordSink) (*GetRecordsOutput, error) {
	return nil, notImplemented("GetRecords")
}

var _ Backend = UnimplementedBackend{}

// UpdateMaxRecordSize reports that UpdateMaxRecordSize is not implemented.
func (UnimplementedBackend) UpdateMaxRecordSize(context.Context, *UpdateMaxRecordSizeInput) (*UpdateMaxRecordSizeOutput, error) {
	return nil, notImplemented("UpdateMaxRecordSize")
}

// DescribeAccountSettings reports that DescribeAccountSettings is not implemented.
func (UnimplementedBackend) DescribeAccountSettings(context.Context, *DescribeAccountSettingsInput) (*DescribeAccountSettingsOutput, error) {
	return nil, notImplemented("DescribeAccountSettings")
}

// UpdateAccountSettings reports that UpdateAccountSettings is not implemented.
func (UnimplementedBackend) UpdateAccountSettings(context.Context, *UpdateAccountSettingsInput) (*UpdateAccountSettingsOutput, error) {
	return nil, notImplemented("UpdateAccountSettings")
}

// UpdateStreamWarmThroughput reports that UpdateStreamWarmThroughput is not implemented.
func (UnimplementedBackend) UpdateStreamWarmThroughput(context.Context, *UpdateStreamWarmThroughputInput) (*UpdateStreamWarmThroughputOutput, error) {
	return nil, notImplemented("UpdateStreamWarmThroughput")
}

// UpdateStreamRecordDistributionStrategy reports that UpdateStreamRecordDistributionStrategy
// is not implemented.
func (UnimplementedBackend) UpdateStreamRecordDistributionStrategy(context.Context, *UpdateStreamRecordDistributionStrategyInput) (*UpdateStreamRecordDistributionStrategyOutput, error) {
	return nil, notImplemented("UpdateStreamRecordDistributionStrategy")
}
