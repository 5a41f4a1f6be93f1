package server

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/wire"
)

// TestAppendOutputJSON checks the reflective encoder's rules against
// encoding/json's reading of its output.
func TestAppendOutputJSON(t *testing.T) {
	out := &DescribeStreamSummaryOutput{StreamDescriptionSummary: StreamDescriptionSummary{
		StreamName: "s", StreamStatus: "ACTIVE", StreamCreationTimestamp: time.UnixMilli(1500000000123),
		EnhancedMonitoring: []EnhancedMetrics{{ShardLevelMetrics: []string{"ALL"}}},
		WarmThroughput:     &WarmThroughputObject{TargetMiBps: new(int32)},
	}}
	got := string(wire.AppendOutputJSON(nil, out))
	want := `{"StreamDescriptionSummary":{"StreamName":"s","StreamARN":"","StreamStatus":"ACTIVE","RetentionPeriodHours":0,` +
		`"StreamCreationTimestamp":1500000000.123,"EnhancedMonitoring":[{"ShardLevelMetrics":["ALL"]}],"OpenShardCount":0,` +
		`"WarmThroughput":{"TargetMiBps":0}}}`
	require.Equal(t, want, got)
	require.Equal(t, "", string(wire.AppendOutputJSON(nil, &CreateStreamOutput{})), "a Unit output has an empty body")
	require.Equal(t, `{"Tags":{"a":"1","b":"2"}}`, string(wire.AppendOutputJSON(nil, &struct {
		Tags map[string]string
	}{map[string]string{"b": "2", "a": "1"}})), "map keys are sorted")
}
