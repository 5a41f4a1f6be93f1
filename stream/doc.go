// Package stream holds Kinesis streams and their shards above the storage engine: the
// catalog of streams on disk, hash-key routing, shard iterators, and the rules of
// resharding and of the stream state machine. The values it speaks in (sequence numbers,
// hash keys, shard ids, ARNs, limits, the Kinesis error type) are package kinesis's.
//
// # Vocabulary
//
// A stream is known by its name, and by an incarnation that tells apart streams that had
// the same name: a deleted and recreated stream is a new incarnation, and nothing issued
// for the old one (iterators, sequence numbers) is accepted by the new one. Its shards
// have indexes 0, 1, 2, … allocated in order and never reused, ids shardId-000000000000
// (kinesis.ShardID), and each owns a kinesis.HashKeyRange of the 128-bit hash key space;
// the open shards cover that space exactly once. A record's hash key is its ExplicitHashKey
// or the MD5 of its partition key (kinesis.HashPartitionKey), and a Router maps it to the
// open shard that owns it.
//
// Inside a shard, a record's position is its Offset (dense, from 0). At the API edge that
// offset is rendered as a kinesis.SequenceNumber in the 56-digit layout AWS uses, which also
// carries the shard's index and creation second and the record's arrival second, so a
// sequence number parses back to (shard, offset) with no lookup. A ShardIterator is an
// Iterator (stream, incarnation, shard, offset, issue time) sealed with AES-GCM by the
// IteratorKey kept in <data dir>/secret.
//
// The Catalog keeps one StreamInfo per stream in <data dir>/catalog/<name>.json: status,
// retention, tags, settings and every shard with its hash range, lineage and, once closed,
// its end offset. Errors that a client must see as Kinesis errors are *kinesis.Error values
// with the exact AWS message, made by the constructors of errors.go (streamNotFound,
// expiredIterator, …), the one place the store words its refusals.
//
// A Store puts it all together over a data directory: the catalog, one shard.Shard log per
// shard in streams/<name>-<incarnation>/<shard id>/, and the iterator secret. Its methods
// are the Kinesis operations, in Go terms; package server/streambackend adapts them to the
// wire (package server). The account-level settings (AccountSettings) live beside the
// catalog, in <data dir>/account-settings.json (account.go).
//
// A Store holds the streams of one account in one region (Options.Account and
// Options.Region, named in every ARN and message). A server that keeps accounts and regions
// apart, as AWS does, opens one Store per account and region, each over a data directory
// of its own: the default account and region at the root, and every other in
// <data dir>/accounts/<account>/<region>/ (ScopeDirOf, ScopeDirs; scope.go), a whole data
// directory with its own catalog, iterator key, account settings and lock. The root Store
// leaves accounts/ to them, and Check walks each of them after the root.
//
// # Usage
//
//	s, err := stream.Open(dataDir, stream.Options{CreateDelay: 500 * time.Millisecond})
//	defer s.Close()
//	err = s.CreateStream("orders", stream.StreamConfig{ShardCount: 4})
//	results, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: "orders",
//		Entries: []stream.PutEntry{{PartitionKey: "customer-42", Data: data}}}, nil)
//	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "orders",
//		ShardID: results[0].ShardID, Type: stream.TrimHorizon})
//	res, err := s.GetRecords(&stream.GetRecordsRequest{ShardIterator: it}, sink) // sink.Record(seq, ms, key, data)
//	it = res.NextShardIterator
//	err = s.WaitForRecords(ctx, it) // a pusher that has caught up waits for the next durable put
//
// The parts underneath can be used alone:
//
//	cat, err := stream.OpenCatalog(dataDir)
//	streams, err := cat.Load()                         // at start-up; fails on any damaged file
//	info := stream.StreamInfo{Name: "orders", …, Shards: stream.InitialShards(4, nowSec), NextShardIndex: 4}
//	err = cat.Save(&info)                              // atomic and durable
//
//	router := stream.NewRouter(info.Shards)
//	shard := router.Route(kinesis.HashPartitionKey(partitionKey))
//	seq := kinesis.SequenceNumber{ShardCreatedSec: sh.CreatedSec, ShardIndex: int32(shard), Counter: offset, TimeSec: arrivalSec}
//	out = seq.AppendDecimal(out)
//
//	keys, err := stream.OpenIteratorKey(dataDir)
//	s := keys.Seal(stream.Iterator{Stream: "orders", Incarnation: info.Incarnation, ShardIndex: shard, Offset: offset, IssuedMs: nowMs})
//	it, err := keys.Open(s, nowMs)                     // *kinesis.Error: Invalid ShardIterator. or ExpiredIteratorException
//
// # Concurrency and durability
//
// A Store is safe for concurrent use. Reads and writes of records take no lock of the
// store: each stream's state is an immutable view that changes replace, and only changes
// of one stream (catalog writes, status changes) wait for each other. PutRecords returns
// once its records are durable under the shards' sync policy (shard.Options.Sync); a
// change of a stream returns once its catalog file is replaced. A PutRecords whose data
// comes as base64 text (PutRecordsRequest.Base64) decodes every record into its shard's
// batch (a segment.Section) before it appends any, so that a record that does not decode
// fails the request with nothing written. Close closes every shard
// cleanly, so that the next Open scans nothing.
//
// SequenceNumber, HashKey, HashKeyRange, Iterator and StreamInfo are values; a Router and
// an IteratorKey are safe for concurrent use. Catalog.Save writes a temporary file, syncs
// it, renames it over the stream's file and syncs the directory, so a stream's file is the
// old or the new version after a crash, and the new one once Save returns; Save and Remove
// of one stream must not run concurrently. OpenCatalog removes the temporary files a crash
// left behind. The iterator key is created the same way on first use, so iterators stay
// valid across restarts.
//
// An Ephemeral store (Options.Ephemeral) makes none of these promises: it syncs nothing
// under its data directory, which a crash may leave in any state. It is for directories
// thrown away with the store, such as a test server's, where the syncs of creating and
// deleting streams would be most of the time a test spends.
//
// One Store at a time owns a data directory: Open locks it (flock on <data dir>/LOCK, which
// also holds the owner's pid) before it reads or writes anything else there, and Close
// unlocks it. A second Open, in the same process or another, fails at once with ErrLocked
// and touches nothing. The Store's shards live beneath the locked directory and take no lock
// of their own; see package shard.
//
// # Status changes
//
// Kinesis status changes take time (CREATING, UPDATING and DELETING each last a while). A
// StreamInfo records when its change completes (StatusDueMs): no timers, and a restart in
// the middle of a change completes it. Once a change is due (StreamInfo.Due) it is carried
// out by the Store's maintenance loop, which sweeps every second, or by the first
// control-plane call about the stream (DescribeStream, ListShards, a change), which
// therefore answers the new status at once. The data plane (PutRecords, PutRecord,
// GetShardIterator, GetRecords) never carries out a change and takes no lock of the stream:
// it answers as of the status the stream has now. A stream whose DELETING is due is gone;
// one whose UPDATING is due is served by its parents until the reshard is carried out, as on
// AWS; one whose CREATING is due is ACTIVE, and since its shards are made when that change
// is carried out, the call has the maintenance loop sweep at once and waits for it.
//
// Two calls outside the Kinesis API skip the delays, for servers that tests drive: Declare
// (declare.go) creates a stream declared at start ACTIVE at once, or reports how the one
// on disk differs from its declaration; DeleteAllStreams (reset.go) deletes every stream
// with its change due at once, and returns when they are gone.
//
// # Consumers
//
// A stream's enhanced fan-out consumers live in its StreamInfo (Consumers), with their tags;
// their resource policies are in its Policies under their ARNs. RegisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers and DeregisterStreamConsumer are the
// operations; a consumer's CREATING and DELETING end lazily, like a stream's status changes
// (consumers.go). ActiveConsumer is what SubscribeToShard uses: it finds an ACTIVE consumer
// by its ARN, with a channel closed when the consumer is deregistered, its stream deleted,
// or the store closed.
//
// # Queues
//
// A stream's queues live in its StreamInfo (Queues): name (unique in the Store), a random
// resource id for the ARN, status, starting position, attributes and tags; its resource
// policy is in the stream's Policies under its ARN, and goes with it. CreateQueue,
// DescribeQueue, ListQueues, UpdateQueue and DeleteQueue are the operations; a queue's
// CREATING, UPDATING and DELETING end lazily (queues.go). A stream with queues cannot be
// deleted nor switched to PROVISIONED. The delivery of a queue's records
// (ReceiveQueueRecords, QueueRecords) reads them from the shard logs each time; what a queue
// keeps is a cursor per shard and an entry per record received and not acknowledged (at most
// kinesis.MaxQueueInFlight), written with a checksum to <stream dir>/queues/<id> before every
// answer that changes it, so acknowledgements, receive counts, dead letters and records in
// flight survive a restart, and a damaged file is an InternalFailure (queuedelivery.go).
//
// # Damage
//
// Open never drops what it cannot account for. A deleted stream's directory is marked
// (DeletedMarkerName, durably) before its catalog file is removed, so Open removes a
// directory only when it carries that mark; a stream directory without a catalog file and
// without the mark (the catalog file was lost) is kept and logged at WARN with its path and
// size, and so is anything else in the data directory or in streams/ that is not shardlog's.
// The shards the catalog lists were created before the catalog named them, so they are
// opened with shard.Options.MustExist: a missing shard directory, manifest or segment, or a
// damaged batch that is not a torn tail, is damage, never an empty or shortened shard. The
// damaged shard is quarantined (shard.Quarantine): logged at ERROR with the file, its files
// left as they are, its reads and writes answered with a DamagedShardError (an
// InternalFailure naming the shard, the file and the position), while the stream and every
// other shard are served. shard.Options.Logger is the store's Logger, so recovery's repairs
// (a torn tail cut, an index rebuilt) are logged there. Store.Recovery sums them up for
// the whole of Open: whether every shard had been closed cleanly, the segments and bytes
// scanned, the torn tails cut and their bytes, the quarantined shards, and the time.
//
// Check walks a data directory read-only, as Open would find it (the catalog, the secret,
// every stream directory and every shard through shard.Check), and returns every problem
// with its evidence (Problem: file, byte position, reason), damage apart from notes.
// `shardlog inspect check` prints it, and every test that opens a store runs it at cleanup.
//
// # Retention
//
// Every RetentionInterval the Store's maintenance loop deletes the segments whose records
// have all expired (shard.DeleteExpired, applying the one expiry rule of package retention), and drops the closed shards whose records have all expired: from
// listings, then from disk. Reads never return an expired record in between.
//
// # Resharding
//
// SplitShard, MergeShards and UpdateShardCount record the change as the stream's pending
// Reshard and make it UPDATING; the parents take writes until it is carried out, when
// UPDATING ends. Every reshard is a sequence of splits and merges (UpdateShardCount goes
// through intermediate shards when it must, as AWS does), so each new shard names its one
// split parent, or its two merged parents, and GetRecords at the end of a closed shard lists
// exactly the shards that name it. Children are created the second after their parents
// close, so their sequence numbers sort after every number of their parents. Carrying out
// a reshard seals the parents' logs, makes the children's, and then closes the parents and
// adds the children in one catalog write; a reshard cut short by a crash is finished the
// same way by the next Open (see reshard.go).
//
// # Throughput limits and faults
//
// A Gate in Options (`shardlog serve --limits aws`, `--inject`) is asked before the records
// of a shard are written, before GetRecords reads it and before an iterator is issued,
// where the store knows the shard (gate.go): what it refuses fails with the shard named,
// a PutRecords record at a time, and nothing of it is written. MaxStreamsChanging bounds the
// streams CREATING or DELETING at once, as AWS does. Both are off by default.
package stream
