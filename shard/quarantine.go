package shard

import (
	"errors"

	"github.com/shardlog/shardlog/segment"
)

// Quarantine returns a Shard for dir that Open refused because of damage (err: a
// *segment.CorruptionError, ErrMissingSegment, ErrMissingManifest, ErrMissingShard, or an
// error of the caller's that wraps one). It opens no file and holds no record: Append,
// Write, Read, OffsetAt and Seal return err itself, so that the owner of many shards can
// go on serving the others while this one answers every request with what is wrong with
// it; FirstOffset and NextOffset are 0, DeleteExpired deletes nothing, and Close writes
// nothing. Its files are left exactly as they are, for a person (and `shardlog inspect
// check`) to look at; the next Open, once they are repaired or restored, recovers the
// shard as usual.
func Quarantine(dir string, err error) *Shard {
	s := &Shard{dir: dir, opts: Options{}.withDefaults(), damaged: err}
	s.scond.L = &s.smu
	return s
}

// IsDamage reports whether err, from Open, is damage to the shard's files, which
// Quarantine is for, rather than a failure of the system (permissions, I/O, a full disk) or
// a segment of a newer format (segment.ErrBadVersion), which this build must not serve.
func IsDamage(err error) bool {
	for _, target := range []error{segment.ErrCorrupt, segment.ErrBadMagic, segment.ErrShortHeader,
		ErrMissingSegment, ErrMissingManifest, ErrMissingShard} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// Damaged returns the error Quarantine gave the shard, or nil for a shard that Open opened.
func (s *Shard) Damaged() error { return s.damaged }
