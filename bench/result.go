package bench

import "time"

// Phase names.
const (
	PhaseWrite = "write"
	PhaseRead  = "read"
)

// Progress is the state of a phase under way, as Config.Progress receives it.
type Progress struct {
	Phase         string        // PhaseWrite or PhaseRead
	Elapsed       time.Duration // since the phase started
	Records       int64         // acknowledged (write) or read so far
	Bytes         int64         // their data bytes
	RecordsPerSec float64       // over the last interval
	MBPerSec      float64       // over the last interval, 10^6 data bytes per second
	Errors        int64         // failed calls so far
}

// PhaseResult is what one phase did.
type PhaseResult struct {
	Records       int64   `json:"records"`       // acknowledged (write) or read (read-back)
	Bytes         int64   `json:"bytes"`         // their data bytes
	Calls         int64   `json:"calls"`         // requests sent
	Errors        int64   `json:"errors"`        // calls that failed: no answer, or not 200
	FailedRecords int64   `json:"failedRecords"` // write: records a PutRecords answer refused
	Seconds       float64 `json:"seconds"`       // from the first call to the end of the last
	RecordsPerSec float64 `json:"recordsPerSec"`
	MBPerSec      float64 `json:"mbPerSec"` // 10^6 data bytes per second

	Latency Latency `json:"latency"` // of the calls that got an answer

	// ClientCPUSeconds is the CPU time this process used during the phase (user and system).
	ClientCPUSeconds float64 `json:"clientCpuSeconds"`
	// ClientCPUPerMillion is ClientCPUSeconds per million Records: what the load generator
	// spent per record, to set beside the server's.
	ClientCPUPerMillion float64 `json:"clientCpuSecondsPerMillionRecords"`
	// Server is the server process during the phase, when Config.ServerPID is set.
	Server *ProcessStats `json:"server,omitempty"`
}

// finish computes the rates of a phase that took elapsed, and the CPU per record of the
// client and, when it was sampled, the server.
func (p *PhaseResult) finish(elapsed time.Duration) {
	p.Seconds = elapsed.Seconds()
	if p.Seconds > 0 {
		p.RecordsPerSec = float64(p.Records) / p.Seconds
		p.MBPerSec = float64(p.Bytes) / p.Seconds / 1e6
	}
	p.ClientCPUPerMillion = perMillion(p.ClientCPUSeconds, p.Records)
	if p.Server != nil {
		p.Server.CPUPerMillion = perMillion(p.Server.CPUSeconds, p.Records)
	}
}

// perMillion returns cpuSeconds per million records, 0 when there were no records: a phase
// that did nothing has no cost per record to report.
func perMillion(cpuSeconds float64, records int64) float64 {
	if records <= 0 {
		return 0
	}
	return cpuSeconds / float64(records) * 1e6
}

// ProcessStats describes the server process during a phase, from /proc/<pid>.
type ProcessStats struct {
	CPUSeconds float64 `json:"cpuSeconds"` // user + system time used during the phase
	Cores      float64 `json:"cores"`      // CPUSeconds per second of the phase
	// CPUPerMillion is CPUSeconds per million records of the phase (written, or read back):
	// the server's cost per record, which unlike records/s does not depend on how fast the
	// client on the same machine is. The CPU times come in ticks of 10 ms, so a phase
	// should take a few CPU-seconds for this to carry two digits.
	CPUPerMillion float64 `json:"cpuSecondsPerMillionRecords"`
	// PeakRSSBytes is the process's high-water resident set (VmHWM) at the end of the phase:
	// its peak since it started, not only during this phase.
	PeakRSSBytes int64 `json:"peakRssBytes"`
	// PeakAnonBytes is the largest anonymous resident memory (RssAnon: heap and stacks, not
	// mapped files) seen while sampling the phase.
	PeakAnonBytes int64 `json:"peakAnonBytes"`
	// PeakFileBytes is the largest file-backed resident memory (RssFile) seen: page cache the
	// process maps, which the kernel can drop.
	PeakFileBytes int64 `json:"peakFileBytes"`
	Samples       int   `json:"samples"`
}

// Verification is what the read-back found. A record is identified by the header the
// generator wrote into its data.
type Verification struct {
	OK bool `json:"ok"` // nothing below that should be zero is not

	Acknowledged int64 `json:"acknowledged"` // records the server acknowledged
	InDoubt      int64 `json:"inDoubt"`      // records of calls that got no usable answer: may or may not be stored
	Read         int64 `json:"read"`         // records read back, all shards

	Lost           int64 `json:"lost"`           // acknowledged, never read
	Duplicated     int64 `json:"duplicated"`     // read more than once
	Reordered      int64 `json:"reordered"`      // read in another order than written, within a shard (records or sequence numbers)
	Changed        int64 `json:"changed"`        // data or partition key not what was written
	WrongShard     int64 `json:"wrongShard"`     // read from a shard that does not own its partition key
	Unknown        int64 `json:"unknown"`        // data without a header the run wrote
	Unacknowledged int64 `json:"unacknowledged"` // read, but its write was refused

	// Problems describes the first few problems, with shard and record.
	Problems []string `json:"problems,omitempty"`
}

// Result is the outcome of a run.
type Result struct {
	Endpoint     string    `json:"endpoint"`
	Op           Op        `json:"op"`
	Streams      []string  `json:"streams"`
	Shards       int       `json:"shardsPerStream"`
	RecordBytes  int       `json:"recordBytes"`
	BatchRecords int       `json:"batchRecords"`
	Payload      Payload   `json:"payload"`
	Connections  int       `json:"connections"`
	Started      time.Time `json:"started"`

	Write  PhaseResult   `json:"write"`
	Read   *PhaseResult  `json:"read,omitempty"`   // nil with NoReadBack
	Verify *Verification `json:"verify,omitempty"` // nil with NoReadBack

	FanOut *FanOutResult `json:"fanOut,omitempty"` // nil without Config.Consumers
}
