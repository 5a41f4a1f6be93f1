// Package server speaks the Amazon Kinesis Data Streams API: awsJson 1.1 (and
// the CBOR variant the Java SDKs use) over HTTP/1.1 and plain-text HTTP/2 on one
// port, so that AWS SDKs, the AWS CLI and the KCL work against shardlog unchanged.
//
// The server owns the wire: headers, request order, decoding, type checks,
// validation, error rendering and the response encoding. It owns no state.
// Every operation ends in a call to a Backend: package server/streambackend
// implements it over a stream.Store, and tests implement it with fakes. The
// server imports nothing of the storage engine (stream, shard, segment, index);
// streambackend is the one package that imports both sides.
//
// # Vocabulary
//
//   - Operation: one X-Amz-Target name, e.g. Kinesis_20131202.PutRecords.
//   - Input and output: the Go structs of api.go, with the model's member names.
//   - Shape: the model's description of a member (type and constraints), which
//     decides the exact SerializationException and ValidationException texts.
//   - Backend: the stateful part; its typed errors reach the client as they are.
//   - RecordSink: how GetRecords hands records to the response encoder while
//     their bytes are valid.
//
// # Usage
//
//	srv := server.New(backend, server.Options{})
//	ln, err := net.Listen("tcp", "127.0.0.1:4567")
//	if err != nil {
//		return err
//	}
//	go srv.Serve(ln) // HTTP/1.1 and h2c on the same port
//	…
//	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
//	defer cancel()
//	err = srv.Shutdown(ctx) // waits for in-flight requests
//
// ServeTLS serves HTTPS on a listener, HTTP/2 or HTTP/1.1 by ALPN, for the KPL
// and clients configured for TLS; it can run beside Serve on another port.
// Server is also an http.Handler, for tests (httptest) or an http.Server of your
// own. GET /health answers, unauthenticated, the report of Options.Health
// (health.go).
//
// # Security
//
// By default the server trusts whoever reaches it: any complete signature
// passes, as with kinesalite, and no web page may call it, because no origin
// gets CORS headers. Options.Credentials turns on SigV4 verification against
// static keys; Options.CORSOrigins names the browser origins allowed to call.
//
// # Requests and errors
//
// A request goes through the order of KINESIS-API.md §1.6, which decides which
// error a malformed request gets: size cap (413), request ids, CORS, method
// (403 XML), content type, empty body, parse, legacy application/json (404),
// unknown operation, SigV4 (a complete signature is required; it is verified
// only when Options.Credentials lists keys, see auth.go),
// type checks (SerializationException, coral's messages), constraints
// (ValidationException, "N validation errors detected: …", at most 10), then the
// Backend. Errors are *kinesis.Error values, rendered as
// {"__type":"…","message":"…"} with an x-amzn-ErrorType header and the status
// of kinesis.Status: every client error is 400, InternalFailure 500 (the table
// and the type names are package kinesis's; the rendering is errors.go). A
// Backend may return a *kinesis.Error, wrapped or not, or any error with an
// ErrorType method, whose Error text becomes the message. One that has neither
// is logged (the first of a kind at once, repeats once per 10 s with their count)
// and answered as InternalFailure with no message; streambackend's own
// InternalFailures (a full disk, a damaged batch) carry a message that says what
// failed.
//
// The server handles the rules that need no state: StreamName is filled from
// StreamARN (and the two must agree), ListShards needs NextToken or a stream but
// not both, and a PutRecords request must stay under Options.MaxPutRecordsBytes.
// A Backend that implements StreamARNChecker is asked about every StreamARN, so
// that one of another partition, region or account names none of its streams.
// The account and region a request acts in come from its SigV4 credential scope
// (ScopeFrom: the region, and the access key id when it is a 12-digit account
// id); a Backend that keeps accounts and regions apart reads them there.
// Everything else (unknown streams, shard ids, iterators, sequence numbers,
// retention bounds, hash key ranges, DryRun) is the Backend's.
//
// SubscribeToShard is offered only by a Backend that implements
// ShardSubscriber; it answers with an AWS event stream (subscribe.go, framed
// by internal/eventstream), each event flushed as the Backend sends it, over
// HTTP/1.1 chunked or h2c. A stream lasts Options.SubscriptionLifetime at
// most, and Shutdown ends every stream.
//
// # Where the references are silent
//
// Some answers are not pinned down by AWS's documentation or kinesalite's
// tests; the server chooses:
//
//   - a stream-scoped request with neither StreamName nor StreamARN fails
//     validation with "Value null at 'streamName' … Member must not be null",
//     as when the model required StreamName, counted with the other errors;
//   - a StreamARN that names another stream than StreamName is an
//     InvalidArgumentException "StreamARN <arn> does not match StreamName <name>.";
//   - a body over the cap gets 413 with a RequestEntityTooLargeException body
//     that states the limit (kinesalite sends no body), and on HTTP/1.1 the
//     rest of the body, up to twice the cap, is read and thrown away before
//     the connection closes, so that a client that sends its whole body before
//     it reads gets the answer and not a reset;
//   - a null element of a list is "Value null at '<list>.<n>.member'";
//   - a validation message renders at most the first 1000 elements of a list,
//     then "... <n> more" (no model list allows more than 500);
//   - a body that stalls or trickles is answered 408 RequestTimeoutException,
//     and a request that finds no room in the in-flight budget 503
//     ServiceUnavailable (see Bounded work per request);
//   - operations of the model that this server does not serve (the Channel
//     operations; SubscribeToShard for a Backend that is no
//     ShardSubscriber) answer
//     UnknownOperationException "<operation> is not supported by shardlog",
//     where AWS would carry them out; a name the model does not have gets
//     AWS's bare UnknownOperationException;
//   - a NextToken sent with a StreamARN (and no StreamName) is refused with
//     "NextToken and StreamARN cannot be provided together.", the words AWS
//     uses for StreamName, naming the member the client sent.
//
// # CBOR
//
// application/x-amz-cbor-1.1, which the Java SDKs and the KCL send by default,
// is decoded by package internal/wire into the same tree as JSON, so it gets
// the same type checks, validation and errors; blobs are byte strings and
// timestamps tag 1 around epoch milliseconds, in both directions, as the Java
// SDK v2 writes them (TestCBOR_JavaSDK sends them so). Responses and errors to
// CBOR requests are CBOR maps. The codec is wire's own, not a general CBOR
// library: internal/wire's doc.go gives the measurements. The focused
// PutRecords decoder is JSON only.
//
// # Hot paths
//
// The wire codec is package internal/wire; the server holds the Kinesis model
// around it: the shapes (which carry the wire.Shape the parsers read against),
// the type checks, validation and error rendering. PutRecords and PutRecord
// bodies are read by a focused decoder (putrecords.go) on wire's pull scanner,
// which decodes base64 straight into a reused arena and keeps all keys in one
// string; it declines anything unusual, which the general path then decides,
// so both paths accept the same requests with the same errors. For a Backend
// that decodes data itself (Base64Putter, which server/streambackend is), the
// focused decoder leaves each PutRecords record's Data as its base64 text,
// checking its length and that it has no escape, and the store decodes it
// straight into the batch it writes, so that the bytes are written once; a
// request that then fails for any reason is decoded again by the general path,
// whose error wins (a Data that is not base64 is a SerializationException
// before anything else, as on AWS), and nothing of it is written. PutRecords
// outputs and GetRecords outputs are written directly into a pooled buffer;
// GetRecords encodes each record (wire.JSONRecords, wire.CBORRecords) as the
// Backend passes it to the RecordSink, and once the answer passes 256 KiB it
// goes out in pieces (chunked on HTTP/1.1, data frames on h2c), so that an
// answer never sits in memory whole.
//
// # Bounded work per request
//
// Everything a request costs before it is authenticated is bounded by its
// size, and what all requests hold at once by one budget:
//
//   - a body is read into a buffer that grows with what arrives (64 KiB
//     first, then doubling), never to the length the client declares;
//   - it must keep arriving: no pause longer than Options.BodyReadTimeout
//     (10 s) and, after that, at least Options.MinBodyBytesPerSecond (64 KiB/s)
//     on average; otherwise the client gets 408 RequestTimeoutException (which
//     the SDKs retry) and the connection is closed, or the h2c stream ended;
//   - the body's bytes as they arrive, what decoding it needs (one byte per
//     byte for the focused PutRecords decoder, which covers the decoded data
//     wherever it is decoded, four for the general path, more
//     as a hostile tree grows: wire.Bounds asks for it) are counted against
//     Options.MaxInFlightBytes (256 MiB) for HTTP/1.1 and h2c alike; a request that finds no room within
//     Options.InFlightWait (2 s) gets 503 ServiceUnavailable, which every AWS
//     SDK retries with backoff by its status alone, and which AWS itself
//     answers when it is overloaded;
//   - once its body is whole, a PutRecord or PutRecords request waits for one
//     of Options.MaxWritesInFlight slots (64 per GOMAXPROCS) before it is
//     decoded, and gives it back once its answer is built (writeadmission.go),
//     so that many writers share the CPU as a bounded number of writes rather
//     than a convoy on the shards' locks;
//   - parsing is one pass in the body's size (repeated keys are found by a
//     sort), keeps only what the operation's shape can use, and holds its tree
//     and checked values to about 21 bytes per body byte at worst
//     (BenchmarkDecode_Worst; a normal PutRecords takes 2 through the general
//     path). FuzzParse_Bounded and fuzz.FuzzRequestDecode hold the decoders to
//     linear steps and bytes.
//
// # Concurrency and lifetime
//
// A Server is safe for concurrent use; so must its Backend be. Slices in inputs
// (PutRecords' Records, record Data) are valid until the Backend method
// returns; strings may be kept. Shutdown stops accepting connections and waits for in-flight requests
// (bounded by its context); it does not close the Backend. Durability is the
// Backend's promise: the server answers a write only after the Backend returns.
package server
