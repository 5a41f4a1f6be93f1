// Package sdkhttp is the HTTP client that shardlog's own AWS SDK clients send through: the
// tests' (internal/testutil.SDKHTTPClient), shardlogtest's, and `tail --consumer`'s.
//
// It hands every request a body of its own, read in full beforehand, which works around a
// client race of aws-sdk-go-v2 (its issues #1825 and #2737) that fails a call the server
// answered 200 with "use of closed network connection", against any server. smithy-go wraps a
// request's body in a reader whose WriteTo returns io.EOF, an error, once the body is
// closed, and the SDK closes it as soon as the answer's headers arrive. net/http's write
// loop, after sending the body, reads it once more to check that it is at its end; if the
// SDK has closed it by then, the loop takes the io.EOF for a failed write and closes the
// connection under the answer being read. Answers whose headers come early (a large
// GetRecords sent in pieces, a SubscribeToShard event stream) make it likelier. A body the
// SDK does not hold is out of its reach. Nothing is retried, so a caller still sees every
// failure of the server.
package sdkhttp
