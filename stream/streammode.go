package stream

import (
	"fmt"
	"slices"
)

// Stream settings: the capacity mode (this file), server-side encryption (encryption.go) and
// enhanced monitoring (monitoring.go). shardlog stores and reports them; an ON_DEMAND stream
// does not scale itself, an encrypted one is not encrypted on disk, and no metric is
// published. A change of mode or encryption goes through UPDATING, as on AWS, for
// Options.UpdateDelay: the new setting is what DescribeStream reports from the call on, and
// the stream takes reads and writes all along.

// MaxModeChangesPerDay is how many times UpdateStreamMode may switch a stream's capacity mode
// in a rolling 24 hours (AWS's quota: "twice within 24 hours").
const MaxModeChangesPerDay = 2

// UpdateStreamMode switches a stream between PROVISIONED and ON_DEMAND, keeping its shards.
// The stream must be ACTIVE and in the other mode, and may switch MaxModeChangesPerDay times
// a day.
func (s *Store) UpdateStreamMode(name string, mode StreamMode) error {
	if mode != ModeProvisioned && mode != ModeOnDemand {
		return fmt.Errorf("stream: update stream mode: unknown stream mode %q", mode)
	}
	return s.update(name, func(info *StreamInfo) error {
		if err := requireActive(info); err != nil {
			return err
		}
		if info.Mode == mode {
			return streamModeUnchanged(name, info.Account, mode)
		}
		if mode == ModeProvisioned && info.liveQueues(s.nowMs()) > 0 {
			return queuesNeedOnDemand(name, info.Account)
		}
		now := s.nowMs()
		info.ModeChangedMs = lastDay(info.ModeChangedMs, now)
		if len(info.ModeChangedMs) >= MaxModeChangesPerDay {
			return streamModeChangesExceeded(name, info.Account)
		}
		info.Mode, info.ModeChangedMs = mode, append(info.ModeChangedMs, now)
		return nil
	})
}

// update makes a change of a stream's settings that goes through UPDATING: fn checks and
// changes info, or returns the Kinesis error that refuses the change. With no UpdateDelay
// the stream is ACTIVE again at once.
func (s *Store) update(name string, fn func(info *StreamInfo) error) error {
	err := s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		if err := fn(info); err != nil {
			return nil, err
		}
		info.Status, info.StatusDueMs = StatusUpdating, s.nowMs()+s.opts.UpdateDelay.Milliseconds()
		return info, nil
	}, nil)
	if err != nil {
		return err
	}
	s.current(name) // ACTIVE now if there is no delay
	return nil
}

// requireActive returns the error for a change of a stream that is not ACTIVE.
func requireActive(info *StreamInfo) error {
	if info.Status != StatusActive {
		return streamNotActive(info.Name, info.Account, info.Status)
	}
	return nil
}

// lastDay returns the times of times (epoch ms, oldest first) less than 24 hours before now.
func lastDay(times []int64, nowMs int64) []int64 {
	return slices.DeleteFunc(times, func(ms int64) bool { return nowMs-ms >= dayMs })
}

// validateEncryption checks the encryption and monitoring settings of a stream.
func (s *StreamInfo) validateEncryption() error {
	switch {
	case s.Encryption == EncryptionKMS && s.KeyID == "":
		return fmt.Errorf("encryption %s without a key", s.Encryption)
	case s.Encryption == EncryptionNone && s.KeyID != "":
		return fmt.Errorf("encryption %s with key %q", s.Encryption, s.KeyID)
	}
	for _, m := range s.ShardLevelMetrics {
		if !slices.Contains(shardLevelMetrics[:], m) {
			return fmt.Errorf("unknown shard-level metric %q", m)
		}
	}
	return nil
}
