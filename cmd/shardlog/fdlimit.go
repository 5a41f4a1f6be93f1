package main

import "log/slog"

// descriptorReserve returns the descriptors of limit a server keeps for what is not its
// shards' segment files: listeners, client connections, index and manifest files opened for
// a moment, segments mapped for reads. A quarter of the limit, at most 1,024.
func descriptorReserve(limit uint64) uint64 { return min(limit/4, 1024) }

// nearDescriptorLimit reports whether shards, one open segment file each, leave fewer than
// descriptorReserve descriptors of limit for everything else.
func nearDescriptorLimit(shards int, limit uint64) bool {
	return uint64(shards)+descriptorReserve(limit) > limit
}

// warnDescriptors logs a warning when the store's shards come near the process's descriptor
// limit (RLIMIT_NOFILE), where creating streams, resharding or accepting connections would
// start failing with "too many open files", and another when the shard limit (--shard-limit)
// lets one account's streams go past it, so that streams created while the server runs
// would fail so before the limit refuses them. Nothing is logged where the limit is unknown.
func warnDescriptors(log *slog.Logger, shards, shardLimit int) {
	limit, ok := descriptorLimit()
	if !ok {
		return
	}
	if nearDescriptorLimit(shards, limit) {
		log.Warn("descriptors: the shards hold one open file each, near the process's limit; raise it (ulimit -n) before adding shards or connections",
			"shards", shards, "limit", limit, "reserve", descriptorReserve(limit))
	}
	if nearDescriptorLimit(shardLimit, limit) {
		log.Warn("descriptors: --shard-limit allows more shards than the process's descriptor limit leaves room for; raise it (ulimit -n) or lower --shard-limit",
			"shard_limit", shardLimit, "limit", limit, "reserve", descriptorReserve(limit))
	}
}
