// Package atomicfile replaces small files (catalog entries, shard manifests, index files,
// the iterator secret) so that a crash leaves either the old file or the new one, never a
// mix, and makes creates, renames and removals durable by syncing their directory.
//
// WriteFile writes name.tmp, syncs it, renames it over name and syncs the directory (etcd's
// habit). A name.tmp left behind by a crash (TmpSuffix) is incomplete: its owner removes it
// when it finds one. Remove and SyncDir make a removal, or the entries a caller created
// itself, durable. Every sync goes through internal/durable, which the power-loss tests
// watch.
//
//	if err := atomicfile.WriteFile(filepath.Join(dir, "manifest"), b, 0o644); err != nil {
//		return err
//	}
//
// The functions are safe for concurrent use on different paths; two writers of one path
// must be kept apart by their caller.
package atomicfile
