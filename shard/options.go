package shard

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
)

// SyncPolicy says when appended batches are made durable with fdatasync.
type SyncPolicy int

const (
	// SyncAlways syncs before Append returns. Concurrent appenders share one fdatasync (group
	// commit). Readers see a record only once it is durable. The default.
	SyncAlways SyncPolicy = iota
	// SyncInterval syncs every Options.SyncInterval in the background. Append returns once the
	// batch is written; a crash may lose up to one interval of acknowledged records.
	SyncInterval
	// SyncNone never syncs on the append path and leaves write-back to the OS. Segments are
	// still synced when they roll, at checkpoints, and at Close.
	SyncNone
)

// ParseSyncPolicy parses "always", "interval" or "none".
func ParseSyncPolicy(s string) (SyncPolicy, error) {
	for p := SyncAlways; p <= SyncNone; p++ {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want always, interval or none)", ErrSyncPolicy, s)
}

// String returns the policy's name as ParseSyncPolicy accepts it.
func (p SyncPolicy) String() string {
	switch p {
	case SyncAlways:
		return "always"
	case SyncInterval:
		return "interval"
	case SyncNone:
		return "none"
	}
	return fmt.Sprintf("SyncPolicy(%d)", int(p))
}

// Defaults of Options.
const (
	DefaultSyncInterval       = 100 * time.Millisecond
	DefaultMaxSegmentBytes    = 64 << 20
	DefaultMaxSegmentAge      = time.Hour
	DefaultIndexIntervalBytes = 4096
	DefaultRetention          = kinesis.DefaultRetention
	DefaultMaxMappedSegments  = 4
	DefaultIdleTimeout        = 30 * time.Second

	defaultPreallocateBytes = 4 << 20
)

// Options configure a shard. The zero value means every default.
type Options struct {
	// Sync is the durability policy of Append. Default SyncAlways.
	Sync SyncPolicy
	// SyncInterval is how often SyncInterval syncs. Default 100ms.
	SyncInterval time.Duration
	// Codec compresses new batches. Default segment.CodecNone. A batch that compression
	// would not make at least 10 % smaller is stored raw; after 8 such batches in a row the
	// shard stops trying and tries only every 16th batch, until one compresses again.
	// Whatever the codec, every batch already written reads back as it was.
	Codec segment.Codec
	// MaxSegmentBytes rolls the active segment once it holds this many bytes. Default 64 MiB.
	MaxSegmentBytes int64
	// MaxSegmentAge rolls the active segment once its first record is this old, so that
	// retention can delete an idle shard's data. Default 1h.
	MaxSegmentAge time.Duration
	// IndexIntervalBytes is the distance in segment bytes between index entries. Default 4096.
	IndexIntervalBytes int64
	// Retention hides records older than this and lets DeleteExpired delete them. Default 24h.
	Retention time.Duration
	// Now is the clock for arrival times and expiry. Default time.Now.
	Now func() time.Time
	// MaxMappedSegments bounds the sealed segments kept open and mapped at once (least
	// recently read ones are closed first). Default 4.
	MaxMappedSegments int
	// IdleTimeout closes a sealed segment nobody has read for this long (wall-clock time,
	// not Now), so that an idle shard holds only its active segment. Default 30s.
	IdleTimeout time.Duration
	// PreallocateBytes is how far ahead, at most, segment files reserve disk space with
	// fallocate, so that a full disk fails Append rather than a later write; a new segment
	// starts with 64 KiB and doubles its reservation up to this. Default the smaller of
	// 4 MiB and MaxSegmentBytes.
	PreallocateBytes int64
	// Syncer, if set, runs this shard's fdatasyncs under SyncAlways in rounds shared with
	// the other shards that use it (see Syncer). Default: the shard syncs on its own.
	Syncer *Syncer
	// CreatedMs is the creation time recorded for a new shard, ms since the Unix epoch.
	// Default Now(). An existing shard keeps the time it was created with.
	CreatedMs int64
	// MustExist makes Open (and Check) refuse a directory that holds no shard: a missing
	// directory is ErrMissingShard and a missing manifest ErrMissingManifest, where Open
	// would otherwise create an empty shard. Set it for a shard that was created before (one
	// the stream catalog lists): losing its files must not look like a new, empty shard.
	// Default false: Open creates the shard if it is not there.
	MustExist bool
	// Logger receives what recovery repairs: a torn tail cut off (file, position, bytes),
	// files removed, an index rebuilt. Default slog.Default().
	Logger *slog.Logger

	// checkpointBytes is how far the active segment grows between checkpoints. Default
	// defaultCheckpointBytes; tests set it through WithCheckpointBytes (export_test.go).
	checkpointBytes int64
}

// withDefaults returns a copy of o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.SyncInterval <= 0 {
		o.SyncInterval = DefaultSyncInterval
	}
	if o.MaxSegmentBytes <= 0 {
		o.MaxSegmentBytes = DefaultMaxSegmentBytes
	}
	if o.MaxSegmentAge <= 0 {
		o.MaxSegmentAge = DefaultMaxSegmentAge
	}
	if o.IndexIntervalBytes <= 0 {
		o.IndexIntervalBytes = DefaultIndexIntervalBytes
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxMappedSegments <= 0 {
		o.MaxMappedSegments = DefaultMaxMappedSegments
	}
	if o.PreallocateBytes <= 0 {
		o.PreallocateBytes = min(defaultPreallocateBytes, o.MaxSegmentBytes)
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.checkpointBytes <= 0 {
		o.checkpointBytes = defaultCheckpointBytes
	}
	return o
}

// validate reports options that no default can fix.
func (o Options) validate() error {
	if o.Sync < SyncAlways || o.Sync > SyncNone {
		return fmt.Errorf("%w: %v", ErrSyncPolicy, o.Sync)
	}
	return nil
}
