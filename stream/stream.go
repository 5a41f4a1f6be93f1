package stream

import "time"

// StreamStatus is the state of a stream, as DescribeStream reports it.
type StreamStatus string

// Stream states. A stream is CREATING, then ACTIVE; resharding and other changes take it
// to UPDATING and back to ACTIVE; DeleteStream takes it to DELETING, after which it is gone.
const (
	StatusCreating StreamStatus = "CREATING"
	StatusActive   StreamStatus = "ACTIVE"
	StatusUpdating StreamStatus = "UPDATING"
	StatusDeleting StreamStatus = "DELETING"
)

// StreamMode is the capacity mode of a stream (StreamModeDetails.StreamMode).
type StreamMode string

// Stream modes.
const (
	ModeProvisioned StreamMode = "PROVISIONED"
	ModeOnDemand    StreamMode = "ON_DEMAND"
)

// EncryptionType is a stream's server-side encryption setting. shardlog stores and reports
// it; it does not encrypt.
type EncryptionType string

// Encryption types.
const (
	EncryptionNone EncryptionType = "NONE"
	EncryptionKMS  EncryptionType = "KMS"
)

// Limits and defaults of streams, as AWS has them today (KINESIS-API.md §3).
const (
	DefaultRetentionHours = 24   // a new stream's retention period
	MinRetentionHours     = 24   // the shortest retention period
	MaxRetentionHours     = 8760 // the longest retention period (365 days)

	DefaultMaxRecordSizeKiB = 1024  // a new stream's largest record (data + partition key)
	MinMaxRecordSizeKiB     = 1024  // the smallest value MaxRecordSizeInKiB may take
	MaxMaxRecordSizeKiB     = 10240 // the largest value MaxRecordSizeInKiB may take

	MaxTags = 50 // tags per stream

	MaxStreamNameLen = 128 // the longest stream name
)

// IteratorLifetime is how long a shard iterator stays valid after it is issued.
const IteratorLifetime = 300000 * time.Millisecond

// NextTokenLifetime is how long a ListShards or ListStreams NextToken stays valid.
const NextTokenLifetime = 300 * time.Second

// Page sizes and read limits of the operations, as AWS has them (KINESIS-API.md §2, §3.4).
const (
	MaxDescribeStreamShards = 100      // shards one DescribeStream returns at most (and by default)
	MaxListStreams          = 100      // streams one ListStreams returns at most (and by default)
	DefaultListShards       = 1000     // shards one ListShards returns when MaxResults is absent
	MaxListShards           = 10000    // the largest MaxResults
	MaxGetRecords           = 10000    // records one GetRecords returns at most (and by default)
	MaxGetRecordsBytes      = 10 << 20 // data and partition key bytes one GetRecords returns at most
)
