package bench

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	slkinesis "github.com/shardlog/shardlog/kinesis"
)

// Op is the write operation a run sends.
type Op string

// The write operations.
const (
	OpPutRecords Op = "PutRecords" // BatchRecords records per call
	OpPutRecord  Op = "PutRecord"  // one record per call
)

// ParseOp returns the Op named by s: putrecords or putrecord, in any case.
func ParseOp(s string) (Op, error) {
	switch strings.ToLower(s) {
	case "putrecords":
		return OpPutRecords, nil
	case "putrecord":
		return OpPutRecord, nil
	}
	return "", fmt.Errorf("%w: operation %q (want putrecords or putrecord)", ErrConfig, s)
}

// Payload is how record data is filled.
type Payload string

// The payloads.
const (
	PayloadRandom Payload = "random" // incompressible bytes: what compression cannot help with
	PayloadText   Payload = "text"   // JSON-like log lines: what a codec shrinks several times
)

// ParsePayload returns the Payload named by s: random or text.
func ParsePayload(s string) (Payload, error) {
	switch Payload(s) {
	case PayloadRandom, PayloadText:
		return Payload(s), nil
	}
	return "", fmt.Errorf("%w: payload %q (want random or text)", ErrConfig, s)
}

// Bounds of a Config.
const (
	MinRecordBytes  = headerBytes + 7                // the record header and a few bytes of payload
	MaxRecordBytes  = 1 << 20                        // Kinesis' record limit (data only)
	MaxBatchRecords = slkinesis.MaxPutRecordsEntries // Kinesis' PutRecords limit
	maxBatchBytes   = slkinesis.MaxPutRecordsBytes   // Kinesis' PutRecords limit on data plus keys
)

// Config describes one run: what to write, how hard, and for how long. The zero value of
// each field means its default.
type Config struct {
	// Endpoint is the server's URL. Default http://127.0.0.1:4567 (shardlog serve's default).
	Endpoint string
	// Region is named in the requests' credential scope. Default us-east-1.
	Region string

	// StreamPrefix names the streams the run creates: <prefix>-<start time>-<i>, fresh for
	// every run. Default "bench".
	StreamPrefix string
	// Streams is how many streams to create. Default 1.
	Streams int
	// Shards is the shard count of each stream. Default 4.
	Shards int

	// Op is the write operation. Default OpPutRecords.
	Op Op
	// RecordBytes is the data size of every record, in bytes, at least MinRecordBytes: a
	// 9-byte header that names the record, then the payload. Default 100.
	RecordBytes int
	// BatchRecords is the number of records per PutRecords call, 1 to 500 (OpPutRecord
	// ignores it). Default 500.
	BatchRecords int
	// Payload fills the record data. Default PayloadRandom.
	Payload Payload
	// Connections is the number of concurrent writers, each with its own connection and
	// one call in flight. Writer i writes to stream i mod Streams. Default 8.
	Connections int

	// Duration bounds the write phase. Default 10 s, unless Records is set.
	Duration time.Duration
	// Records, if set, ends the write phase after this many records have been sent (rounded
	// up to whole calls), or at Duration if that is set and comes first.
	Records int64

	// NoReadBack skips the read-back phase and its verification.
	NoReadBack bool
	// ReadConnections is the number of shards read back at once. Default: every shard at
	// once (Streams × Shards), as a consumer with a worker per shard reads them.
	ReadConnections int
	// ReadLimit is the Limit of each GetRecords call, 1 to 10000. Default 10000.
	ReadLimit int

	// KeepStreams leaves the streams on the server at the end of the run, so that the disk
	// use of what was written can be measured. By default Run deletes them when it ends,
	// whether it succeeded, failed or was interrupted (its context cancelled).
	KeepStreams bool

	// Consumers, if set, is the number of consumers registered on each stream before the
	// writes, each subscribed to every shard with SubscribeToShard while they run and
	// verified to be pushed every record once and in order (enhanced fan-out), 0 to
	// MaxConsumers. They are deregistered at the end unless KeepStreams is set.
	Consumers int
	// DrainTimeout bounds the wait, once the writes are done, for every consumer to be
	// pushed every acknowledged record; what has not come by then is lost. Default 30 s.
	DrainTimeout time.Duration

	// Seed makes the payloads and partition keys of a run repeatable. Default 1.
	Seed uint64

	// ServerPID, if set, is the process id of the server on this machine: the run samples its
	// memory and CPU (Linux /proc) during each phase and reports them.
	ServerPID int

	// Progress, if set, is called about every ProgressInterval with the state of the phase
	// under way. It runs on its own goroutine, never concurrently with itself.
	Progress func(Progress)
	// ProgressInterval is the time between Progress calls. Default 1 s.
	ProgressInterval time.Duration

	// Writers is the number of writers, Connections to maxConnections: writer i writes to
	// stream i mod Streams, and the connections take turns over the writers, one call each,
	// so that a run with many streams writes to all of them over few connections. Default
	// Connections (one writer per connection).
	Writers int
	// Rate, if set, paces the write phase to this many records per second over all
	// connections, so that runs of different shapes carry the same load; a call waits for
	// its turn rather than catching up in a burst. Default 0: as fast as the server answers.
	Rate float64
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Endpoint == "" {
		c.Endpoint = "http://127.0.0.1:4567"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.StreamPrefix == "" {
		c.StreamPrefix = "bench"
	}
	if c.Streams == 0 {
		c.Streams = 1
	}
	if c.Shards == 0 {
		c.Shards = 4
	}
	if c.Op == "" {
		c.Op = OpPutRecords
	}
	if c.RecordBytes == 0 {
		c.RecordBytes = 100
	}
	if c.BatchRecords == 0 {
		c.BatchRecords = MaxBatchRecords
	}
	if c.Op == OpPutRecord {
		c.BatchRecords = 1
	}
	if c.Payload == "" {
		c.Payload = PayloadRandom
	}
	if c.Connections == 0 {
		c.Connections = 8
	}
	if c.Duration == 0 && c.Records == 0 {
		c.Duration = 10 * time.Second
	}
	if c.ReadConnections == 0 {
		c.ReadConnections = c.Streams * c.Shards
	}
	if c.ReadLimit == 0 {
		c.ReadLimit = 10000
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = 30 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.ProgressInterval == 0 {
		c.ProgressInterval = time.Second
	}
	if c.Writers == 0 {
		c.Writers = c.Connections
	}
	return c
}

// validate reports the first field of a completed Config that is out of bounds.
func (c Config) validate() error {
	u, err := url.Parse(c.Endpoint)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("%w: endpoint %q is not an http:// or https:// URL", ErrConfig, c.Endpoint)
	case c.Streams < 1 || c.Shards < 1:
		return fmt.Errorf("%w: %d streams of %d shards", ErrConfig, c.Streams, c.Shards)
	case c.Op != OpPutRecords && c.Op != OpPutRecord:
		return fmt.Errorf("%w: operation %q", ErrConfig, c.Op)
	case c.RecordBytes < MinRecordBytes || c.RecordBytes > MaxRecordBytes:
		return fmt.Errorf("%w: record size %d bytes, want %d to %d", ErrConfig, c.RecordBytes, MinRecordBytes, MaxRecordBytes)
	case c.BatchRecords < 1 || c.BatchRecords > MaxBatchRecords:
		return fmt.Errorf("%w: batch of %d records, want 1 to %d", ErrConfig, c.BatchRecords, MaxBatchRecords)
	case c.BatchRecords*(c.RecordBytes+partitionKeyLen) > maxBatchBytes:
		return fmt.Errorf("%w: %d records of %d bytes exceed the 5 MiB PutRecords limit", ErrConfig, c.BatchRecords, c.RecordBytes)
	case c.Payload != PayloadRandom && c.Payload != PayloadText:
		return fmt.Errorf("%w: payload %q", ErrConfig, c.Payload)
	case c.Connections < 1 || c.Connections > maxConnections || c.ReadConnections < 1:
		return fmt.Errorf("%w: %d connections, %d read connections (want 1 to %d)", ErrConfig, c.Connections, c.ReadConnections, maxConnections)
	case c.Duration < 0 || c.Records < 0:
		return fmt.Errorf("%w: negative duration or record count", ErrConfig)
	case c.Consumers < 0 || c.Consumers > MaxConsumers:
		return fmt.Errorf("%w: %d consumers, want 0 to %d", ErrConfig, c.Consumers, MaxConsumers)
	case c.ReadLimit < 1 || c.ReadLimit > 10000:
		return fmt.Errorf("%w: read limit %d, want 1 to 10000", ErrConfig, c.ReadLimit)
	case c.Writers < c.Connections || c.Writers > maxConnections:
		return fmt.Errorf("%w: %d writers over %d connections, want %d to %d", ErrConfig, c.Writers, c.Connections, c.Connections, maxConnections)
	case c.Rate < 0:
		return fmt.Errorf("%w: negative rate %v records/s", ErrConfig, c.Rate)
	}
	return nil
}
