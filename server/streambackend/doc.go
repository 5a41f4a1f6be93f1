// Package streambackend is the one place where the wire API meets the engine: New turns a
// *stream.Store into the server.Backend that package server calls for every operation.
//
// # Accounts and regions
//
// A Store holds the streams of one account in one region. Open returns a Scoped, the
// Backend of a data directory that serves every account and region: each request runs on
// the Store of its account and region (server.ScopeFrom: the region of its SigV4
// credential scope, and its access key id when that is a 12-digit account id), the default
// one at the root of the data directory, every other in accounts/<account>/<region>/
// beneath it (stream.ScopeDirOf), opened at Open when it is on disk and made on its first
// request otherwise. Streams, ARNs, messages, iterators, limits and account settings are
// therefore each account's in each region, as on AWS; a StreamARN of another account or
// region names no stream (CheckStreamARN).
//
// It is a package of its own so that dependencies keep pointing down. Package server
// holds the wire (HTTP, decoding, validation, error rendering) and imports nothing of the
// engine; package stream holds streams and shards and knows nothing of the wire. This
// package imports both and only maps between them: server's input and output structs to
// stream's requests and results and back. It adds no rules of its own, and no state but the
// Stores a Scoped keeps and the subscriptions under way of each Store.
//
// # Subscriptions
//
// SubscribeToShard (subscribe.go) joins the store's parts: ActiveConsumer for the consumer
// and the channel that says it went away, GetShardIterator for the starting position (both
// before the stream starts, so that their errors are ordinary answers), then GetRecords
// into the server's event sink and WaitForRecords between reads, so that records are pushed
// as they become durable and nothing is polled. The one rule of its own is AWS's takeover
// rule: a registry of the subscriptions under way, by consumer and shard, refuses a second
// subscription within 5 s of the first (on the store's clock) and lets a later one take over.
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
// or, for every account and region:
//
//	b, err := streambackend.Open(dir, stream.Options{Account: "000000000000", Region: "us-east-1"})
//	if err != nil {
//		return err
//	}
//	defer b.Close()
//	srv := server.New(b, server.Options{})
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
// Store: closing the store is its opener's job, after the server has shut down. A Scoped
// owns its Stores, and its Close, after the server has shut down, closes them all.
package streambackend
