package wire

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJSONRecords_RepeatedArrivalTimes: records that share an arrival time with the record
// before them, and records that do not (one millisecond on, one back, whole seconds, the
// epoch, before it, the longest text), each carry the text AppendEpochMillis gives for their own time.
func TestJSONRecords_RepeatedArrivalTimes(t *testing.T) {
	times := []int64{
		1_733_400_000_123, 1_733_400_000_123, 1_733_400_000_124, 1_733_400_000_124,
		1_733_400_000_120, 1_733_400_000_000, 1_733_400_000_000, 0, 0, 5, -1_733_400_000_001, 9_223_372_036_854_775_807,
		9_223_372_036_854_775_807, 1_733_400_000_123,
	}
	enc := NewJSONRecords(nil, nil)
	for _, ms := range times {
		require.NoError(t, enc.Record([]byte("1"), ms, []byte("k"), []byte("d")))
	}
	var got struct {
		Records []struct{ ApproximateArrivalTimestamp json.RawMessage }
	}
	require.NoError(t, json.Unmarshal(enc.Finish(RecordsEnd{}), &got))
	require.Len(t, got.Records, len(times))
	for i, ms := range times {
		require.Equal(t, string(AppendEpochMillis(nil, ms)), string(got.Records[i].ApproximateArrivalTimestamp), "record %d, %d ms", i, ms)
	}
}
