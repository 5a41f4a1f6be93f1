// Package retention decides how long a stream keeps its records and deletes what has
// expired.
//
// # Vocabulary
//
// A Policy is a stream's retention period: 24 hours by default, settable from MinPeriod (24 h)
// to MaxPeriod (8760 h, a year) at run time, as Kinesis allows. A record has expired once it
// arrived more than the period ago (shard.Expired is the rule); reads never return it. A Loop
// deletes, in the background, the whole segments of its shards whose newest record has
// expired (shard.DeleteExpired), so that disk use follows the retention period.
//
// # Usage
//
//	p, err := retention.FromHours(48) // IncreaseStreamRetentionPeriod
//	s.SetRetention(p.Period)
//
//	loop := retention.NewLoop(30*time.Second, logger)
//	loop.Add(s)
//	loop.Start()
//	defer loop.Stop()
//	loop.Remove(s) // before closing s
//
// # Concurrency
//
// A Loop's methods are safe for concurrent use. Deletion runs beside appends and reads: a
// shard unmaps and unlinks a segment only once no reader uses it, and never holds up
// appends except to roll an expired active segment.
package retention
