package server

import "context"

// EnableEnhancedMonitoring and DisableEnhancedMonitoring turn a stream's shard-level
// metrics on and off (KINESIS-API.md §2.9).

// Values of MetricsName, in the model's order.
const (
	MetricsIncomingBytes                      = "IncomingBytes"
	MetricsIncomingRecords                    = "IncomingRecords"
	MetricsOutgoingBytes                      = "OutgoingBytes"
	MetricsOutgoingRecords                    = "OutgoingRecords"
	MetricsWriteProvisionedThroughputExceeded = "WriteProvisionedThroughputExceeded"
	MetricsReadProvisionedThroughputExceeded  = "ReadProvisionedThroughputExceeded"
	MetricsIteratorAgeMilliseconds            = "IteratorAgeMilliseconds"
	MetricsAll                                = "ALL"
)

// EnableEnhancedMonitoringInput is the input of EnableEnhancedMonitoring.
type EnableEnhancedMonitoringInput struct {
	StreamName        string   `json:"StreamName,omitempty"`
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
	StreamARN         string   `json:"StreamARN,omitempty"`
	StreamId          string   `json:"StreamId,omitempty"`
}

// DisableEnhancedMonitoringInput is the input of DisableEnhancedMonitoring.
type DisableEnhancedMonitoringInput struct {
	StreamName        string   `json:"StreamName,omitempty"`
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
	StreamARN         string   `json:"StreamARN,omitempty"`
	StreamId          string   `json:"StreamId,omitempty"`
}

// EnhancedMonitoringOutput is the output of Enable and DisableEnhancedMonitoring: the
// metrics that were on before the call and those on after it.
type EnhancedMonitoringOutput struct {
	StreamName               string   `json:"StreamName,omitempty"`
	CurrentShardLevelMetrics []string `json:"CurrentShardLevelMetrics"`
	DesiredShardLevelMetrics []string `json:"DesiredShardLevelMetrics"`
	StreamARN                string   `json:"StreamARN,omitempty"`
}

var (
	shapeMetricsName = enumShape(MetricsIncomingBytes, MetricsIncomingRecords, MetricsOutgoingBytes,
		MetricsOutgoingRecords, MetricsWriteProvisionedThroughputExceeded, MetricsReadProvisionedThroughputExceeded,
		MetricsIteratorAgeMilliseconds, MetricsAll)

	shapeEnableEnhancedMonitoringInput  = monitoringInputShape("EnableEnhancedMonitoringInput")
	shapeDisableEnhancedMonitoringInput = monitoringInputShape("DisableEnhancedMonitoringInput")
)

func monitoringInputShape(name string) *shape {
	return structShape(name,
		streamNameMember(),
		required("ShardLevelMetrics", listShape(shapeMetricsName, 1, 7)),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))
}

// EnableEnhancedMonitoring reports that EnableEnhancedMonitoring is not implemented.
func (UnimplementedBackend) EnableEnhancedMonitoring(context.Context, *EnableEnhancedMonitoringInput) (*EnhancedMonitoringOutput, error) {
	return nil, notImplemented("EnableEnhancedMonitoring")
}

// DisableEnhancedMonitoring reports that DisableEnhancedMonitoring is not implemented.
func (UnimplementedBackend) DisableEnhancedMonitoring(context.Context, *DisableEnhancedMonitoringInput) (*EnhancedMonitoringOutput, error) {
	return nil, notImplemented("DisableEnhancedMonitoring")
}
