package server

// UpdateStreamWarmThroughput (KINESIS-API.md §2.3): the warm throughput of an ON_DEMAND
// stream, reported as WarmThroughput in DescribeStreamSummary.

// UpdateStreamWarmThroughputInput is the input of UpdateStreamWarmThroughput.
type UpdateStreamWarmThroughputInput struct {
	StreamARN           string `json:"StreamARN,omitempty"`
	StreamName          string `json:"StreamName,omitempty"`
	StreamId            string `json:"StreamId,omitempty"`
	WarmThroughputMiBps int32  `json:"WarmThroughputMiBps"`
}

// UpdateStreamWarmThroughputOutput is the output of UpdateStreamWarmThroughput.
type UpdateStreamWarmThroughputOutput struct {
	StreamARN      string                `json:"StreamARN,omitempty"`
	StreamName     string                `json:"StreamName,omitempty"`
	WarmThroughput *WarmThroughputObject `json:"WarmThroughput,omitempty"`
}

var shapeUpdateStreamWarmThroughputInput = structShape("UpdateStreamWarmThroughputInput",
	optional("StreamARN", shapeStreamARN),
	streamNameMember(),
	optional("StreamId", shapeStreamID),
	required("WarmThroughputMiBps", shapeNaturalInt))
