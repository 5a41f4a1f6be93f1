// Package throttle meters requests against Kinesis's throughput quotas with token buckets,
// for `shardlog serve --limits aws`: clients that will meet those quotas on AWS can test their
// retry and backoff code against the same refusals locally.
//
// There are only a few types. A Bucket holds tokens that come back at a steady Rate, up to a
// burst. Limits names the quotas: per shard (write bytes and records, read bytes and calls,
// GetShardIterator calls), per on-demand stream, and per control-plane operation. A Meter
// keeps one set of buckets per shard, per on-demand stream and per operation, made on first
// use, and answers whether a record, a read or a call may go ahead:
//
//	m := throttle.New(throttle.AWS(), time.Now)
//	at := throttle.Shard{Stream: "orders", ShardID: "shardId-000000000000"}
//	if !m.Write(at, len(data)+len(partitionKey)) {
//		// ProvisionedThroughputExceededException for this record
//	}
//	if m.Read(at) {
//		n := read()      // a GetRecords call goes ahead while the shard owes no bytes,
//		m.ReadDone(at, n) // and pays for what it returned afterwards
//	}
//
// SubscribeToShard's pushes have a quota of their own, 2 MiB/s per consumer and shard, which
// delays rather than refuses: Push says how much a subscription may push now, or how long
// to wait, and PushDone charges what it pushed (push.go).
//
// # Metering
//
// The buckets start full and hold one second of their rate (Rate.Count), so a shard takes
// 1 MiB and 1,000 records at once and then 1 MiB/s. A record larger than the burst (records
// of up to 10 MiB are allowed on streams configured for them) is let through when the bucket
// is full and leaves it owing the rest, so that the shard refuses writes until it has paid;
// reads work the same way for every call, because the size of an answer is known only
// after it is read: a GetRecords call is let through while the shard owes nothing, and what
// it returned is charged afterwards. A call that returns 10 MiB from a full bucket makes
// the shard refuse reads for the next 4 seconds (AWS documents "the next 5 seconds" from an
// unstated burst). Token counts are kept as integers scaled by the period, so that refusals
// fall exactly on the boundary a test computes.
//
// # Concurrency
//
// A Meter is safe for concurrent use; its buckets are guarded by one mutex, held for a few
// arithmetic operations per call. A nil *Meter is never called: the store and the server
// check for it, so that with limits off the cost is that check. Buckets of deleted streams
// are kept (a stream created again under the same name finds them), which bounds the memory
// by the names a server has seen.
package throttle
