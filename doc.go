// Package shardlog is the root of the module and holds no code: it is the tour. shardlog is
// a stream server that speaks the Amazon Kinesis Data Streams API over its own segmented,
// memory-mapped log; the binary is cmd/shardlog.
//
// # Layers
//
// Each concept lives in one package, and dependencies point down these layers: a package
// imports only packages of lower layers, never one beside it or above it.
//
//  0. Leaves: kinesis (the Kinesis vocabulary), retention (the expiry rule),
//     internal/platform, internal/lograte, internal/dirlock, internal/testutil.
//  1. internal/durable (every sync), internal/wire (the wire codec).
//  2. internal/atomicfile, internal/powerloss.
//  3. segment (one log file), index (a segment's sparse index).
//  4. shard (an ordered set of segments).
//  5. stream (streams, shards, iterators, resharding) and server (the wire API), which
//     know nothing of each other.
//  6. server/streambackend (the server's Backend over a stream.Store), bench.
//  7. cmd/shardlog, fuzz.
//
// The README's package table says what each package holds and may import; the test of
// this package (layers_test.go) holds the same table and fails when an import points
// up or sideways, when a package is missing from the table, or when the README's table
// says otherwise.
package shardlog
