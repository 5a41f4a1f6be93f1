// Package fuzz holds the fuzz targets for every decoder of bytes that come from disk or from
// the network: segment batches and files, index files, Kinesis requests, event-stream
// messages, and the KPL's aggregated records that `shardlog tail` takes apart. The targets
// drive the packages' exported decoders from outside, the way damaged files and hostile
// clients do, and check two properties: no input makes a decoder panic, hang or allocate
// without bound, and whatever decodes re-encodes to the same bytes (or, for compressed
// batches, to the same records).
//
// Plain `go test ./fuzz` replays the seed corpus only: the f.Add seeds, the golden files of
// segment/testdata, and every input under testdata/fuzz/<Target>/ (crashers found earlier,
// kept as regression tests). It is quick and runs in CI.
//
// To fuzz, run one target at a time:
//
//	go test -run=NONE -fuzz=FuzzSegmentBatch -fuzztime=30s ./fuzz
//
// A failing input is written to testdata/fuzz/<Target>/; fix the decoder and commit the input
// with the fix.
package fuzz
