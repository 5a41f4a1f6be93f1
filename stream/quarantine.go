package stream

import (
	"fmt"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/shard"
)

// DamagedShardError is the answer of every read and write of a shard whose files Open found
// damaged (a batch that fails its checks and is not a torn tail, a missing segment, manifest
// or shard directory). The store quarantines such a shard (shard.Quarantine) and serves the
// others; the server sends this error as an InternalFailure whose message names the stream,
// the shard and the damage, file and position included. The shard's files are left as they
// are; once they are repaired or restored, the next Open serves the shard again.
type DamagedShardError struct {
	Stream  string
	ShardID string
	Err     error // the error of shard.Open
}

// Error names the stream, the shard and the damage.
func (e *DamagedShardError) Error() string {
	return fmt.Sprintf("shard %s of stream %s is damaged and out of service until its files are repaired: %v",
		e.ShardID, e.Stream, e.Err)
}

// ErrorType is the Kinesis error type the server answers with.
func (e *DamagedShardError) ErrorType() string { return kinesis.TypeInternalFailure }

// Unwrap returns the error of shard.Open.
func (e *DamagedShardError) Unwrap() error { return e.Err }

// quarantine returns a quarantined log for a shard of info that shard.Open refused with
// the damage err, and logs it.
func (s *Store) quarantine(info *StreamInfo, sh *ShardInfo, dir string, err error) *shard.Shard {
	s.log.Error("stream: shard quarantined: its files are damaged; its reads and writes fail until they are repaired "+
		"(shardlog inspect check shows the damage)", "stream", info.Name, "shard", sh.ID, "dir", dir, "error", err)
	return shard.Quarantine(dir, &DamagedShardError{Stream: info.Name, ShardID: sh.ID, Err: err})
}
