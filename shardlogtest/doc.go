// Package shardlogtest runs a shardlog server inside a Go test: the Kinesis Data Streams
// API on a loopback port over a temporary directory, with a ready AWS SDK for Go v2
// client, and no process to start or stop.
//
//	func TestOrders(t *testing.T) {
//		srv := shardlogtest.New(t, shardlogtest.Options{
//			Streams: []shardlogtest.Stream{{Name: "orders", Shards: 2}},
//		})
//		_, err := srv.Client.PutRecord(ctx, &kinesis.PutRecordInput{
//			StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte("x")})
//		…
//	}
//
// New starts the server over t.TempDir(), creates the streams of Options.Streams, ACTIVE,
// and closes the server when the test ends, checking that what it left on disk is sound.
// Code under test that takes an endpoint gets Server.Endpoint; Server.NewClient makes more
// clients. By default nothing is fsynced, records and metadata alike (the directory is
// thrown away with the test, so a crash loses nothing a test needs), and streams change
// status at once (a stream is ACTIVE when CreateStream returns, gone when DeleteStream
// returns); Options sets the sync policy, the status delays of `shardlog serve` and the
// limits.
//
// # One server for many tests
//
// A server per test costs a few milliseconds. A package whose tests share one can start it
// in TestMain with Start, and call Reset between tests: Reset deletes every stream at once
// and returns when they are gone, so the next test can create streams of the same names.
// A server started as a separate process (`shardlog serve`) has the same reset as POST
// /_shardlog/reset, or `shardlog reset --endpoint URL`.
//
// # Concurrency
//
// A Server and its clients are safe for concurrent use, as the server of `shardlog serve`
// is; Close waits for requests in flight (up to 5 seconds).
package shardlogtest
