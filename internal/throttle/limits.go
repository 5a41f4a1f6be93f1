package throttle

import "time"

// Limits are the quotas a Meter enforces. A zero Rate leaves its quota unenforced.
type Limits struct {
	// Per shard, in both capacity modes. Bytes of a record are its data and partition key.
	WriteBytes    Rate // PutRecord and PutRecords records
	WriteRecords  Rate
	ReadBytes     Rate // bytes GetRecords returned
	ReadCalls     Rate // GetRecords calls
	IteratorCalls Rate // GetShardIterator calls

	// Per ON_DEMAND stream, on top of its shards' quotas: the capacity of a new on-demand
	// stream.
	OnDemandWriteBytes   Rate
	OnDemandWriteRecords Rate
	OnDemandReadBytes    Rate

	// PushBytes is what SubscribeToShard pushes to each consumer from each shard, data and
	// partition keys; pushes over it are delayed, never refused (push.go).
	PushBytes Rate

	// Control holds the call rates of the operations that have one, by operation name.
	Control map[string]ControlRate
}

// ControlRate is the call rate of an operation: for the account, or for each stream.
// Operations with the same Shared name draw on one bucket.
type ControlRate struct {
	Rate
	PerStream bool
	Shared    string // the bucket's name when not the operation's own
}

const mebibyte = 1 << 20

// keyChanges is the quota of Start/StopStreamEncryption: 25 changes of a stream's key per
// rolling 24 hours, starts and stops together.
var keyChanges = ControlRate{Rate: Rate{Count: 25, Per: 24 * time.Hour}, PerStream: true, Shared: "StreamEncryption"}

// AWS returns AWS's default quotas (KINESIS-API.md §3.11; the Kinesis Data Streams quotas
// page): 1 MiB/s and 1,000 records/s of writes, 2 MiB/s and 5 calls/s of GetRecords, and 5
// GetShardIterator calls/s per shard; 2 MiB/s pushed by SubscribeToShard per consumer and
// shard; 4 MiB/s and 4,000 records/s of writes and 8 MiB/s of
// reads for a new on-demand stream (AWS raises that capacity as the traffic grows, which
// shardlog does not: an on-demand stream here keeps its initial capacity); and the
// control-plane transactions per second per account, or per stream where AWS says so.
// UpdateShardCount's 10 scalings per rolling 24 hours are the store's own rule, always on.
func AWS() Limits {
	return Limits{
		WriteBytes:    PerSecond(1 * mebibyte),
		WriteRecords:  PerSecond(1000),
		ReadBytes:     PerSecond(2 * mebibyte),
		ReadCalls:     PerSecond(5),
		IteratorCalls: PerSecond(5),

		OnDemandWriteBytes:   PerSecond(4 * mebibyte),
		OnDemandWriteRecords: PerSecond(4000),
		OnDemandReadBytes:    PerSecond(8 * mebibyte),

		PushBytes: PerSecond(2 * mebibyte),

		Control: map[string]ControlRate{
			"CreateStream":               {Rate: PerSecond(5)},
			"DeleteStream":               {Rate: PerSecond(5)},
			"DescribeStream":             {Rate: PerSecond(10)},
			"DescribeStreamSummary":      {Rate: PerSecond(20)},
			"ListStreams":                {Rate: PerSecond(5)},
			"ListShards":                 {Rate: PerSecond(1000), PerStream: true},
			"ListTagsForStream":          {Rate: PerSecond(5)},
			"AddTagsToStream":            {Rate: PerSecond(5)},
			"RemoveTagsFromStream":       {Rate: PerSecond(5)},
			"SplitShard":                 {Rate: PerSecond(5)},
			"MergeShards":                {Rate: PerSecond(5)},
			"UpdateShardCount":           {Rate: PerSecond(10)},
			"DescribeLimits":             {Rate: PerSecond(1)},
			"RegisterStreamConsumer":     {Rate: PerSecond(5)},
			"DeregisterStreamConsumer":   {Rate: PerSecond(5), PerStream: true},
			"DescribeStreamConsumer":     {Rate: PerSecond(20), PerStream: true},
			"ListStreamConsumers":        {Rate: PerSecond(5), PerStream: true},
			"DescribeAccountSettings":    {Rate: PerSecond(5)},
			"UpdateAccountSettings":      {Rate: PerSecond(5)},
			"UpdateStreamWarmThroughput": {Rate: PerSecond(5)},
			"StartStreamEncryption":      keyChanges,
			"StopStreamEncryption":       keyChanges,
		},
	}
}

// MaxStreamsChanging is how many streams AWS lets be CREATING or DELETING at once in an
// account; CreateStream beyond it is a LimitExceededException.
const MaxStreamsChanging = 5
