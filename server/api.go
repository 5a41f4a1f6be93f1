package server

import (
	"context"
	"time"
)

// Backend carries out the Kinesis operations after the server has decoded and
// validated a request. Every input has passed the model's type checks and
// constraints (KINESIS-API.md §1.8, §2), and StreamName is filled in from
// StreamARN when only the ARN was sent. What is left to the Backend is
// everything that depends on state: streams that do not exist, shards, sequence
// numbers, iterators, limits, retention rules.
//
// A Backend reports a Kinesis error by returning a *kinesis.Error, whose Type
// and Message the server renders as they are, with the status kinesis.Status
// gives the type; or any other error with a method ErrorType() string, whose
// Error() text becomes the message. Any other error becomes a 500
// InternalFailure and is logged.
//
// Slices in inputs (the Records of PutRecords and the Data of every record) may
// alias buffers the server reuses: they are valid until the method returns, and
// a Backend that keeps them must copy them. Strings may be kept.
type Backend interface {
	CreateStream(ctx context.Context, in *CreateStreamInput) (*CreateStreamOutput, error)
	DeleteStream(ctx context.Context, in *DeleteStreamInput) (*DeleteStreamOutput, error)
	DescribeStream(ctx context.Context, in *DescribeStreamInput) (*DescribeStreamOutput, error)
	DescribeStreamSummary(ctx context.Context, in *DescribeStreamSummaryInput) (*DescribeStreamSummaryOutput, error)
	ListStreams(ctx context.Context, in *ListStreamsInput) (*ListStreamsOutput, error)
	ListShards(ctx context.Context, in *ListShardsInput) (*ListShardsOutput, error)
	PutRecord(ctx context.Context, in *PutRecordInput) (*PutRecordOutput, error)
	PutRecords(ctx context.Context, in *PutRecordsInput) (*PutRecordsOutput, error)
	GetShardIterator(ctx context.Context, in *GetShardIteratorInput) (*GetShardIteratorOutput, error)
	// GetRecords streams records into sink while their bytes are valid (they may alias
	// memory-mapped storage); the sink copies/encodes what it keeps. A large answer starts
	// going out before GetRecords returns, so an error after records were delivered can
	// only cut the answer short: a read that meets damage after good records should
	// return them, with a NextShardIterator at the damage, and fail the next call.
	GetRecords(ctx context.Context, in *GetRecordsInput, sink RecordSink) (*GetRecordsOutput, error)
	IncreaseStreamRetentionPeriod(ctx context.Context, in *IncreaseStreamRetentionPeriodInput) (*IncreaseStreamRetentionPeriodOutput, error)
	DecreaseStreamRetentionPeriod(ctx context.Context, in *DecreaseStreamRetentionPeriodInput) (*DecreaseStreamRetentionPeriodOutput, error)
	AddTagsToStream(ctx context.Context, in *AddTagsToStreamInput) (*AddTagsToStreamOutput, error)
	RemoveTagsFromStream(ctx context.Context, in *RemoveTagsFromStreamInput) (*RemoveTagsFromStreamOutput, error)
	ListTagsForStream(ctx context.Context, in *ListTagsForStreamInput) (*ListTagsForStreamOutput, error)
	TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error)
	UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error)
	ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error)
	DescribeLimits(ctx context.Context, in *DescribeLimitsInput) (*DescribeLimitsOutput, error)
	SplitShard(ctx context.Context, in *SplitShardInput) (*SplitShardOutput, error)
	MergeShards(ctx context.Context, in *MergeShardsInput) (*MergeShardsOutput, error)
	UpdateShardCount(ctx context.Context, in *UpdateShardCountInput) (*UpdateShardCountOutput, error)
	PutResourcePolicy(ctx context.Context, in *PutResourcePolicyInput) (*PutResourcePolicyOutput, error)
	GetResourcePolicy(ctx context.Context, in *GetResourcePolicyInput) (*GetResourcePolicyOutput, error)
	DeleteResourcePolicy(ctx context.Context, in *DeleteResourcePolicyInput) (*DeleteResourcePolicyOutput, error)
	// UpdateMaxRecordSize, PutRecord and PutRecords: the server has checked records against
	// the ceiling of Options; the stream's own maximum record size is the Backend's to check.
	UpdateMaxRecordSize(ctx context.Context, in *UpdateMaxRecordSizeInput) (*UpdateMaxRecordSizeOutput, error)
	DescribeAccountSettings(ctx context.Context, in *DescribeAccountSettingsInput) (*DescribeAccountSettingsOutput, error)
	UpdateAccountSettings(ctx context.Context, in *UpdateAccountSettingsInput) (*UpdateAccountSettingsOutput, error)
	UpdateStreamWarmThroughput(ctx context.Context, in *UpdateStreamWarmThroughputInput) (*UpdateStreamWarmThroughputOutput, error)
	UpdateStreamRecordDistributionStrategy(ctx context.Context, in *UpdateStreamRecordDistributionStrategyInput) (*UpdateStreamRecordDistributionStrategyOutput, error)
	UpdateStreamMode(ctx context.Context, in *UpdateStreamModeInput) (*UpdateStreamModeOutput, error)
	StartStreamEncryption(ctx context.Context, in *StartStreamEncryptionInput) (*StartStreamEncryptionOutput, error)
	StopStreamEncryption(ctx context.Context, in *StopStreamEncryptionInput) (*StopStreamEncryptionOutput, error)
	EnableEnhancedMonitoring(ctx context.Context, in *EnableEnhancedMonitoringInput) (*EnhancedMonitoringOutput, error)
	DisableEnhancedMonitoring(ctx context.Context, in *DisableEnhancedMonitoringInput) (*EnhancedMonitoringOutput, error)
	RegisterStreamConsumer(ctx context.Context, in *RegisterStreamConsumerInput) (*RegisterStreamConsumerOutput, error)
	DescribeStreamConsumer(ctx context.Context, in *DescribeStreamConsumerInput) (*DescribeStreamConsumerOutput, error)
	ListStreamConsumers(ctx context.Context, in *ListStreamConsumersInput) (*ListStreamConsumersOutput, error)
	DeregisterStreamConsumer(ctx context.Context, in *DeregisterStreamConsumerInput) (*DeregisterStreamConsumerOutput, error)
	// The queue operations (queues.go).
	CreateQueue(ctx context.Context, in *CreateQueueInput) (*CreateQueueOutput, error)
	DescribeQueue(ctx context.Context, in *DescribeQueueInput) (*DescribeQueueOutput, error)
	ListQueues(ctx context.Context, in *ListQueuesInput) (*ListQueuesOutput, error)
	UpdateQueue(ctx context.Context, in *UpdateQueueInput) (*UpdateQueueOutput, error)
	DeleteQueue(ctx context.Context, in *DeleteQueueInput) (*DeleteQueueOutput, error)
	// ReceiveQueueRecords and ReceiveDeadLetterQueueRecords may wait up to WaitTimeSeconds
	// for a record; they end the wait when ctx ends.
	ReceiveQueueRecords(ctx context.Context, in *ReceiveQueueRecordsInput) (*ReceiveQueueRecordsOutput, error)
	AcknowledgeQueueRecords(ctx context.Context, in *QueueReceiptsInput) (*QueueRecordsOutput, error)
	UpdateQueueRecordsVisibility(ctx context.Context, in *QueueVisibilityInput) (*QueueRecordsOutput, error)
	ReceiveDeadLetterQueueRecords(ctx context.Context, in *ReceiveQueueRecordsInput) (*ReceiveQueueRecordsOutput, error)
	AcknowledgeDeadLetterQueueRecords(ctx context.Context, in *QueueReceiptsInput) (*QueueRecordsOutput, error)
	UpdateDeadLetterQueueRecordsVisibility(ctx context.Context, in *QueueVisibilityInput) (*QueueRecordsOutput, error)
	RestoreDeadLetterQueueRecords(ctx context.Context, in *QueueReceiptsInput) (*QueueRecordsOutput, error)
}

// RecordSink receives the records of one GetRecords call, in order. The server's
// sink encodes each record into the response at once, so the slices only need to
// be valid for the duration of the call. The server's sinks also have a
// SetEncryptionType(string) method: a Backend calls it before the first record
// with "KMS" for the records of an encrypted stream, which then carry that
// EncryptionType.
type RecordSink interface {
	// sequenceNumber is the decimal text; arrivalMs is ms since epoch.
	Record(sequenceNumber []byte, arrivalMs int64, partitionKey []byte, data []byte) error
}

// Values of the string enums that appear in inputs and outputs.
const (
	StreamStatusCreating = "CREATING"
	StreamStatusDeleting = "DELETING"
	StreamStatusActive   = "ACTIVE"
	StreamStatusUpdating = "UPDATING"

	StreamModeProvisioned = "PROVISIONED"
	StreamModeOnDemand    = "ON_DEMAND"

	ShardIteratorTypeAtSequenceNumber    = "AT_SEQUENCE_NUMBER"
	ShardIteratorTypeAfterSequenceNumber = "AFTER_SEQUENCE_NUMBER"
	ShardIteratorTypeTrimHorizon         = "TRIM_HORIZON"
	ShardIteratorTypeLatest              = "LATEST"
	ShardIteratorTypeAtTimestamp         = "AT_TIMESTAMP"

	ShardFilterTypeAfterShardID     = "AFTER_SHARD_ID"
	ShardFilterTypeAtTrimHorizon    = "AT_TRIM_HORIZON"
	ShardFilterTypeFromTrimHorizon  = "FROM_TRIM_HORIZON"
	ShardFilterTypeAtLatest         = "AT_LATEST"
	ShardFilterTypeAtTimestamp      = "AT_TIMESTAMP"
	ShardFilterTypeFromTimestamp    = "FROM_TIMESTAMP"
	ScalingTypeUniformScaling       = "UNIFORM_SCALING"
	EncryptionTypeNone              = "NONE"
	EncryptionTypeKMS               = "KMS"
	RecordDistributionAuto          = "AUTO"
	RecordDistributionPartitionKeys = "USER_PARTITION_KEY"
)

// Inputs. Member names and order follow the service model; an empty string, a
// nil pointer or a nil slice means the member was absent. Every stream-scoped
// input carries both StreamName and StreamARN: the server fills StreamName from
// the ARN when only the ARN was given, and rejects the two if they disagree.

// CreateStreamInput is the input of CreateStream.
type CreateStreamInput struct {
	StreamName                 string             `json:"StreamName"`
	ShardCount                 *int32             `json:"ShardCount,omitempty"`
	StreamModeDetails          *StreamModeDetails `json:"StreamModeDetails,omitempty"`
	Tags                       map[string]string  `json:"Tags,omitempty"`
	WarmThroughputMiBps        *int32             `json:"WarmThroughputMiBps,omitempty"`
	MaxRecordSizeInKiB         *int32             `json:"MaxRecordSizeInKiB,omitempty"`
	RecordDistributionStrategy string             `json:"RecordDistributionStrategy,omitempty"`
}

// DeleteStreamInput is the input of DeleteStream.
type DeleteStreamInput struct {
	StreamName              string `json:"StreamName,omitempty"`
	EnforceConsumerDeletion bool   `json:"EnforceConsumerDeletion,omitempty"`
	StreamARN               string `json:"StreamARN,omitempty"`
	StreamId                string `json:"StreamId,omitempty"`
}

// DescribeStreamInput is the input of DescribeStream.
type DescribeStreamInput struct {
	StreamName            string `json:"StreamName,omitempty"`
	Limit                 *int32 `json:"Limit,omitempty"`
	ExclusiveStartShardId string `json:"ExclusiveStartShardId,omitempty"`
	StreamARN             string `json:"StreamARN,omitempty"`
	StreamId              string `json:"StreamId,omitempty"`
}

// DescribeStreamSummaryInput is the input of DescribeStreamSummary.
type DescribeStreamSummaryInput struct {
	StreamName string `json:"StreamName,omitempty"`
	StreamARN  string `json:"StreamARN,omitempty"`
	StreamId   string `json:"StreamId,omitempty"`
}

// ListStreamsInput is the input of ListStreams.
type ListStreamsInput struct {
	Limit                    *int32 `json:"Limit,omitempty"`
	ExclusiveStartStreamName string `json:"ExclusiveStartStreamName,omitempty"`
	NextToken                string `json:"NextToken,omitempty"`
}

// ListShardsInput is the input of ListShards. The server has checked that either
// NextToken or a stream (StreamName or StreamARN) was given, never both.
type ListShardsInput struct {
	StreamName              string       `json:"StreamName,omitempty"`
	NextToken               string       `json:"NextToken,omitempty"`
	ExclusiveStartShardId   string       `json:"ExclusiveStartShardId,omitempty"`
	MaxResults              *int32       `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *time.Time   `json:"StreamCreationTimestamp,omitempty"`
	ShardFilter             *ShardFilter `json:"ShardFilter,omitempty"`
	StreamARN               string       `json:"StreamARN,omitempty"`
	StreamId                string       `json:"StreamId,omitempty"`
}

// ShardFilter narrows ListShards.
type ShardFilter struct {
	Type      string     `json:"Type"`
	ShardId   string     `json:"ShardId,omitempty"`
	Timestamp *time.Time `json:"Timestamp,omitempty"`
}

// PutRecordInput is the input of PutRecord.
type PutRecordInput struct {
	StreamName                string `json:"StreamName,omitempty"`
	Data                      []byte `json:"Data"`
	PartitionKey              string `json:"PartitionKey"`
	ExplicitHashKey           string `json:"ExplicitHashKey,omitempty"`
	SequenceNumberForOrdering string `json:"SequenceNumberForOrdering,omitempty"`
	StreamARN                 string `json:"StreamARN,omitempty"`
	StreamId                  string `json:"StreamId,omitempty"`
	DryRun                    bool   `json:"DryRun,omitempty"`
}

// PutRecordsInput is the input of PutRecords. The server has checked that the
// records' data and partition keys together stay within Options.MaxPutRecordsBytes, the
// ceiling of every stream; the stream's own limit is the Backend's to check.
type PutRecordsInput struct {
	Records    []PutRecordsRequestEntry `json:"Records"`
	StreamName string                   `json:"StreamName,omitempty"`
	StreamARN  string                   `json:"StreamARN,omitempty"`
	StreamId   string                   `json:"StreamId,omitempty"`
	DryRun     bool                     `json:"DryRun,omitempty"`
}

// PutRecordsRequestEntry is one record of a PutRecords request.
type PutRecordsRequestEntry struct {
	Data            []byte `json:"Data"`
	ExplicitHashKey string `json:"ExplicitHashKey,omitempty"`
	PartitionKey    string `json:"PartitionKey"`
}

// GetShardIteratorInput is the input of GetShardIterator.
type GetShardIteratorInput struct {
	StreamName             string     `json:"StreamName,omitempty"`
	ShardId                string     `json:"ShardId"`
	ShardIteratorType      string     `json:"ShardIteratorType"`
	StartingSequenceNumber string     `json:"StartingSequenceNumber,omitempty"`
	Timestamp              *time.Time `json:"Timestamp,omitempty"`
	StreamARN              string     `json:"StreamARN,omitempty"`
	StreamId               string     `json:"StreamId,omitempty"`
	DryRun                 bool       `json:"DryRun,omitempty"`
}

// GetRecordsInput is the input of GetRecords.
type GetRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         *int32 `json:"Limit,omitempty"`
	StreamARN     string `json:"StreamARN,omitempty"`
	StreamId      string `json:"StreamId,omitempty"`
	DryRun        bool   `json:"DryRun,omitempty"`
}

// IncreaseStreamRetentionPeriodInput is the input of IncreaseStreamRetentionPeriod.
// The model puts no range on RetentionPeriodHours: the 24..8760 rule is the Backend's.
type IncreaseStreamRetentionPeriodInput struct {
	StreamName           string `json:"StreamName,omitempty"`
	RetentionPeriodHours int32  `json:"RetentionPeriodHours"`
	StreamARN            string `json:"StreamARN,omitempty"`
	StreamId             string `json:"StreamId,omitempty"`
}

// DecreaseStreamRetentionPeriodInput is the input of DecreaseStreamRetentionPeriod.
type DecreaseStreamRetentionPeriodInput struct {
	StreamName           string `json:"StreamName,omitempty"`
	RetentionPeriodHours int32  `json:"RetentionPeriodHours"`
	StreamARN            string `json:"StreamARN,omitempty"`
	StreamId             string `json:"StreamId,omitempty"`
}

// AddTagsToStreamInput is the input of AddTagsToStream.
type AddTagsToStreamInput struct {
	StreamName string            `json:"StreamName,omitempty"`
	Tags       map[string]string `json:"Tags"`
	StreamARN  string            `json:"StreamARN,omitempty"`
	StreamId   string            `json:"StreamId,omitempty"`
}

// RemoveTagsFromStreamInput is the input of RemoveTagsFromStream.
type RemoveTagsFromStreamInput struct {
	StreamName string   `json:"StreamName,omitempty"`
	TagKeys    []string `json:"TagKeys"`
	StreamARN  string   `json:"StreamARN,omitempty"`
	StreamId   string   `json:"StreamId,omitempty"`
}

// ListTagsForStreamInput is the input of ListTagsForStream.
type ListTagsForStreamInput struct {
	StreamName           string `json:"StreamName,omitempty"`
	ExclusiveStartTagKey string `json:"ExclusiveStartTagKey,omitempty"`
	Limit                *int32 `json:"Limit,omitempty"`
	StreamARN            string `json:"StreamARN,omitempty"`
	StreamId             string `json:"StreamId,omitempty"`
}

// TagResourceInput is the input of TagResource (a stream or consumer ARN).
type TagResourceInput struct {
	Tags        map[string]string `json:"Tags"`
	ResourceARN string            `json:"ResourceARN"`
	StreamId    string            `json:"StreamId,omitempty"`
}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	TagKeys     []string `json:"TagKeys"`
	ResourceARN string   `json:"ResourceARN"`
	StreamId    string   `json:"StreamId,omitempty"`
}

// ListTagsForResourceInput is the input of ListTagsForResource.
type ListTagsForResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
	StreamId    string `json:"StreamId,omitempty"`
}

// DescribeLimitsInput is the (empty) input of DescribeLimits.
type DescribeLimitsInput struct{}

// SplitShardInput is the input of SplitShard.
type SplitShardInput struct {
	StreamName         string `json:"StreamName,omitempty"`
	ShardToSplit       string `json:"ShardToSplit"`
	NewStartingHashKey string `json:"NewStartingHashKey"`
	StreamARN          string `json:"StreamARN,omitempty"`
	StreamId           string `json:"StreamId,omitempty"`
}

// MergeShardsInput is the input of MergeShards.
type MergeShardsInput struct {
	StreamName           string `json:"StreamName,omitempty"`
	ShardToMerge         string `json:"ShardToMerge"`
	AdjacentShardToMerge string `json:"AdjacentShardToMerge"`
	StreamARN            string `json:"StreamARN,omitempty"`
	StreamId             string `json:"StreamId,omitempty"`
}

// UpdateShardCountInput is the input of UpdateShardCount.
type UpdateShardCountInput struct {
	StreamName       string `json:"StreamName,omitempty"`
	TargetShardCount int32  `json:"TargetShardCount"`
	ScalingType      string `json:"ScalingType"`
	StreamARN        string `json:"StreamARN,omitempty"`
	StreamId         string `json:"StreamId,omitempty"`
}

// Shared structures. In outputs, a member tagged omitempty is left out of the
// response when it is zero; every other member is always written (a nil slice
// as [], a zero time as 0), because clients expect the model's required members.

// StreamModeDetails is the capacity mode of a stream.
type StreamModeDetails struct {
	StreamMode string `json:"StreamMode"`
}

// HashKeyRange is an inclusive range of 128-bit hash keys in decimal.
type HashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

// SequenceNumberRange is the range of a shard's sequence numbers;
// EndingSequenceNumber is set only on closed shards.
type SequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

// Shard describes one shard of a stream.
type Shard struct {
	ShardId               string              `json:"ShardId"`
	ParentShardId         string              `json:"ParentShardId,omitempty"`
	AdjacentParentShardId string              `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          HashKeyRange        `json:"HashKeyRange"`
	SequenceNumberRange   SequenceNumberRange `json:"SequenceNumberRange"`
}

// ChildShard names a child of a closed shard, returned by GetRecords at the end
// of that shard.
type ChildShard struct {
	ShardId      string       `json:"ShardId"`
	ParentShards []string     `json:"ParentShards"`
	HashKeyRange HashKeyRange `json:"HashKeyRange"`
}

// EnhancedMetrics lists shard-level metrics; a new stream has one entry with an
// empty list.
type EnhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

// WarmThroughputObject is the warm throughput of an on-demand stream.
type WarmThroughputObject struct {
	TargetMiBps  *int32 `json:"TargetMiBps,omitempty"`
	CurrentMiBps *int32 `json:"CurrentMiBps,omitempty"`
}

// Tag is one tag of a stream or consumer.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// StreamDescription is the body of DescribeStream.
type StreamDescription struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            string             `json:"StreamStatus"`
	StreamModeDetails       *StreamModeDetails `json:"StreamModeDetails,omitempty"`
	Shards                  []Shard            `json:"Shards"`
	HasMoreShards           bool               `json:"HasMoreShards"`
	RetentionPeriodHours    int32              `json:"RetentionPeriodHours"`
	StreamCreationTimestamp time.Time          `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []EnhancedMetrics  `json:"EnhancedMonitoring"`
	EncryptionType          string             `json:"EncryptionType,omitempty"`
	KeyId                   string             `json:"KeyId,omitempty"`
}

// StreamDescriptionSummary is the body of DescribeStreamSummary. It has no
// StreamId member on purpose: clients that see one change their endpoint rules
// (KINESIS-API.md §1.9).
type StreamDescriptionSummary struct {
	StreamName                 string                `json:"StreamName"`
	StreamARN                  string                `json:"StreamARN"`
	StreamStatus               string                `json:"StreamStatus"`
	StreamModeDetails          *StreamModeDetails    `json:"StreamModeDetails,omitempty"`
	RetentionPeriodHours       int32                 `json:"RetentionPeriodHours"`
	StreamCreationTimestamp    time.Time             `json:"StreamCreationTimestamp"`
	EnhancedMonitoring         []EnhancedMetrics     `json:"EnhancedMonitoring"`
	EncryptionType             string                `json:"EncryptionType,omitempty"`
	KeyId                      string                `json:"KeyId,omitempty"`
	OpenShardCount             int32                 `json:"OpenShardCount"`
	ConsumerCount              *int32                `json:"ConsumerCount,omitempty"`
	WarmThroughput             *WarmThroughputObject `json:"WarmThroughput,omitempty"`
	MaxRecordSizeInKiB         *int32                `json:"MaxRecordSizeInKiB,omitempty"`
	RecordDistributionStrategy string                `json:"RecordDistributionStrategy,omitempty"`
}

// StreamSummary is one stream in ListStreams.
type StreamSummary struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            string             `json:"StreamStatus"`
	StreamModeDetails       *StreamModeDetails `json:"StreamModeDetails,omitempty"`
	StreamCreationTimestamp time.Time          `json:"StreamCreationTimestamp,omitempty"`
}

// PutRecordsResultEntry is the result of one record of PutRecords: either
// SequenceNumber and ShardId, or ErrorCode and ErrorMessage.
type PutRecordsResultEntry struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ShardId        string `json:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

// Outputs. Operations whose model output is Unit have an empty struct; the
// server answers them with an empty body, as AWS does.

// CreateStreamOutput is the (empty) output of CreateStream.
type CreateStreamOutput struct{}

// DeleteStreamOutput is the (empty) output of DeleteStream.
type DeleteStreamOutput struct{}

// DescribeStreamOutput is the output of DescribeStream.
type DescribeStreamOutput struct {
	StreamDescription StreamDescription `json:"StreamDescription"`
}

// DescribeStreamSummaryOutput is the output of DescribeStreamSummary.
type DescribeStreamSummaryOutput struct {
	StreamDescriptionSummary StreamDescriptionSummary `json:"StreamDescriptionSummary"`
}

// ListStreamsOutput is the output of ListStreams. NextToken must be set whenever
// HasMoreStreams is true, or the AWS CLI stops paginating early.
type ListStreamsOutput struct {
	StreamNames     []string        `json:"StreamNames"`
	HasMoreStreams  bool            `json:"HasMoreStreams"`
	NextToken       string          `json:"NextToken,omitempty"`
	StreamSummaries []StreamSummary `json:"StreamSummaries,omitempty"`
}

// ListShardsOutput is the output of ListShards.
type ListShardsOutput struct {
	Shards    []Shard `json:"Shards"`
	NextToken string  `json:"NextToken,omitempty"`
}

// PutRecordOutput is the output of PutRecord.
type PutRecordOutput struct {
	ShardId        string `json:"ShardId"`
	SequenceNumber string `json:"SequenceNumber"`
	EncryptionType string `json:"EncryptionType,omitempty"`
}

// PutRecordsOutput is the output of PutRecords; Records[i] answers the request's
// Records[i]. A Backend can avoid one allocation per record by building all
// sequence numbers in one string and slicing it.
type PutRecordsOutput struct {
	FailedRecordCount int32                   `json:"FailedRecordCount"`
	Records           []PutRecordsResultEntry `json:"Records"`
	EncryptionType    string                  `json:"EncryptionType,omitempty"`

	// Release, when not nil, is called by the server once, after it has rendered the
	// answer, so that a Backend can reuse the answer's memory (the Records and the string
	// of their sequence numbers) for a later one. Nothing uses the output after.
	Release func() `json:"-"`
}

// GetShardIteratorOutput is the output of GetShardIterator.
type GetShardIteratorOutput struct {
	ShardIterator string `json:"ShardIterator"`
}

// GetRecordsOutput is the output of GetRecords, apart from the records, which
// went through the RecordSink. NextShardIterator is empty only at the end of a
// closed shard, and then ChildShards names its children.
type GetRecordsOutput struct {
	NextShardIterator  string       `json:"NextShardIterator,omitempty"`
	MillisBehindLatest int64        `json:"MillisBehindLatest"`
	ChildShards        []ChildShard `json:"ChildShards,omitempty"`
}

// IncreaseStreamRetentionPeriodOutput is the (empty) output of IncreaseStreamRetentionPeriod.
type IncreaseStreamRetentionPeriodOutput struct{}

// DecreaseStreamRetentionPeriodOutput is the (empty) output of DecreaseStreamRetentionPeriod.
type DecreaseStreamRetentionPeriodOutput struct{}

// AddTagsToStreamOutput is the (empty) output of AddTagsToStream.
type AddTagsToStreamOutput struct{}

// RemoveTagsFromStreamOutput is the (empty) output of RemoveTagsFromStream.
type RemoveTagsFromStreamOutput struct{}

// ListTagsForStreamOutput is the output of ListTagsForStream.
type ListTagsForStreamOutput struct {
	Tags        []Tag `json:"Tags"`
	HasMoreTags bool  `json:"HasMoreTags"`
}

// TagResourceOutput is the (empty) output of TagResource.
type TagResourceOutput struct{}

// UntagResourceOutput is the (empty) output of UntagResource.
type UntagResourceOutput struct{}

// ListTagsForResourceOutput is the output of ListTagsForResource.
type ListTagsForResourceOutput struct {
	Tags []Tag `json:"Tags"`
}

// DescribeLimitsOutput is the output of DescribeLimits.
type DescribeLimitsOutput struct {
	ShardLimit               int32 `json:"ShardLimit"`
	OpenShardCount           int32 `json:"OpenShardCount"`
	OnDemandStreamCount      int32 `json:"OnDemandStreamCount"`
	OnDemandStreamCountLimit int32 `json:"OnDemandStreamCountLimit"`
}

// SplitShardOutput is the (empty) output of SplitShard.
type SplitShardOutput struct{}

// MergeShardsOutput is the (empty) output of MergeShards.
type MergeShardsOutput struct{}

// UpdateShardCountOutput is the output of UpdateShardCount.
type UpdateShardCountOutput struct {
	StreamName        string `json:"StreamName,omitempty"`
	CurrentShardCount int32  `json:"CurrentShardCount,omitempty"`
	TargetShardCount  int32  `json:"TargetShardCount,omitempty"`
	StreamARN         string `json:"StreamARN,omitempty"`
}
