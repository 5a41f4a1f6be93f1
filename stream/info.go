package stream

import (
	"errors"
	"fmt"
	"slices"

	"github.com/shardlog/shardlog/kinesis"
)

// StreamInfo is everything the catalog keeps about one stream: what DescribeStream,
// DescribeStreamSummary, ListShards and ListTagsForStream report, and the state of its
// status changes and resharding.
//
// Status changes are lazy: a change that takes time (CREATING or UPDATING to ACTIVE,
// DELETING to gone) records when it completes in StatusDueMs, and whoever next looks at the
// stream at or after that time completes it (Due). No timer is needed, and a restart in the
// middle of a change finishes it.
type StreamInfo struct {
	Name        string `json:"name"`
	Incarnation int64  `json:"incarnation"` // tells apart streams that had the same name; never reused
	Region      string `json:"region"`      // for the ARN
	Account     string `json:"account"`     // 12 digits, for the ARN and messages

	Status      StreamStatus `json:"status"`
	StatusDueMs int64        `json:"statusDueMs,omitempty"` // when the change in progress completes, epoch ms; 0 when ACTIVE
	Reshard     *Reshard     `json:"reshard,omitempty"`     // the reshard that completes with UPDATING, if any

	CreatedMs         int64          `json:"createdMs"` // StreamCreationTimestamp, epoch ms
	RetentionHours    int            `json:"retentionHours"`
	Mode              StreamMode     `json:"mode"`
	Encryption        EncryptionType `json:"encryption"`
	KeyID             string         `json:"keyId,omitempty"`   // the KMS key, when Encryption is KMS
	ShardLevelMetrics []string       `json:"shardLevelMetrics"` // enhanced monitoring, as enabled
	MaxRecordSizeKiB  int            `json:"maxRecordSizeKiB"`
	Tags              []Tag          `json:"tags"` // sorted by key, as ListTagsForStream returns them

	// Policies holds the resource policies of the stream and of its consumers, by the
	// ARN of the resource each is attached to (resourcepolicy.go). Absent from catalog
	// files written before resource policies.
	Policies map[string]string `json:"policies,omitempty"`

	// Consumers are the stream's enhanced fan-out consumers, sorted by name
	// (consumers.go). Absent from catalog files written before consumers, and when the
	// stream has none.
	Consumers []Consumer `json:"consumers,omitempty"`

	// Queues are the stream's queues, in creation order (queues.go). Absent from catalog
	// files written before queues, and when the stream has none.
	Queues []Queue `json:"queues,omitempty"`

	// ScaledMs holds the times of the UpdateShardCount calls of the last 24 hours, oldest
	// first: AWS allows 10 per rolling day.
	ScaledMs []int64 `json:"scaledMs,omitempty"`
	// ModeChangedMs and EncryptionChangedMs hold the times of the UpdateStreamMode and of
	// the Start/StopStreamEncryption calls of the last 24 hours, oldest first: AWS allows 2
	// and 25 per rolling day (streammode.go, encryption.go).
	ModeChangedMs       []int64 `json:"modeChangedMs,omitempty"`
	EncryptionChangedMs []int64 `json:"encryptionChangedMs,omitempty"`

	// RecordDistribution is how records are placed on the shards of an ON_DEMAND stream:
	// by hash key (empty, or DistributionPartitionKey), or spread evenly (DistributionAuto).
	// A PROVISIONED stream always places them by hash key.
	RecordDistribution RecordDistributionStrategy `json:"recordDistribution,omitempty"`
	// WarmThroughput is the warm throughput of an ON_DEMAND stream; zero when never set.
	WarmThroughput WarmThroughput `json:"warmThroughput,omitzero"`

	Shards         []ShardInfo `json:"shards"`         // every shard ever made and not yet forgotten, by index
	NextShardIndex int         `json:"nextShardIndex"` // the index the next new shard gets; never reused
}

// Tag is one tag of a stream.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ShardInfo is what the catalog keeps about one shard. Its data lives in the shard's own
// directory; the catalog holds what a sequence number, a shard listing and lineage need.
//
// CreatedSec is the creation second that the shard's sequence numbers carry, and it orders
// them: a child's must be greater than its parents' (AWS uses the close time + 1 s), so that
// every number of a child sorts after every number of its parents, and a record's TimeSec
// should be at least CreatedSec (kinesalite renders max(arrival, creation)), so that no
// record sorts before its shard's StartingSequenceNumber. A closed shard's ClosedSec is at
// least its CreatedSec.
type ShardInfo struct {
	Index            int                  `json:"index"`
	ID               string               `json:"id"` // ShardID(Index)
	HashKeyRange     kinesis.HashKeyRange `json:"hashKeyRange"`
	ParentID         string               `json:"parentId,omitempty"`         // the split or merged shard this one came from
	AdjacentParentID string               `json:"adjacentParentId,omitempty"` // the other parent of a merge
	CreatedSec       int64                `json:"createdSec"`                 // creation time in the shard's sequence numbers; see below

	Closed    bool   `json:"closed,omitempty"`    // split or merged: no more writes
	EndOffset uint64 `json:"endOffset,omitempty"` // when closed: the offset after the shard's last record
	ClosedSec int64  `json:"closedSec,omitempty"` // when closed: the time in its EndingSequenceNumber
}

// ReshardKind names a resharding operation.
type ReshardKind string

// Resharding operations.
const (
	ReshardSplit ReshardKind = "SplitShard"
	ReshardMerge ReshardKind = "MergeShards"
	ReshardScale ReshardKind = "UpdateShardCount"
)

// Reshard is a resharding operation accepted but not yet carried out: the stream is UPDATING,
// and the operation happens when that ends, as on AWS, where the parents take writes until
// the children are in place. StartedSec is set once carrying it out has begun (see
// reshard.go); the plan of the reshard follows from it and the parents' sealed logs, so that
// a reshard interrupted by a crash is finished, the same way, at the next Open.
type Reshard struct {
	Kind               ReshardKind     `json:"kind"`
	ShardIndex         int             `json:"shardIndex,omitempty"`         // split: ShardToSplit; merge: ShardToMerge
	AdjacentShardIndex int             `json:"adjacentShardIndex,omitempty"` // merge: AdjacentShardToMerge
	NewStartingHashKey kinesis.HashKey `json:"newStartingHashKey,omitzero"`  // split
	TargetShardCount   int             `json:"targetShardCount,omitempty"`   // scale
	StartedSec         int64           `json:"startedSec,omitempty"`         // when carrying it out began, epoch seconds; 0 before
}

// ARN returns the stream's ARN, arn:aws:kinesis:<region>:<account>:stream/<name>.
func (s *StreamInfo) ARN() string {
	return kinesis.StreamARN(s.Region, s.Account, s.Name)
}

// Due reports whether the status change in progress, if any, has reached its time, or is a
// reshard that has started and must be finished whatever the clock says.
func (s *StreamInfo) Due(nowMs int64) bool {
	return s.Status != StatusActive && (nowMs >= s.StatusDueMs || s.Reshard != nil && s.Reshard.StartedSec != 0)
}

// Shard returns the shard with the given index, or nil if the stream has none.
func (s *StreamInfo) Shard(index int) *ShardInfo {
	i, found := slices.BinarySearchFunc(s.Shards, index, func(sh ShardInfo, index int) int { return sh.Index - index })
	if !found {
		return nil
	}
	return &s.Shards[i]
}

// OpenShardCount returns the number of shards that are not closed.
func (s *StreamInfo) OpenShardCount() int {
	n := 0
	for i := range s.Shards {
		if !s.Shards[i].Closed {
			n++
		}
	}
	return n
}

// InitialShards returns the shards of a new stream: count shards dividing the hash key space
// evenly (UniformHashKeyRanges), all created at createdSec, with indexes 0 to count-1.
func InitialShards(count int, createdSec int64) []ShardInfo {
	shards := make([]ShardInfo, count)
	for i, r := range kinesis.UniformHashKeyRanges(count) {
		shards[i] = ShardInfo{Index: i, ID: kinesis.ShardID(i), HashKeyRange: r, CreatedSec: createdSec}
	}
	return shards
}

// StartingSequenceNumber returns the shard's StartingSequenceNumber.
func (sh *ShardInfo) StartingSequenceNumber() kinesis.SequenceNumber {
	return kinesis.StartingSequenceNumber(sh.CreatedSec, int32(sh.Index))
}

// EndingSequenceNumber returns the shard's EndingSequenceNumber, and false if it is open
// (an open shard has none).
func (sh *ShardInfo) EndingSequenceNumber() (kinesis.SequenceNumber, bool) {
	if !sh.Closed {
		return kinesis.SequenceNumber{}, false
	}
	return kinesis.EndingSequenceNumber(sh.CreatedSec, int32(sh.Index), sh.ClosedSec), true
}

// ErrInvalidStreamInfo is matched by the error Save returns for a StreamInfo that breaks an
// invariant of the catalog, and wrapped in the *CatalogError of a file that holds one.
var ErrInvalidStreamInfo = errors.New("stream: invalid stream info")

// validate checks the invariants of a stream that the rest of the package relies on.
func (s *StreamInfo) validate() error {
	if err := s.validateStream(); err != nil {
		return fmt.Errorf("%w: stream %q: %w", ErrInvalidStreamInfo, s.Name, err)
	}
	if err := s.validateShards(); err != nil {
		return fmt.Errorf("%w: stream %q: %w", ErrInvalidStreamInfo, s.Name, err)
	}
	return nil
}

func (s *StreamInfo) validateStream() error {
	if err := validStreamName(s.Name); err != nil {
		return err
	}
	switch {
	case !slices.Contains([]StreamStatus{StatusCreating, StatusActive, StatusUpdating, StatusDeleting}, s.Status):
		return fmt.Errorf("unknown status %q", s.Status)
	case s.Status == StatusActive && s.StatusDueMs != 0:
		return fmt.Errorf("ACTIVE with a change due at %d", s.StatusDueMs)
	case s.Reshard != nil && s.Status != StatusUpdating:
		return fmt.Errorf("a %s pending while %s", s.Reshard.Kind, s.Status)
	case s.Mode != ModeProvisioned && s.Mode != ModeOnDemand:
		return fmt.Errorf("unknown stream mode %q", s.Mode)
	case s.Encryption != EncryptionNone && s.Encryption != EncryptionKMS:
		return fmt.Errorf("unknown encryption type %q", s.Encryption)
	case s.RetentionHours < kinesis.MinRetentionHours || s.RetentionHours > kinesis.MaxRetentionHours:
		return fmt.Errorf("retention %d hours outside [%d, %d]", s.RetentionHours, kinesis.MinRetentionHours, kinesis.MaxRetentionHours)
	case s.MaxRecordSizeKiB < kinesis.MinMaxRecordSizeKiB || s.MaxRecordSizeKiB > kinesis.MaxMaxRecordSizeKiB:
		return fmt.Errorf("max record size %d KiB outside [%d, %d]", s.MaxRecordSizeKiB, kinesis.MinMaxRecordSizeKiB, kinesis.MaxMaxRecordSizeKiB)
	}
	if err := s.validateEncryption(); err != nil {
		return err
	}
	if err := s.validateDistribution(); err != nil {
		return err
	}
	if err := s.validateConsumers(); err != nil {
		return err
	}
	if err := s.validateQueues(); err != nil {
		return err
	}
	for i := 1; i < len(s.Tags); i++ {
		if s.Tags[i-1].Key >= s.Tags[i].Key {
			return fmt.Errorf("tags not sorted by key at %q, %q", s.Tags[i-1].Key, s.Tags[i].Key)
		}
	}
	if s.Reshard != nil {
		return s.validateReshard()
	}
	return nil
}

func (s *StreamInfo) validateReshard() error {
	r := s.Reshard
	if r.StartedSec < 0 || r.StartedSec >= kinesis.MaxCreatedSec {
		return fmt.Errorf("a %s started at %d", r.Kind, r.StartedSec)
	}
	switch r.Kind {
	case ReshardSplit:
		if sh := s.Shard(r.ShardIndex); sh == nil || sh.Closed {
			return fmt.Errorf("split of shard %d, which is not an open shard", r.ShardIndex)
		}
	case ReshardMerge:
		a, b := s.Shard(r.ShardIndex), s.Shard(r.AdjacentShardIndex)
		if a == nil || b == nil || a.Closed || b.Closed {
			return fmt.Errorf("merge of shards %d and %d, which are not both open shards", r.ShardIndex, r.AdjacentShardIndex)
		}
	case ReshardScale:
		if r.TargetShardCount < 1 {
			return fmt.Errorf("scale to %d shards", r.TargetShardCount)
		}
	default:
		return fmt.Errorf("unknown reshard kind %q", r.Kind)
	}
	return nil
}

// validateShards checks the shards one by one, then that the open ones cover the hash key
// space exactly once (a stream may have no shards yet while it is CREATING).
func (s *StreamInfo) validateShards() error {
	var open []kinesis.HashKeyRange
	for i := range s.Shards {
		sh := &s.Shards[i]
		if i > 0 && sh.Index <= s.Shards[i-1].Index {
			return fmt.Errorf("shard %d listed after shard %d", sh.Index, s.Shards[i-1].Index)
		}
		if err := s.validateShard(sh); err != nil {
			return fmt.Errorf("shard %d: %w", sh.Index, err)
		}
		if !sh.Closed {
			open = append(open, sh.HashKeyRange)
		}
	}
	if len(open) == 0 {
		if len(s.Shards) > 0 {
			return errors.New("no open shard")
		}
		return nil
	}
	slices.SortFunc(open, func(a, b kinesis.HashKeyRange) int { return a.Start.Compare(b.Start) })
	if open[0].Start != (kinesis.HashKey{}) || open[len(open)-1].End != kinesis.MaxHashKey {
		return fmt.Errorf("open shards cover [%s, %s], not the whole hash key space", open[0].Start, open[len(open)-1].End)
	}
	for i := 1; i < len(open); i++ {
		if !open[i-1].Adjacent(open[i]) {
			return fmt.Errorf("open shards ending at %s and starting at %s overlap or leave a gap", open[i-1].End, open[i].Start)
		}
	}
	return nil
}

func (s *StreamInfo) validateShard(sh *ShardInfo) error {
	switch {
	case sh.Index < 0 || sh.Index >= s.NextShardIndex:
		return fmt.Errorf("index outside [0, %d)", s.NextShardIndex)
	case sh.ID != kinesis.ShardID(sh.Index):
		return fmt.Errorf("id %q, want %q", sh.ID, kinesis.ShardID(sh.Index))
	case sh.HashKeyRange.End.Compare(sh.HashKeyRange.Start) < 0:
		return fmt.Errorf("hash key range [%s, %s] is empty", sh.HashKeyRange.Start, sh.HashKeyRange.End)
	case sh.CreatedSec <= 0 || sh.CreatedSec >= kinesis.MaxCreatedSec:
		return fmt.Errorf("creation time %d outside (0, %d)", sh.CreatedSec, kinesis.MaxCreatedSec)
	case !sh.Closed && (sh.EndOffset != 0 || sh.ClosedSec != 0):
		return fmt.Errorf("open, with end offset %d and close time %d", sh.EndOffset, sh.ClosedSec)
	case sh.Closed && sh.ClosedSec < sh.CreatedSec:
		return fmt.Errorf("closed at %d, before its creation at %d", sh.ClosedSec, sh.CreatedSec)
	case sh.AdjacentParentID != "" && sh.ParentID == "":
		return errors.New("an adjacent parent without a parent")
	}
	for _, id := range []string{sh.ParentID, sh.AdjacentParentID} {
		if id == "" {
			continue
		}
		p, err := kinesis.ParseShardID(id)
		if err != nil || kinesis.ShardID(p) != id || p >= sh.Index {
			return fmt.Errorf("parent %q is not the id of an earlier shard", id)
		}
		if parent := s.Shard(p); parent != nil && parent.CreatedSec >= sh.CreatedSec {
			return fmt.Errorf("created at %d, not after its parent %s (created at %d)", sh.CreatedSec, id, parent.CreatedSec)
		}
	}
	return nil
}

// validStreamName checks a stream name against the API's rule: 1 to 128 characters from
// a-z, A-Z, 0-9, '_', '.', '-'. Catalog files are named after streams, so this also keeps
// names safe as file names.
func validStreamName(name string) error {
	if name == "" || len(name) > kinesis.MaxStreamNameLen {
		return fmt.Errorf("stream name of %d characters, want 1 to %d", len(name), kinesis.MaxStreamNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("stream name %q has a character outside [a-zA-Z0-9_.-]", name)
		}
	}
	return nil
}
