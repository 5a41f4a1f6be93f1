package kinesis

import "time"

// Retention periods (RetentionPeriodHours), as AWS has them today (KINESIS-API.md §3).
// A record is readable for its stream's period after it arrived; the period can be set
// between the bounds at any time.
const (
	DefaultRetentionHours = 24   // a new stream's retention period
	MinRetentionHours     = 24   // the shortest retention period
	MaxRetentionHours     = 8760 // the longest retention period (365 days)

	DefaultRetention = DefaultRetentionHours * time.Hour
	MinRetention     = MinRetentionHours * time.Hour
	MaxRetention     = MaxRetentionHours * time.Hour
)

// Limits and defaults of streams.
const (
	DefaultMaxRecordSizeKiB = 1024  // a new stream's largest record (data + partition key)
	MinMaxRecordSizeKiB     = 1024  // the smallest value MaxRecordSizeInKiB may take
	MaxMaxRecordSizeKiB     = 10240 // the largest value MaxRecordSizeInKiB may take

	MaxTags = 50 // tags per stream

	MaxStreamNameLen = 128 // the longest stream name
)

// Limits of one PutRecords call.
const (
	MaxPutRecordsEntries = 500     // records in one request
	MaxPutRecordsBytes   = 5 << 20 // data and partition keys of one request
	// MaxPutRecordsBytesLarge is the request limit since AWS took records up to 10 MiB
	// (Oct 2025); shardlog applies it to streams whose MaxRecordSizeInKiB is above the default.
	MaxPutRecordsBytesLarge = 10 << 20
)

// IteratorLifetime is how long a shard iterator stays valid after it is issued.
const IteratorLifetime = 300000 * time.Millisecond

// MaxShardIteratorLen is the longest iterator string the API allows.
const MaxShardIteratorLen = 512

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
