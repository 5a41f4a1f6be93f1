package server

import (
	"context"
	"encoding/base64"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/kinesis"
)

// The HTTP side of the protocol: one endpoint, POST /, the operation in the
// X-Amz-Target header. A request goes through the steps below in this order,
// because the order decides which error a malformed request gets
// (KINESIS-API.md §1.6, kinesalite's AWS-verified order). A GET or HEAD of /health
// is the health check (health.go) and none of them applies to it.
//
//  1. a body over Options.MaxRequestBytes gets 413;
//  2. every answer from here on carries x-amzn-RequestId and x-amz-id-2;
//  3. a request with an Origin from an allowed origin gets CORS headers (cors.go);
//     a preflight OPTIONS ends here;
//  4. a method other than POST gets 403 AccessDeniedException (XML);
//  5. the Content-Type decides the wire format: JSON, CBOR or legacy JSON;
//  6. an empty body gets SerializationException, or UnknownOperationException
//     when the target is not a known operation;
//  7. an unknown Content-Type gets 403 (XML) or 404 <UnknownOperationException/>;
//  8. a body that does not parse to an object gets SerializationException;
//  9. the legacy application/json type gets 404 UnknownOperationException;
//  10. an unknown service or operation gets UnknownOperationException;
//  11. a missing, incomplete or (with Options.Credentials) wrong SigV4
//     signature gets its auth error (auth.go);
//  12. type errors get SerializationException, 13. constraint violations
//     ValidationException, 14. the Backend's errors their own type.

const (
	targetPrefix = "Kinesis_20131202"

	contentTypeJSON       = "application/x-amz-json-1.1"
	contentTypeCBOR       = "application/x-amz-cbor-1.1"
	contentTypeLegacyJSON = "application/json"
)

// protocol is the wire format of a request, from its Content-Type.
type protocol uint8

const (
	protoUnknown    protocol = iota
	protoJSON                // application/x-amz-json-1.1
	protoCBOR                // application/x-amz-cbor-1.1
	protoLegacyJSON          // application/json: answered, never routed to an operation
)

func protocolOf(contentType string) protocol {
	mediaType, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mediaType)) {
	case contentTypeJSON:
		return protoJSON
	case contentTypeCBOR:
		return protoCBOR
	case contentTypeLegacyJSON:
		return protoLegacyJSON
	}
	return protoUnknown
}

// Header values shared by every response, so setting them allocates nothing.
var (
	headerJSON       = []string{contentTypeJSON}
	headerCBOR       = []string{contentTypeCBOR}
	headerLegacyJSON = []string{contentTypeLegacyJSON}
)

// call is the state of one request. Calls are pooled with their buffers.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	ctx   context.Context
	proto protocol
	op    *operation
	tree  wire.Object

	body     []byte // request body
	out      []byte // response body being built
	putArena *putArena
	dataText bool // the input's PutRecords Data is base64 text (Base64Putter)

	bodyRead      bool  // the body is whole
	charged       int64 // bytes counted against Options.MaxInFlightBytes
	decodeCharged int64 // the part of charged that is for decoding
	writeSlot     bool  // holds a slot of Options.MaxWritesInFlight

	requestID string
	status    int
	errType   string
	streamed  bool // the status and part of the body are sent (sendPiece)
}

var callPool = sync.Pool{New: func() any { return new(call) }}

// maxPooledBuffer keeps an occasional huge body from pinning its buffer.
const maxPooledBuffer = 8 << 20

func (c *call) arena() *putArena {
	if c.putArena == nil {
		c.putArena = getArena()
	}
	return c.putArena
}

func (c *call) release() {
	c.releaseWrite()
	c.uncharge()
	if c.putArena != nil {
		putArenaBack(c.putArena)
	}
	body, out := c.body[:0], c.out[:0]
	if cap(body) > maxPooledBuffer {
		body = nil
	}
	if cap(out) > maxPooledBuffer {
		out = nil
	}
	*c = call{body: body, out: out}
	callPool.Put(c)
}

// ServeHTTP answers one Kinesis request, a health check (GET /health, health.go), a
// reset (POST /_shardlog/reset, reset.go) or a metrics scrape (GET /metrics, metrics.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isHealthCheck(r) {
		s.serveHealth(w, r)
		return
	}
	if r.URL.Path == ResetPath {
		s.serveReset(w, r)
		return
	}
	if s.isMetricsScrape(r) {
		s.opts.Metrics.ServeHTTP(w, r)
		return
	}
	if s.isConsoleRequest(r) {
		s.serveConsole(w, r)
		return
	}
	start := time.Now()
	c := callPool.Get().(*call)
	c.s, c.w, c.r, c.ctx = s, w, r, r.Context()
	c.serve()
	s.logRequest(c, start)
	c.release()
}

func (c *call) serve() {
	if !c.readBody() {
		return
	}
	h := c.w.Header()
	c.requestID = newRequestID()
	h["x-amzn-RequestId"] = []string{c.requestID}
	origin := c.r.Header.Get("Origin")
	preflight := origin != "" && c.r.Method == http.MethodOptions
	if !preflight {
		h["x-amz-id-2"] = []string{newID2()}
	}
	if origin != "" && c.answerCORS(origin, preflight) {
		return
	}
	if c.r.Method != http.MethodPost {
		c.sendXML(http.StatusForbidden, kinesis.TypeAccessDenied, accessDeniedXML)
		return
	}
	c.route()
}

// route carries a POST through steps 5 to 7: the wire format, the target, and
// the answers for an empty body or an unknown format.
func (c *call) route() {
	c.proto = protocolOf(c.r.Header.Get("Content-Type"))
	service, opName, _ := strings.Cut(c.r.Header.Get("X-Amz-Target"), ".")
	opName, _, _ = strings.Cut(opName, ".")
	op := c.s.ops[opName]
	known := service == targetPrefix && op != nil
	switch {
	case len(c.body) == 0:
		c.answerEmptyBody(known)
	case c.proto != protoUnknown:
		c.dispatch(op, known)
	case service == "" || opName == "":
		c.sendXML(http.StatusForbidden, kinesis.TypeAccessDenied, accessDeniedXML)
	default:
		c.sendXML(http.StatusNotFound, kinesis.TypeUnknownOperation, unknownOperationXML)
	}
}

// dispatch carries a body in a known format through steps 8 to 14: parse (or
// the operation's fast decoder), the legacy JSON type, the operation, the
// signature, then the operation itself.
func (c *call) dispatch(op *operation, known bool) {
	if known && !c.admitWrite(op) {
		return
	}
	var fastIn any
	if c.proto == protoJSON && known && op.fast != nil {
		if !c.chargeDecode(fastDecodeBytesPerBodyByte, 0) {
			return
		}
		if in, ok := op.fast(c); ok {
			fastIn = in
		}
	}
	if fastIn == nil && !c.chargeDecode(parseBytesPerBodyByte, parseBaseBytes) {
		return
	}
	var s *shape // the tree of a request that reaches no operation is not kept
	if known && c.proto != protoLegacyJSON {
		s = op.shape
	}
	parsed := fastIn != nil || c.parse(s)
	switch {
	case !parsed && c.status != 0: // refused for want of memory
		return
	case !parsed && c.proto == protoLegacyJSON:
		c.sendRaw(http.StatusBadRequest, headerLegacyJSON, kinesis.TypeSerialization, legacySerializationJSON)
	case !parsed:
		c.fail(serializationError(""))
	case c.proto == protoLegacyJSON:
		c.sendRaw(http.StatusNotFound, headerLegacyJSON, kinesis.TypeUnknownOperation, legacyUnknownOperationJSON)
	case !known:
		c.fail(c.unknownOperation())
	default:
		info, err := c.s.authenticate(c.r, c.body)
		if err != nil {
			c.fail(err)
			return
		}
		c.op = op
		info.RequestID, info.Operation = c.requestID, op.name
		c.ctx = context.WithValue(c.ctx, requestInfoKey{}, info)
		c.execute(fastIn)
	}
}

// parse parses the body into a tree for the structure shape s (nil to check
// only that it is an object), and reports whether it is an object. A tree
// that outgrows the decoding charge charges more as it grows; when the
// server has no room, the client has had its answer and parse reports false.
func (c *call) parse(s *shape) bool {
	bounds := parseBounds()
	bounds.Granted = c.decodeCharged
	if c.s != nil {
		bounds.Grow = func(n int64) bool {
			if !c.charge(n) {
				return false
			}
			c.decodeCharged += n
			return true
		}
	}
	var ok bool
	if c.proto == protoCBOR {
		c.tree, ok = wire.ParseCBOR(c.body, s.wireShape(), &bounds)
	} else {
		c.tree, ok = wire.ParseJSON(c.body, s.wireShape(), &bounds)
	}
	return ok
}

// execute decodes the input (unless the fast path already has), applies the
// request-level rules and runs the operation. A panic in the Backend becomes an
// InternalFailure, never a dropped connection.
func (c *call) execute(in any) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			c.s.log.Error("operation panicked", "op", c.op.name, "request", c.requestID, "panic", p,
				"stack", string(debug.Stack()))
			c.out = c.out[:0]
			c.fail(internalFailure)
		}
	}()
	var err error
	if in == nil {
		in, err = c.decode(c.op)
	}
	if err == nil {
		err = c.checkInput(in)
	}
	if err == nil && c.s.opts.Admit != nil {
		err = c.s.opts.Admit(c.ctx, c.op.name, streamNameOf(in))
	}
	if err == nil {
		c.out = c.out[:0]
		err = c.op.run(c, in)
	}
	if err != nil && c.dataText {
		if err = c.dataError(err); err == nil {
			c.releaseWrite()
			return // answered for want of memory
		}
	}
	c.releaseWrite()
	if err != nil && c.streamed {
		// The status line is out: all that is left is to cut the answer short,
		// so that the client sees a broken response rather than a valid one.
		c.s.errLog.Error("answer cut short", "op", c.op.name, "request", c.requestID, "err", err)
		panic(http.ErrAbortHandler)
	}
	if err != nil {
		c.out = c.out[:0]
		c.fail(c.kinesisError(err))
		return
	}
	c.sendOutput()
}

// kinesisError converts an error into the one the client sees, logging those
// that have no Kinesis type.
func (c *call) kinesisError(err error) *kinesis.Error {
	if e, ok := asKinesisError(err); ok {
		return e
	}
	c.s.errLog.Error("operation failed", "op", c.op.name, "request", c.requestID, "err", err)
	return internalFailure
}

// writeOutput encodes an output struct in the request's format.
func (c *call) writeOutput(out any) {
	if c.proto == protoCBOR {
		c.out = wire.AppendOutputCBOR(c.out, out)
	} else {
		c.out = wire.AppendOutputJSON(c.out, out)
	}
}

func (c *call) contentType() []string {
	if c.proto == protoCBOR {
		return headerCBOR
	}
	return headerJSON
}

func (c *call) sendOutput() {
	if c.streamed {
		c.w.Write(c.out)
		return
	}
	c.send(http.StatusOK, c.contentType(), c.out)
}

// sendPiece sends b as the next piece of a successful answer whose length is
// not known yet (HTTP/1.1 chunked, or HTTP/2 data frames), sending the status
// and headers first, and returns b emptied for the rest.
func (c *call) sendPiece(b []byte) ([]byte, error) {
	if !c.streamed {
		c.w.Header()["Content-Type"] = c.contentType()
		c.status = http.StatusOK
		c.w.WriteHeader(http.StatusOK)
		c.streamed = true
	}
	_, err := c.w.Write(b)
	return b[:0], err
}

// fail answers with a Kinesis error in the request's format.
func (c *call) fail(e *kinesis.Error) {
	c.errType = e.Type
	c.w.Header()["x-amzn-ErrorType"] = []string{e.Type}
	if c.proto == protoCBOR {
		c.out = appendErrorCBOR(c.out[:0], e)
	} else {
		c.out = appendErrorJSON(c.out[:0], e)
	}
	c.send(kinesis.Status(e.Type), c.contentType(), c.out)
}

// answerEmptyBody is step 6: JSON for the JSON content type, CBOR for any
// other, as kinesalite answers.
func (c *call) answerEmptyBody(known bool) {
	e := serializationError("")
	if !known {
		e = c.unknownOperation()
	}
	if c.proto != protoJSON {
		c.proto = protoCBOR
	}
	c.fail(e)
}

// sendXML answers the requests that never reach the JSON protocol, without a
// Content-Type, as AWS and kinesalite do.
func (c *call) sendXML(status int, errType, body string) {
	c.sendRaw(status, nil, errType, body)
}

func (c *call) sendRaw(status int, contentType []string, errType, body string) {
	c.errType = errType
	c.w.Header()["x-amzn-ErrorType"] = []string{errType}
	c.out = append(c.out[:0], body...)
	c.send(status, contentType, c.out)
}

// send writes the response. A nil content type suppresses net/http's sniffing.
func (c *call) send(status int, contentType []string, body []byte) {
	h := c.w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	c.status = status
	c.w.WriteHeader(status)
	c.w.Write(body)
}

// logRequest writes the debug line of one request.
func (s *Server) logRequest(c *call, start time.Time) {
	if !s.log.Enabled(c.ctx, slog.LevelDebug) {
		return
	}
	op := ""
	if c.op != nil {
		op = c.op.name
	}
	s.log.LogAttrs(c.ctx, slog.LevelDebug, "request",
		slog.String("op", op),
		slog.Int("status", c.status),
		slog.String("error", c.errType),
		slog.Duration("took", time.Since(start)),
		slog.Int("in", len(c.body)),
		slog.Int("out", len(c.out)),
		slog.String("proto", c.r.Proto),
		slog.String("request", c.requestID))
}

// Request ids, as AWS writes them: a UUID in x-amzn-RequestId and 72 random
// bytes in base64 in x-amz-id-2. They need to be unique, not secret, so they
// come from the runtime's fast generator.

const hexDigits = "0123456789abcdef"

func newRequestID() string {
	var u [16]byte
	for i := 0; i < 16; i += 8 {
		v := rand.Uint64()
		for j := range 8 {
			u[i+j] = byte(v >> (8 * j))
		}
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var b [36]byte
	pos := 0
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[pos] = '-'
			pos++
		}
		b[pos], b[pos+1] = hexDigits[x>>4], hexDigits[x&0xf] // lowercase, as AWS writes request ids
		pos += 2
	}
	return string(b[:])
}

func newID2() string {
	var raw [72]byte
	for i := 0; i < len(raw); i += 8 {
		v := rand.Uint64()
		for j := range 8 {
			raw[i+j] = byte(v >> (8 * j))
		}
	}
	return base64.StdEncoding.EncodeToString(raw[:])
}
