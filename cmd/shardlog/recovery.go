package main

import (
	"log/slog"

	"github.com/shardlog/shardlog/stream"
)

// logStart logs the build of the binary, first thing, so that every log names the version
// that wrote it.
func logStart(log *slog.Logger) {
	b := readBuildInfo()
	log.Info("shardlog starting", "version", b.Version, "revision", b.Revision, "vcs_time", b.Time,
		"modified", b.Modified, "go", b.GoVersion)
}

// logRecovery logs what opening the store recovered: at INFO after a clean shutdown, at
// WARN after a crash (each torn tail cut and each quarantined shard has its own line too).
func logRecovery(log *slog.Logger, r stream.Recovery) {
	attrs := []any{"clean", r.Clean, "streams", r.Streams, "shards", r.Shards,
		"segments_scanned", r.ScannedSegments, "bytes_scanned", r.ScannedBytes,
		"torn_tails", r.TornTails, "tail_bytes_cut", r.DroppedBytes, "quarantined", r.Quarantined,
		"took", r.Took}
	if r.Clean {
		log.Info("recovery: the last shutdown was clean", attrs...)
		return
	}
	log.Warn("recovery: the last shutdown was not clean; the logs were scanned and repaired", attrs...)
}
