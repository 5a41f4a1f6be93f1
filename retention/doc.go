// Package retention holds the one expiry rule of shardlog and the timing of the retention
// passes that apply it.
//
// A record is readable for its stream's retention period after it arrived: at nowMs it has
// expired if it arrived before CutoffMs(nowMs, period). Reads hide expired records, a segment
// whose newest record has expired is deleted whole, and a closed shard whose records have all
// expired leaves its stream; package shard applies the rule to its segments and package
// stream to its closed shards, both through Expired and CutoffMs, so that the three never
// disagree.
//
// The deletions are made in passes, every DefaultInterval unless configured: a Schedule says
// when the next one is due. The stream package's maintenance loop makes them.
//
//	var sched retention.Schedule // every DefaultInterval
//	if sched.Due(time.Now()) {
//		// delete what has expired
//	}
//
// The package imports nothing of shardlog, so that the engine and the packages above it can
// share the rule. A Schedule is not safe for concurrent use; the functions are.
package retention
