// Package wire is the wire codec of the Kinesis API: awsJson 1.1 and the CBOR
// variant (application/x-amz-cbor-1.1) in and out, with no knowledge of the
// operations. Package server holds the model around it: the operation table,
// the shapes, the type checks with coral's SerializationException texts, the
// constraint validation and the error rendering. The load generator (bench)
// reads answers with the same scanner.
//
// # Vocabulary
//
//   - Scanner: a pull scanner over one JSON document. The PutRecords fast
//     decoder, the general parser and bench's answer readers all read JSON
//     with it. Strings come out as slices of the body.
//   - Tree: what a request body parses into, JSON or CBOR alike: Object
//     (members in arrival order, a repeated key taking its last value), Number
//     (a number's text), []byte (a CBOR byte string), EpochMillis (a CBOR tag-1
//     timestamp), []any (ending in a MoreElements when the parser only counted
//     the rest), string, bool and nil.
//   - Shape: what the parser needs of a model shape (kind, members by wire
//     name, list element, map value, and the checks of a scalar). server's
//     shapes carry one each, built by their constructors.
//   - Bounds: what one parse may keep and spend (the tree's bytes, granted by
//     the server's in-flight budget as the tree grows), and the steps it took.
//   - Encoders: AppendString (JSON text of a string or a byte slice, one
//     routine), AppendEpochMillis, the AppendCBOR… writers, AppendOutputJSON
//     and AppendOutputCBOR (a reflective encoder over output structs), and the
//     GetRecords record encoders JSONRecords and CBORRecords.
//
// # Usage
//
//	bounds := wire.Bounds{MaxMessages: 10, MaxRendered: 1000}
//	tree, ok := wire.ParseJSON(body, shape, &bounds) // or ParseCBOR
//	if !ok {
//		return serializationError("") // not one object, or no room for its tree
//	}
//	// type-check tree against the model, validate, assign …
//
//	s := wire.NewScanner(answer)
//	s.Object(func(key []byte) bool {
//		if string(key) == "ShardIterator" {
//			iterator = s.String()
//			return true
//		}
//		return s.Skip()
//	})
//	err := s.End()
//
// # Bounded work
//
// Parsing is one pass over the body: members the shape does not have are
// checked and dropped, repeated keys are found by a sort, a list stops keeping
// elements once the type check must reject one, and elements past what the
// validation messages can count or render are only counted (Bounds). The tree
// costs a small multiple of the body at worst, and every byte of it is counted
// in Bounds, which asks for more as it grows and stops the parse when refused.
// server's FuzzParse_Bounded, BenchmarkDecode_Worst and fuzz.FuzzRequestDecode
// hold the parsers to linear steps and bytes.
//
// # CBOR
//
// The AWS SDK for Java v2 writes CBOR with Jackson's CBORGenerator
// (software.amazon.awssdk.protocols.cbor.internal.SdkCborGenerator):
// structures as indefinite-length maps, lists as indefinite-length arrays,
// strings as definite text strings (cut into chunks of an indefinite-length
// string only past Jackson's long-string limit), blobs as definite byte
// strings, and timestamps as tag 1 around an integer of epoch milliseconds
// (writeTag(1); writeNumber(instant.toEpochMilli())), where RFC 8949 says
// seconds. The decoder reads all of these, and the encoders write blobs as
// byte strings and timestamps as tag 1 around milliseconds.
//
// The codec is written here rather than taken from github.com/fxamacker/cbor/v2
// (which the tests use as an independent encoder and decoder). Measured with
//
//	go test -run=NONE -bench=CBOR -benchtime=500ms -count=6 ./internal/wire
//
// on 2 cores shared with other work, so the times are medians with wide
// spreads (benchstat's ± ran from 30% to 280%); the bytes are exact. A
// PutRecords body of 500 records (70 KB with 100-byte records, 530 KB with
// 1 KiB ones) is decoded into the tree by ParseCBOR, or by fxamacker into any
// or into a typed struct; a GetRecords answer of 1000 records is encoded by
// CBORRecords, or by fxamacker from a struct per record:
//
//	                                        time/op   bytes/op   allocs/op
//	decode 500 × 100 B   wire               541 µs    162 KiB       5525
//	                     fxamacker any     6.06 ms    293 KiB       6013
//	                     fxamacker struct   453 µs     94 KiB       1004
//	decode 500 × 1 KiB   wire              3.20 ms    162 KiB       5525
//	                     fxamacker any     4.99 ms    738 KiB       6013
//	                     fxamacker struct  6.53 ms    539 KiB       1004
//	encode 1000 × 100 B  wire              41.6 µs      115 B          1
//	                     fxamacker          943 µs    313 KiB       4001
//	encode 1000 × 1 KiB  wire              65.5 µs      732 B          1
//	                     fxamacker         1.19 ms    384 KiB       4001
//
// A second run of the same command put the decoders at 702 µs, 1.78 ms and
// 258 µs (100 B) and 441 µs, 4.44 ms and 1.95 ms (1 KiB), and the encoders at
// 36 µs against 607 µs and 59 µs against 1.49 ms: the order holds, the
// spread is the machine's.
//
// fxamacker into a typed struct decodes small records faster, and copies
// every blob (1 byte allocated per body byte at 1 KiB, against 0.3 for
// ParseCBOR, whose blobs stay in the body). Above all a struct cannot carry
// what the server must answer: coral's type-check messages need the value as it
// came (a number where a string belongs, a list where a map does), and
// fxamacker reads tag 1 as seconds (it will not register tag 1 for another
// type), where the Java SDKs send milliseconds. Into any, which would keep
// what the type check needs, it is slower than the shape-driven decoder and
// allocates 1.8 to 4.6 times the bytes (maps of every member, copies of every
// blob), where ParseCBOR keeps only what the shape can use and counts its
// tree against the request's budget; fxamacker's limits (MaxArrayElements,
// MaxMapPairs) bound counts, not bytes. On the encoding side, CBORRecords
// writes each record into the answer as the Backend hands it over, without a
// struct per record, about 20 times faster, with one allocation (the encoder). So the
// hand-written codec matters on both hot CBOR paths, and stays.
//
// # Concurrency
//
// The functions are safe for concurrent use. A Scanner, a Bounds and a
// records encoder belong to one goroutine. Trees and scanned strings alias
// the body they came from.
package wire
