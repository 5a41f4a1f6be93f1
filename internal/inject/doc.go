// Package inject fails chosen Kinesis operations on purpose, for `shardlog serve --inject`:
// a client's retry code meets the errors it must survive, as often as the test wants, in the
// same order each run of a seed.
//
// A Spec is a list of Rules, each an operation (on every stream, or on one after @), a
// Kinesis error type and the fraction of calls to fail, written as `shardlog serve` takes
// it:
//
//	PutRecords:ProvisionedThroughputExceededException:0.05,GetRecords@orders:InternalFailure:0.01
//
// The operation PutRecords.Records fails records of PutRecords one by one instead of whole
// calls, with the two per-record ErrorCodes AWS uses (ProvisionedThroughputExceededException
// and InternalFailure); the rest of the request is written.
//
//	spec, err := inject.Parse(flagValue)
//	inj := inject.New(spec, seed)
//	if typ := inj.Fail("GetRecords", streamName); typ != "" {
//		// answer the error of type typ, having changed nothing
//	}
//
// Whoever calls Fail words the error (the store names the shard in a throttling message),
// and must call it before the operation changes anything, so that a failed call changes
// nothing.
//
// # Reproducibility
//
// An Injector draws from one PCG generator seeded with the seed, one draw per Fail of an
// operation that has a rule. The same seed and the same sequence of calls give the same
// failures; concurrent clients make the sequence, and so the failures, depend on their
// interleaving. An Injector is safe for concurrent use.
package inject
