package main

import (
	"flag"
	"time"

	"github.com/shardlog/shardlog/server"
)

// requestLimits are the serve flags that bound the work of one request and of
// all requests in flight (server.Options). Zero means the server's default.
type requestLimits struct {
	bodyReadTimeout  time.Duration
	minBodyRate      int64
	maxInFlightBytes int64
	inFlightWait     time.Duration
	maxWrites        int
}

func (l *requestLimits) flags(fs *flag.FlagSet) {
	fs.DurationVar(&l.bodyReadTimeout, "body-read-timeout", 0,
		"longest pause in a request body before the server answers 408 and closes the connection (0: 10s)")
	fs.Int64Var(&l.minBodyRate, "min-body-rate", 0,
		"slowest average rate of a request body, in bytes per second, once --body-read-timeout has passed (0: 65536)")
	fs.Int64Var(&l.maxInFlightBytes, "max-inflight-bytes", 0,
		"bytes all requests in flight may hold, bodies and their decoding (0: 268435456)")
	fs.DurationVar(&l.inFlightWait, "inflight-wait", 0,
		"how long a request waits for --max-inflight-bytes to make room before it gets 503 (0: 2s)")
	fs.IntVar(&l.maxWrites, "max-writes-in-flight", 0,
		"PutRecord and PutRecords requests decoded and written at once; more wait for a slot (0: 64 per GOMAXPROCS, -1: no bound)")
}

// apply copies the limits into o.
func (l requestLimits) apply(o server.Options) server.Options {
	o.BodyReadTimeout = l.bodyReadTimeout
	o.MinBodyBytesPerSecond = l.minBodyRate
	o.MaxInFlightBytes = l.maxInFlightBytes
	o.InFlightWait = l.inFlightWait
	o.MaxWritesInFlight = l.maxWrites
	return o
}
