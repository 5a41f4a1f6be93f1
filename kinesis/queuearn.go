package kinesis

import "strings"

// queueARNMarker separates a queue ARN's account from the queue's resource id.
const queueARNMarker = ":queue/"

// Limits of queues: the model's constraints and AWS's quotas for queues (API reference,
// "Quotas and limits for queues"), except where a comment says the bound is shardlog's own
// because AWS's reference, as far as it was at hand, does not give it.
const (
	MaxQueueNameLen          = 128    // the longest queue name
	MaxQueueIDLen            = 64     // the longest resource id this server puts in a queue ARN (its own: 32 hex digits are made)
	MaxQueueEntries          = 10     // entries of one Acknowledge/UpdateVisibility/Restore call
	MaxQueueReceive          = 10     // records of one ReceiveQueueRecords (and its default)
	MaxQueueVisibilitySec    = 43200  // the longest visibility timeout, 12 hours
	DefaultQueueVisibility   = 30     // the visibility timeout of a queue created without one
	MaxQueueWaitSec          = 20     // the longest WaitTimeSeconds (shardlog's own, as SQS's)
	DefaultQueueWaitSec      = 9      // WaitTimeSeconds when the request has none
	DefaultMaxReceiveCount   = 6      // MaxReceiveCount of a queue created without DeadLetterConfiguration
	MaxMaxReceiveCount       = 1000   // the largest MaxReceiveCount (shardlog's own, as SQS's)
	MaxQueueInFlight         = 120000 // records received and not acknowledged that one queue keeps track of
	MaxChangingQueues        = 5      // queues CREATING or DELETING at once per account and region
	MaxListQueues            = 10000  // the largest MaxResults of ListQueues
	DefaultListQueues        = 100    // queues one ListQueues returns without MaxResults (shardlog's own)
	MaxQueueReceiptHandleLen = 1024   // the longest receipt handle
)

// QueueARN returns the ARN of the queue with resource id id:
// arn:aws:kinesis:<region>:<account>:queue/<id>. The id is made when the queue is created
// and is not derived from its name, as on AWS, so a queue created again under the same name
// gets another ARN.
func QueueARN(region, account, id string) string {
	return "arn:aws:kinesis:" + region + ":" + account + queueARNMarker + id
}

// QueueIDFromARN returns the resource id at the end of a queue ARN, what follows its last
// ":queue/", and false if it has none. Like StreamNameFromARN it checks nothing else: a store
// compares the whole ARN with QueueARN before it trusts the region and account.
func QueueIDFromARN(arn string) (string, bool) {
	i := strings.LastIndex(arn, queueARNMarker)
	if i < 0 {
		return "", false
	}
	return arn[i+len(queueARNMarker):], true
}

// ValidQueueName reports whether name is a queue name the API allows: 1 to 128 characters
// from a-z, A-Z, 0-9, '_', '.', '-'.
func ValidQueueName(name string) bool { return ValidConsumerName(name) }
