// Package b64 decodes standard base64, the form in which Kinesis requests carry record
// data, strictly and fast. The server's PutRecords decoder uses it while it scans a body
// (DecodeInto), and the store when it decodes PutRecords data straight into the batches it
// writes (Len to size the place of each record, Decode to fill it).
//
// Strict means what encoding/base64's StdEncoding.Strict() accepts without skipping a byte:
// whole quanta of four characters, '=' only as the last one or two, zero padding bits, and
// no line breaks (which the standard decoder skips). Text that is not the canonical
// encoding of some bytes is refused, so that the server can answer it with the
// SerializationException AWS gives.
package b64
