// Package console is shardlog's web console: a few pages served at /console/ by
// `shardlog serve`, with everything they need embedded in the binary (plain HTML, CSS and
// JavaScript, no build step, nothing loaded from the internet).
//
// # Views
//
//   - Streams: every stream with its status, mode, shards, retention, encryption,
//     monitoring, consumers, bytes on disk and current rates; create and delete.
//   - A stream: its shards as a table, as bands of the 128-bit hash-key space, and as
//     a lineage graph of splits and merges; split, merge, update shard count, retention;
//     what each shard holds (records, bytes, first and last arrival), from Options.Held
//     (held.go).
//   - Live records: a tail of the stream as server-sent events (live.go), through
//     resharding, with KPL aggregates opened into their user records.
//   - Throughput: records/s and bytes/s in and out and the iterator age over the last
//     15 minutes, per stream and per shard, from readings of the counters of /metrics
//     kept in rings (rates.go); beside them each enhanced fan-out consumer's events,
//     records and bytes pushed a second and its MillisBehindLatest (consumers.go).
//
// # One implementation of every rule
//
// The console runs every operation, reads and changes alike, through API.Invoke, which
// *server.Server implements: the request takes the same decoding, validation, admission
// and Backend call as one from an SDK, and the page shows the API's own errors.
//
//	con, err := console.New(console.Options{Counts: store.DefaultCounts})
//	srv := server.New(store, server.Options{Console: con})
//	con.Bind(srv)
//	go con.Sample(ctx)
//
// # Safety
//
// Without a token the console answers only on loopback listeners and only to loopback
// host names; Options.Anywhere serves it elsewhere, and needs Options.Token. Every request
// that may change state carries the page's CSRF token (access.go).
//
// # Concurrency
//
// A Console serves any number of requests at once; each live view reads in its own
// request's goroutine, and the charts' rings are guarded by one mutex.
package console
