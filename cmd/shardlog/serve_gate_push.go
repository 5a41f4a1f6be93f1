package main

import (
	"time"

	"github.com/shardlog/shardlog/stream"
)

// The gate meters SubscribeToShard's pushes under --limits aws (stream.PushGate): 2 MiB/s
// per consumer and shard, delayed rather than refused.

var _ stream.PushGate = (*gate)(nil)

func (gt *gate) Push(consumerARN string, at stream.GateShard) (int64, time.Duration) {
	if !gt.metered(at.Stream) {
		return -1, 0
	}
	return gt.meterOf(at.Account, at.Region).Push(consumerARN, meterShard(at))
}

func (gt *gate) PushDone(consumerARN string, at stream.GateShard, bytes int) {
	if gt.metered(at.Stream) {
		gt.meterOf(at.Account, at.Region).PushDone(consumerARN, meterShard(at), bytes)
	}
}
