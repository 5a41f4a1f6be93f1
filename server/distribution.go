package server

// UpdateStreamRecordDistributionStrategy (KINESIS-API.md §2.3): how an ON_DEMAND stream
// places records on its shards, by partition key (USER_PARTITION_KEY, the default) or
// spread evenly (AUTO); reported as RecordDistributionStrategy in DescribeStreamSummary.

// UpdateStreamRecordDistributionStrategyInput is the input of
// UpdateStreamRecordDistributionStrategy. The server fills StreamName from StreamARN.
type UpdateStreamRecordDistributionStrategyInput struct {
	StreamARN                  string `json:"StreamARN"`
	StreamId                   string `json:"StreamId,omitempty"`
	RecordDistributionStrategy string `json:"RecordDistributionStrategy"`
	StreamName                 string `json:"-"` // from StreamARN
}

// UpdateStreamRecordDistributionStrategyOutput is the (empty) output of
// UpdateStreamRecordDistributionStrategy.
type UpdateStreamRecordDistributionStrategyOutput struct{}

var shapeUpdateStreamRecordDistributionStrategyInput = structShape("UpdateStreamRecordDistributionStrategyInput",
	required("StreamARN", shapeStreamARN),
	optional("StreamId", shapeStreamID),
	required("RecordDistributionStrategy", shapeDistribution))
