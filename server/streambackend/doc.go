// Package streambackend is the one place where the wire API meets the engine: New turns a
// *stream.Store into the server.Backend that package server calls for every operation.
//
// It is a package of its own so that dependencies keep pointing down. Package server
// holds the wire (HTTP, decoding, validation, error rendering) and imports nothing of the
// engine; package stream holds streams and shards and knows nothing of the wire. This
// package imports both and only maps between them: server's input and output structs to
// stream's requests and results and back. It adds no rules and no state of its own.
//
// # Errors
//
// The store's errors are *kinesis.Error values with the Kinesis type name and exact
// message; they are returned as they are, and the server renders them. Anything else the
// store returns (which should not happen) reaches the server as it is too, and the server
// answers it as InternalFailure.
//
// # Hot paths
//
// PutRecords allocates nothing per record: the entries go to the store in a pooled
// request, and the sequence numbers of the answer are rendered into one string that each
// result entry slices. GetRecords passes the server's RecordSink to the store unchanged
// (stream.RecordSink has the same method), so records go from the shard's read to the
// response encoder with nothing in between.
//
// # Usage
//
//	store, err := stream.Open(dir, stream.Options{})
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//	srv := server.New(streambackend.New(store), server.Options{})
//
// # Tests
//
// The tests of this package are the ones of the server over a real store: the AWS SDK for
// Go v2 against stream.Store through server.Server on 127.0.0.1 (lifecycle, records,
// resharding under load, damage on disk), and the loopback benchmarks
// (BenchmarkLoopback_PutRecords, BenchmarkLoopback_GetRecords). Package server's own tests
// use fake Backends and import nothing of the engine.
//
// # Concurrency and lifetime
//
// A Backend from New is safe for concurrent use, as the Store is. It does not own the
// Store: closing the store is its opener's job, after the server has shut down.
package streambackend
