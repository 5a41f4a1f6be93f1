package inject_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/inject"
)

// TestParse_QueueOperations: a rule may name the queue operations, which shardlog serves.
func TestParse_QueueOperations(t *testing.T) {
	for _, op := range []string{"CreateQueue", "DescribeQueue", "ListQueues", "UpdateQueue", "DeleteQueue",
		"ReceiveQueueRecords", "AcknowledgeQueueRecords", "UpdateQueueRecordsVisibility",
		"ReceiveDeadLetterQueueRecords", "AcknowledgeDeadLetterQueueRecords",
		"UpdateDeadLetterQueueRecordsVisibility", "RestoreDeadLetterQueueRecords"} {
		spec, err := inject.Parse(op + ":InternalFailure:0.5")
		require.NoError(t, err, op)
		require.Equal(t, op+":InternalFailure:0.5", spec.String())
	}
}
