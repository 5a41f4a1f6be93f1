package shard

import "errors"

// Errors of the shard's lifecycle.
var (
	// ErrClosed is returned by every method that touches the log after Close.
	ErrClosed = errors.New("shard: closed")
	// ErrSealed is returned by Append on a shard that Seal closed to appends for good.
	ErrSealed = errors.New("shard: sealed")
	// ErrSyncPolicy is returned by ParseSyncPolicy and Open for a policy that does not exist.
	ErrSyncPolicy = errors.New("shard: unknown sync policy")
)

// Errors of Append.
var (
	// ErrEmptyBatch is returned by Append when it is given no records.
	ErrEmptyBatch = errors.New("shard: empty batch")
	// ErrSyncFailed wraps the error of a failed fdatasync. After it the shard refuses appends
	// until it is closed and opened again: once a sync has failed, the kernel may have dropped
	// the dirty pages, and only a recovery scan can tell what is on disk.
	ErrSyncFailed = errors.New("shard: sync failed")
)

// Errors of Open.
var (
	// ErrMissingSegment is returned by Open when the manifest lists a segment file that is not
	// in the directory: acknowledged records are gone, and the shard will not paper over it.
	ErrMissingSegment = errors.New("shard: segment file missing")
	// ErrMissingShard is returned by Open with Options.MustExist when the shard directory
	// does not exist: a shard that was created has lost all its files.
	ErrMissingShard = errors.New("shard: shard directory missing")
	// ErrMissingManifest is returned by Open with Options.MustExist when the shard directory
	// has no manifest: every shard writes one when it is created, so it was lost.
	ErrMissingManifest = errors.New("shard: manifest missing")
)
