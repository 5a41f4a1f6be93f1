package stream

import (
	"fmt"

	"github.com/shardlog/shardlog/kinesis"
)

// RecordDistributionStrategy is how an ON_DEMAND stream places records on its shards
// (UpdateStreamRecordDistributionStrategy, CreateStream's RecordDistributionStrategy).
type RecordDistributionStrategy string

// Record distribution strategies.
const (
	// DistributionPartitionKey places each record on the open shard that owns its hash key
	// (its ExplicitHashKey, or the MD5 of its partition key), so that the records of one
	// partition key stay in order on one shard. It is the default, and what a stream with
	// no strategy set does.
	DistributionPartitionKey RecordDistributionStrategy = "USER_PARTITION_KEY"
	// DistributionAuto spreads the records of an ON_DEMAND stream evenly over its open
	// shards, whatever their partition keys and ExplicitHashKeys: one key's records land on
	// several shards, and their order across those shards is not kept. shardlog deals them
	// out in turn (round robin), request after request.
	DistributionAuto RecordDistributionStrategy = "AUTO"
)

// spreads reports whether records are spread over the shards (DistributionAuto) instead
// of placed by hash key. Only an ON_DEMAND stream spreads: a stream that goes back to
// PROVISIONED places records by hash key again, whatever its strategy says.
func (s *StreamInfo) spreads() bool {
	return s.Mode == ModeOnDemand && s.RecordDistribution == DistributionAuto
}

// Distribution returns the stream's record distribution strategy, with the default made
// explicit.
func (s *StreamInfo) Distribution() RecordDistributionStrategy {
	if s.RecordDistribution == "" {
		return DistributionPartitionKey
	}
	return s.RecordDistribution
}

// validateDistribution checks the settings of distribution.go and warmthroughput.go.
func (s *StreamInfo) validateDistribution() error {
	switch s.RecordDistribution {
	case "", DistributionPartitionKey, DistributionAuto:
	default:
		return fmt.Errorf("unknown record distribution strategy %q", s.RecordDistribution)
	}
	w := s.WarmThroughput
	if w.TargetMiBps < 0 || w.TargetMiBps > MaxWarmThroughputMiBps || w.PreviousMiBps < 0 || w.PreviousMiBps > MaxWarmThroughputMiBps {
		return fmt.Errorf("warm throughput %d MiBps (previously %d) outside [0, %d]", w.TargetMiBps, w.PreviousMiBps, MaxWarmThroughputMiBps)
	}
	return nil
}

// checkDistribution checks a strategy asked for a stream in mode, and returns the one to
// store.
func checkDistribution(strategy RecordDistributionStrategy, mode StreamMode, name, account string) (RecordDistributionStrategy, error) {
	switch {
	case strategy != "" && strategy != DistributionPartitionKey && strategy != DistributionAuto:
		return "", kinesis.NewError(kinesis.TypeValidation, "1 validation error detected: Value '"+string(strategy)+
			"' at 'recordDistributionStrategy' failed to satisfy constraint: Member must satisfy enum value set: [AUTO, USER_PARTITION_KEY]")
	case strategy == DistributionAuto && mode != ModeOnDemand:
		return "", autoNeedsOnDemand(name, account)
	}
	return strategy, nil
}

// UpdateStreamRecordDistributionStrategy sets how the named stream places records. AWS
// documents the change as taking effect at once, without downtime: the stream stays as it
// is (ACTIVE or UPDATING), records written from now on follow the new strategy, and those
// already written stay where they are. AUTO needs an ON_DEMAND stream (autoNeedsOnDemand);
// USER_PARTITION_KEY, which every PROVISIONED stream follows anyway, is accepted for any.
// A stream that is CREATING or DELETING is streamNotActive.
func (s *Store) UpdateStreamRecordDistributionStrategy(name string, strategy RecordDistributionStrategy) error {
	return s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		if info.Status != StatusActive && info.Status != StatusUpdating {
			return nil, streamNotActive(name, info.Account, info.Status)
		}
		st, err := checkDistribution(strategy, info.Mode, name, info.Account)
		if err != nil || st == info.RecordDistribution {
			return nil, err
		}
		info.RecordDistribution = st
		return info, nil
	}, nil)
}
