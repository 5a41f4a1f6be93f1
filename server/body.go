package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shardlog/shardlog/kinesis"
)

// Bounded work per request. A body is read into a buffer that grows as its
// bytes arrive, never to the length a client declares; it must keep arriving
// (Options.BodyReadTimeout, Options.MinBodyBytesPerSecond); and every byte a
// request holds, from its body to what decoding it needs, is counted against
// one budget for the whole server (Options.MaxInFlightBytes), so that many
// large requests at once wait or are refused instead of exhausting memory.
// None of this needs a request to be authenticated first, and none of it can:
// the signature covers the body.

// minBodyStep is the first slice of a body the server makes room for; each
// later step doubles what has arrived, so a body costs at most twice its size
// in allocations, and a client that declares megabytes and sends a few bytes
// gets 64 KiB.
const minBodyStep = 64 << 10

// Decoding charges, in bytes per body byte, on top of the body itself: the
// focused PutRecords decoder holds at most the decoded data and the keys, less
// than the body (or, for a Base64Putter, the Backend holds the decoded data in
// its batches); the general path is charged parseBytesPerBodyByte up front,
// twice what a normal body's tree and checked values take
// (BenchmarkDecode_Worst), and its parser charges more as a tree grows past
// that (wire.Bounds), which only hostile bodies do.
const (
	fastDecodeBytesPerBodyByte = 1
	parseBytesPerBodyByte      = 4
	parseBaseBytes             = 16 << 10 // fixed cost of a small body's tree
)

// maxRequestCharge is the most one request can hold: a body at the cap and
// the general path's decoding of it.
func maxRequestCharge(maxRequestBytes int64) int64 {
	return maxRequestBytes*(1+parseBytesPerBodyByte) + parseBaseBytes
}

// memoryLimit counts bytes held against a maximum. acquire waits for room
// while others release; it is not FIFO, so a small request never queues
// behind a large one that waits.
type memoryLimit struct {
	mu      sync.Mutex
	max     int64
	used    int64
	waiters int
	freed   chan struct{} // closed, and replaced, when bytes are released with waiters
}

func newMemoryLimit(max int64) *memoryLimit {
	return &memoryLimit{max: max, freed: make(chan struct{})}
}

// errBusy is acquire's answer when no room was made within its wait; the
// client gets ServiceUnavailable.
var errBusy = errors.New("server: too many bytes in flight")

// acquire takes n bytes, waiting up to wait for them. It returns errBusy when
// the wait ends, or ctx's error when the request ends first.
func (l *memoryLimit) acquire(ctx context.Context, n int64, wait time.Duration) error {
	if n > l.max {
		return errBusy // no wait makes room for more than there is
	}
	var timer *time.Timer
	for {
		l.mu.Lock()
		if l.used+n <= l.max {
			l.used += n
			l.mu.Unlock()
			return nil
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		}
		l.waiters++
		freed := l.freed
		l.mu.Unlock()
		var err error
		select {
		case <-freed:
		case <-timer.C:
			err = errBusy
		case <-ctx.Done():
			err = ctx.Err()
		}
		l.mu.Lock()
		l.waiters--
		l.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

func (l *memoryLimit) release(n int64) {
	if n == 0 {
		return
	}
	l.mu.Lock()
	l.used -= n
	if l.used < 0 {
		panic("server: in-flight bytes released twice")
	}
	if l.waiters > 0 {
		close(l.freed)
		l.freed = make(chan struct{})
	}
	l.mu.Unlock()
}

// inUse returns the bytes held now.
func (l *memoryLimit) inUse() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used
}

// charge counts n more bytes as held by this request until it ends. It
// reports false after answering ServiceUnavailable when there is no room, or
// after giving up on a client that went away meanwhile.
func (c *call) charge(n int64) bool {
	if c.s == nil || n <= 0 {
		return true
	}
	err := c.s.inFlight.acquire(c.ctx, n, c.s.opts.InFlightWait)
	if err == nil {
		c.charged += n
		return true
	}
	if errors.Is(err, errBusy) {
		c.busy()
	} else {
		c.status, c.errType = 0, "Canceled" // no one is left to answer
	}
	return false
}

// chargeDecode charges what decoding the body will hold, at perByte bytes per
// body byte plus base, less what the request has already been charged for
// decoding.
func (c *call) chargeDecode(perByte, base int64) bool {
	want := int64(len(c.body))*perByte + base
	if want <= c.decodeCharged {
		return true
	}
	if !c.charge(want - c.decodeCharged) {
		return false
	}
	c.decodeCharged = want
	return true
}

// uncharge returns everything the request holds to the server's budget.
func (c *call) uncharge() {
	if c.s != nil {
		c.s.inFlight.release(c.charged)
	}
	c.charged, c.decodeCharged = 0, 0
}

// readBody reads the request body under the size cap, the deadlines and the
// in-flight budget. It answers the client itself, and reports false, when the
// body is too large, too slow, finds no room, or cannot be read.
func (c *call) readBody() bool {
	opts := &c.s.opts
	declared := c.r.ContentLength
	if declared > opts.MaxRequestBytes {
		c.tooLarge()
		return false
	}
	want := opts.MaxRequestBytes // the most bytes the body may have
	if declared >= 0 {
		want = declared
	}
	clock := startBodyClock(c.w, opts)
	buf := c.body[:0]
	allocated := 0
	err := error(nil)
	for err == nil {
		room := min(int64(cap(buf)), c.charged) - int64(len(buf))
		if room == 0 && int64(len(buf)) < want {
			before := cap(buf)
			if buf, err = c.makeRoom(buf, want, &clock); err != nil {
				break
			}
			if cap(buf) != before {
				allocated += cap(buf)
			}
			continue
		}
		var n int
		if room == 0 {
			var probe [1]byte // at the end of the body: only EOF may follow
			n, err = c.r.Body.Read(probe[:])
			if n > 0 {
				err = errTooLarge
			}
		} else {
			n, err = c.r.Body.Read(buf[len(buf) : len(buf)+int(room)])
			buf = buf[:len(buf)+n]
		}
		clock.arrived(n)
		if opts.onBodyRead != nil {
			opts.onBodyRead(len(buf), allocated)
		}
	}
	c.body = buf
	if err == io.EOF {
		clock.stop()
		c.bodyRead = true
		return true
	}
	c.bodyFailed(err)
	return false
}

// makeRoom charges and allocates the next step of the body: as much again as
// has arrived, at least minBodyStep, at most what the body may still bring.
func (c *call) makeRoom(buf []byte, want int64, clock *bodyClock) ([]byte, error) {
	target := min(want, max(minBodyStep, 2*int64(len(buf))))
	started := time.Now()
	if !c.charge(target - c.charged) {
		return buf, errAnswered
	}
	clock.waited(time.Since(started))
	if int64(cap(buf)) < target {
		grown := make([]byte, len(buf), target)
		copy(grown, buf)
		buf = grown
	}
	return buf, nil
}

// errAnswered stops reading a body once the client has had its answer.
var errAnswered = errors.New("server: answered")

// bodyFailed answers a body that could not be read whole.
func (c *call) bodyFailed(err error) {
	switch {
	case errors.Is(err, errAnswered):
	case errors.Is(err, errTooLarge):
		c.tooLarge()
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.bodyTimeout()
	default:
		c.status = 0 // the client went away; there is no one to answer
		c.errType = "ReadError"
	}
}

// bodyClock keeps the read deadline of one body: no longer than
// BodyReadTimeout after the last read, and no later than BodyReadTimeout plus
// the time the bytes so far take at MinBodyBytesPerSecond from the first read.
// It moves the deadline at most every BodyReadTimeout/8, so a stall is cut off
// between 7/8 of the timeout and the timeout.
type bodyClock struct {
	rc        *http.ResponseController
	timeout   time.Duration
	rate      int64
	start     time.Time
	refreshed time.Time
	n         int64
	off       bool // the ResponseWriter has no read deadlines
}

func startBodyClock(w http.ResponseWriter, opts *Options) bodyClock {
	now := time.Now()
	k := bodyClock{rc: http.NewResponseController(w), timeout: opts.BodyReadTimeout,
		rate: opts.MinBodyBytesPerSecond, start: now, refreshed: now}
	if err := k.rc.SetReadDeadline(now.Add(k.timeout)); err != nil {
		k.off = true
	}
	return k
}

func (k *bodyClock) arrived(n int) {
	k.n += int64(n)
	if k.off {
		return
	}
	now := time.Now()
	if now.Sub(k.refreshed) < k.timeout/8 {
		return
	}
	k.refreshed = now
	deadline := now.Add(k.timeout)
	byRate := k.start.Add(k.timeout + time.Duration(float64(k.n)/float64(k.rate)*float64(time.Second)))
	if byRate.Before(deadline) {
		deadline = byRate
	}
	k.rc.SetReadDeadline(deadline)
}

// waited moves the clock past a wait for memory: the client was not reading
// slowly, the server was.
func (k *bodyClock) waited(d time.Duration) {
	if d < k.timeout/8 || k.off {
		return
	}
	k.start = k.start.Add(d)
	k.refreshed = time.Time{}
	k.arrived(0)
}

// stop clears the deadline once the body is whole, so that it cannot cut the
// connection while the operation runs or while it waits for the next request.
func (k *bodyClock) stop() {
	if !k.off {
		k.rc.SetReadDeadline(time.Time{})
	}
}

// Answers given before the body is whole. Each closes an HTTP/1.1
// connection, whose unread body makes it unusable; HTTP/2 ends the stream.
// The rest of a body over the cap is read first and thrown away (drainBody),
// so that a client that sends its whole body before it reads the answer gets
// the answer: closing a connection with unread bytes resets it, and such a
// client sees only the reset. A body that stalled, or found no room, is not
// waited for.

func (c *call) answerEarly(e *kinesis.Error, proto protocol, drain bool) {
	c.requestID = newRequestID()
	c.w.Header()["x-amzn-RequestId"] = []string{c.requestID}
	c.proto = proto
	if c.r.ProtoMajor != 1 {
		c.fail(e)
		return
	}
	c.w.Header()["Connection"] = []string{"close"}
	rc := http.NewResponseController(c.w)
	if !drain || !c.drainable() || rc.EnableFullDuplex() != nil {
		rc.SetReadDeadline(time.Now())
		c.fail(e)
		return
	}
	c.fail(e)
	rc.Flush()
	c.drainBody()
}

// drainLimit bounds what drainBody reads: twice the cap, so a body up to
// twice the cap (three times, when its length was not declared and the cap's
// worth was read before it proved too large) gets its answer, in no more time
// than the body deadlines allow a body of that size. A larger one is reset.
func (c *call) drainLimit() int64 { return 2 * c.s.opts.MaxRequestBytes }

// drainable reports whether the rest of the body is worth reading to give the
// client its answer: its length is unknown or within drainLimit, and the
// client is not waiting for a 100 Continue before it sends (it would send the
// body only to have it thrown away; it reads the answer instead).
func (c *call) drainable() bool {
	return c.r.ContentLength <= c.drainLimit() &&
		!strings.EqualFold(c.r.Header.Get("Expect"), "100-continue")
}

// drainBody reads what is left of the body, up to drainLimit, under the same
// deadlines as the body (BodyReadTimeout, MinBodyBytesPerSecond), and throws
// it away. The request keeps what it was charged of MaxInFlightBytes until it
// ends, as it did while its body was read.
func (c *call) drainBody() {
	clock := startBodyClock(c.w, &c.s.opts)
	var buf [32 << 10]byte
	for left := c.drainLimit(); left > 0; {
		n, err := c.r.Body.Read(buf[:min(int64(len(buf)), left)])
		left -= int64(n)
		clock.arrived(n)
		if err != nil {
			return
		}
	}
}

// requestProtocol is the format of an early answer: CBOR for a CBOR request,
// JSON for any other.
func (c *call) requestProtocol() protocol {
	if protocolOf(c.r.Header.Get("Content-Type")) == protoCBOR {
		return protoCBOR
	}
	return protoJSON
}

// tooLarge answers a body over the cap. kinesalite sends a bare 413; we add a
// JSON body that says what the limit is.
func (c *call) tooLarge() {
	c.answerEarly(&kinesis.Error{
		Type:    kinesis.TypeRequestTooLarge,
		Message: "Request body exceeds the limit of " + strconv.FormatInt(c.s.opts.MaxRequestBytes, 10) + " bytes.",
	}, protoJSON, true)
}

// bodyTimeout answers a body that stalled or trickled: 408, which the SDKs
// retry (RequestTimeoutException is among their retryable codes).
func (c *call) bodyTimeout() {
	c.answerEarly(&kinesis.Error{
		Type: kinesis.TypeRequestTimeout,
		Message: "Request body not received in time: at least " + strconv.FormatInt(c.s.opts.MinBodyBytesPerSecond, 10) +
			" bytes per second, with no pause longer than " + c.s.opts.BodyReadTimeout.String() + ".",
	}, c.requestProtocol(), false)
}

// busy answers a request that found no room in MaxInFlightBytes: 503
// ServiceUnavailable, which AWS answers when it is overloaded and which every
// SDK retries with backoff, by its status alone.
func (c *call) busy() {
	e := &kinesis.Error{
		Type: kinesis.TypeServiceUnavailable,
		Message: "Slow down: requests in flight hold the server's limit of " +
			strconv.FormatInt(c.s.opts.MaxInFlightBytes, 10) + " bytes.",
	}
	if !c.bodyRead {
		c.answerEarly(e, c.requestProtocol(), false)
		return
	}
	c.fail(e)
}
