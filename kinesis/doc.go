// Package kinesis holds the vocabulary of Amazon Kinesis Data Streams that every layer of
// shardlog above the storage engine speaks: the values a client sends and reads back, the
// errors it is answered with, and the limits AWS sets. It imports nothing of the engine
// (segment, index, shard) nor of the packages built on it (stream, server), so
// that a client-side tool such as bench, or the tail command, can use it alone.
//
// # Vocabulary
//
//   - SequenceNumber: a record's place in its stream, rendered as the 56-digit decimal of
//     AWS's version 2 layout (shard creation second, shard index, the record's offset as
//     the counter, its arrival second), and parsed back with no lookup. Numbers in AWS's
//     older layouts parse into a *LegacySequenceNumberError. The 192-bit arithmetic they
//     need (decimal.go) uses math/bits, not math/big, and allocates nothing.
//   - HashKey and HashKeyRange: points and closed ranges of the 128-bit hash key space
//     that the open shards of a stream divide among themselves. HashPartitionKey is the
//     MD5 of a partition key read as a number; UniformHashKeyRanges is CreateStream's
//     even division.
//   - Shard ids: ShardID renders shardId-000000000000; ParseShardID reads the lenient
//     forms Kinesis accepts (shardId-1, 1).
//   - ARNs: StreamARN builds arn:aws:kinesis:<region>:<account>:stream/<name>, and
//     StreamNameFromARN reads the name back.
//   - Limits and defaults: retention periods (DefaultRetentionHours and its bounds, in
//     hours and as durations), record sizes, tags, name lengths, PutRecords and page
//     sizes, iterator and NextToken lifetimes. They are defined here once; stream,
//     retention, shard, server, bench and cmd name them.
//   - Errors: *Error is a Kinesis error, its Type (the __type a client sees, one of the
//     Type… constants) and Message (AWS's exact words), with an optional cause Err for
//     errors.Is and errors.As that never reaches the client. Status gives the HTTP status
//     of a type from the one table: 400 for client errors, 5xx for server faults. The
//     messages themselves are made where the rule they report is kept: stream for the
//     Store's refusals, server for the protocol's.
//
// Errors from parsing (ErrInvalidSequenceNumber, ErrInvalidHashKey, ErrInvalidShardID, …)
// are Go errors, not answers: the caller turns them into the *Error of the operation at
// hand, whose message quotes the value as the client sent it.
//
// # Example
//
//	h := kinesis.HashPartitionKey([]byte("customer-42"))
//	for i, r := range kinesis.UniformHashKeyRanges(4) {
//		if r.Contains(h) {
//			fmt.Println(kinesis.ShardID(i)) // the shard a 4-shard stream routes the key to
//		}
//	}
//
//	n, err := kinesis.ParseSequenceNumber("49615604846537535747729525809166215807130139976752168962")
//	// n.ShardIndex 0, n.Counter 0, n.ShardCreatedSec 1613588284
//
//	err = &kinesis.Error{Type: kinesis.TypeInvalidArgument, Message: "Invalid ShardIterator."}
//	status := kinesis.Status(kinesis.TypeInvalidArgument) // 400
package kinesis
