package server

import "github.com/shardlog/shardlog/kinesis"

// UpdateMaxRecordSize (KINESIS-API.md §2.3). The stream's maximum record size bounds each
// record, data plus partition key, and the PutRecords request limit; the server checks
// only the ceiling that no stream exceeds (Options.MaxRecordDataBytes and
// MaxPutRecordsBytes), and the Backend the stream's own limit.

// UpdateMaxRecordSizeInput is the input of UpdateMaxRecordSize. The operation names its
// stream by StreamARN only; the server fills StreamName from it, for the Backend.
type UpdateMaxRecordSizeInput struct {
	StreamARN          string `json:"StreamARN"`
	StreamId           string `json:"StreamId,omitempty"`
	MaxRecordSizeInKiB int32  `json:"MaxRecordSizeInKiB"`
	StreamName         string `json:"-"` // from StreamARN
}

// UpdateMaxRecordSizeOutput is the (empty) output of UpdateMaxRecordSize.
type UpdateMaxRecordSizeOutput struct{}

// shapeUpdateMaxRecordSizeInput: the model leaves StreamARN optional, but the operation has
// no other way to name its stream, so a request without it fails validation as if the
// member were required.
var shapeUpdateMaxRecordSizeInput = structShape("UpdateMaxRecordSizeInput",
	required("StreamARN", shapeStreamARN),
	optional("StreamId", shapeStreamID),
	required("MaxRecordSizeInKiB", integerRange(kinesis.MinMaxRecordSizeKiB, kinesis.MaxMaxRecordSizeKiB)))
