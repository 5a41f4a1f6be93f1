package stream

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/shardlog/shardlog/kinesis"
)

// A Declaration is a stream that a server is told to hold from its start (shardlog serve
// --streams and --config): Declare creates it if it is missing, and otherwise reports how
// the stream on disk differs from it.
type Declaration struct {
	Name string
	// Mode is the capacity mode; default PROVISIONED.
	Mode StreamMode
	// ShardCount is the number of shards: at least 1 for a PROVISIONED stream; for an
	// ON_DEMAND one, 0 means DefaultOnDemandShardCount. Unlike CreateStream, a declared
	// ON_DEMAND stream may be given its shard count.
	ShardCount int
	// RetentionHours is the retention period, 24 to 8760; 0 means 24.
	RetentionHours int
	// Tags are the tags of the stream when Declare creates it.
	Tags map[string]string
	// Consumers are registered (RegisterStreamConsumer) when Declare creates the stream.
	Consumers []string
}

// Declared is what Declare did with a Declaration.
type Declared struct {
	Created bool
	// Conflicts says, one line each, how the stream that was already there differs from
	// the declaration (being deleted, shard count, mode, retention period); Declare
	// changes none of it.
	Conflicts []string
}

// Declare makes sure the store holds the declared stream. A missing stream is created
// ACTIVE at once, whatever Options.CreateDelay, with its tags, retention period and
// consumers (these CREATING for Options.RegisterConsumerDelay, as RegisterStreamConsumer
// makes them). A stream of that name that is there already is left as it is, and the
// differences are returned as Conflicts, so that declaring the same streams at every start
// changes nothing.
func (s *Store) Declare(d Declaration) (Declared, error) {
	info, err := s.describe(d.Name)
	switch {
	case err == nil:
		return Declared{Conflicts: conflicts(d, &info)}, nil
	case errors.Is(err, ErrClosed):
		return Declared{}, err
	}
	if info, err = s.declaredInfo(d); err != nil {
		return Declared{}, fmt.Errorf("stream: declare stream %s: %w", d.Name, err)
	}
	if err := s.create(d.Name, &info, 0); err != nil {
		return Declared{}, fmt.Errorf("stream: declare stream %s: %w", d.Name, err)
	}
	for _, c := range d.Consumers {
		if _, err := s.RegisterStreamConsumer(d.Name, c, nil); err != nil {
			return Declared{Created: true}, fmt.Errorf("stream: declare stream %s: consumer %s: %w", d.Name, c, err)
		}
	}
	return Declared{Created: true}, nil
}

// declaredInfo checks a declaration and returns the stream it describes, CREATING.
func (s *Store) declaredInfo(d Declaration) (StreamInfo, error) {
	mode, count := cmp.Or(d.Mode, ModeProvisioned), d.ShardCount
	switch {
	case mode != ModeProvisioned && mode != ModeOnDemand:
		return StreamInfo{}, fmt.Errorf("unknown stream mode %q: want PROVISIONED or ON_DEMAND", d.Mode)
	case mode == ModeOnDemand && count == 0:
		count = DefaultOnDemandShardCount
	}
	hours := cmp.Or(d.RetentionHours, kinesis.DefaultRetentionHours)
	switch {
	case hours < kinesis.MinRetentionHours:
		return StreamInfo{}, retentionTooShort(hours)
	case hours > kinesis.MaxRetentionHours:
		return StreamInfo{}, retentionTooLong(hours)
	}
	info, err := s.newStreamInfo(d.Name, StreamConfig{ShardCount: count, Mode: ModeProvisioned, Tags: d.Tags})
	if err != nil {
		return StreamInfo{}, err
	}
	info.Mode, info.RetentionHours = mode, hours
	return *info, nil
}

// conflicts lists how info, a stream on disk, differs from d.
func conflicts(d Declaration, info *StreamInfo) []string {
	var out []string
	if info.Status == StatusDeleting {
		out = append(out, "it is DELETING: it will be gone, and not declared again until the next start")
	}
	if n := pendingShardCount(info); d.ShardCount > 0 && n != d.ShardCount {
		out = append(out, fmt.Sprintf("declared with %d shards, it has %d open shards", d.ShardCount, n))
	}
	if d.Mode != "" && d.Mode != info.Mode {
		out = append(out, fmt.Sprintf("declared %s, it is %s", d.Mode, info.Mode))
	}
	if d.RetentionHours > 0 && d.RetentionHours != info.RetentionHours {
		out = append(out, fmt.Sprintf("declared with a retention period of %d hours, it has %d", d.RetentionHours, info.RetentionHours))
	}
	return out
}
