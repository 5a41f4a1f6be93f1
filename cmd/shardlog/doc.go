// Command shardlog is a durable local stream server that speaks the Amazon Kinesis Data
// Streams API.
//
// Usage:
//
//	shardlog serve [flags]     run the server (default 127.0.0.1:4567, data in ./shardlog-data)
//	shardlog put [flags]       send lines or arguments as records to a stream
//	shardlog tail [flags]      print a stream's records as they arrive, across reshards
//	shardlog inspect [cmd]     print a segment or index file; verify a data directory
//	shardlog bench [flags]     load-test a Kinesis endpoint and verify what it stored
//	shardlog bench-probe MODE  time a server's start-up or first reads (bench/curve-data.sh)
//	shardlog ping [flags]      exit 0 when a server reports itself ready (GET /health)
//	shardlog reset [flags]     delete every stream of a server at once (POST /_shardlog/reset)
//	shardlog version           print the version, VCS revision and Go version of the build
//
// Every flag of serve has an environment-variable equivalent (SHARDLOG_<FLAG>, upper case,
// dashes as underscores); a flag on the command line wins over the environment.
//
// # Files
//
// Each command has its file: serve.go (with serve_limits.go and security.go for the flags
// that bound requests and guard a non-loopback address), put.go, tail.go, inspect.go and
// bench.go; flags.go reads flags and their environment variables. serve_tls.go and
// tlscert.go serve HTTPS with a given or generated certificate, serve_health.go fills in
// the /health report, ping.go asks for it, reset.go asks for the reset that serve hands to
// the server, serve_streams.go reads --streams and --config and declares their streams
// (stream.Store.Declare), ephemeral.go settles where serve --ephemeral keeps the data it
// does not sync, version.go reads the build information, and
// recovery.go reports what the store's Open recovered. The command holds no rules
// of its own: the server is package server over server/streambackend and stream, inspect
// check is stream.Check and shard.Check, bench is package bench.
//
// put and tail have files beside theirs: put_aggregate.go packs records into KPL aggregates
// for put --aggregate, tail_kpl.go takes them apart for tail (the format is package kpl),
// tail_reconnect.go waits for a server that went away, tail_consumer.go reads with enhanced
// fan-out (SubscribeToShard) for tail --consumer, reach.go tells a server that cannot
// be reached from other errors, and terminal.go tells whether put reads from a terminal.
//
// serve_console.go makes the web console at /console/ (package console) from the --console
// flags, and gives it the server to run its operations through.
package main
