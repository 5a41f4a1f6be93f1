package stream

// MaxWarmThroughputMiBps is the largest warm throughput of an on-demand stream: AWS's
// default limit, 10 GiBps.
const MaxWarmThroughputMiBps = 10 << 10

// WarmThroughput is the write throughput, in MiB/s, an ON_DEMAND stream is scaled to handle
// at once (On-demand Advantage). shardlog keeps and reports it; it does not throttle by it.
// A change takes the stream through UPDATING: until UntilMs the stream is still at
// PreviousMiBps, scaling towards TargetMiBps.
type WarmThroughput struct {
	TargetMiBps   int   `json:"targetMiBps"`
	PreviousMiBps int   `json:"previousMiBps,omitempty"`
	UntilMs       int64 `json:"untilMs,omitempty"` // when the stream reaches TargetMiBps, epoch ms

	// CurrentMiBps is the warm throughput the stream has, as of the Store's answer that
	// returned it (DescribeStream, DescribeStreamSummary, UpdateStreamWarmThroughput); the
	// catalog does not keep it.
	CurrentMiBps int `json:"-"`
}

// currentAt returns the warm throughput the stream has at nowMs.
func (w WarmThroughput) currentAt(nowMs int64) int {
	if nowMs < w.UntilMs {
		return w.PreviousMiBps
	}
	return w.TargetMiBps
}

// UpdateStreamWarmThroughput sets the warm throughput of the named ON_DEMAND stream to
// mibps (0 to MaxWarmThroughputMiBps), in an account whose minimum throughput billing
// commitment is in force (AccountSettings.Enabled), as AWS requires. Like a reshard, it
// takes an ACTIVE stream to UPDATING for Options.UpdateDelay, which keeps taking writes and
// reads; the stream reaches the new throughput when UPDATING ends. It returns the stream as
// it is after the call.
func (s *Store) UpdateStreamWarmThroughput(name string, mibps int) (StreamInfo, error) {
	if s.closed.Load() {
		return StreamInfo{}, ErrClosed
	}
	now := s.nowMs()
	committed := s.accounts.get(s.opts.Account, now).Enabled()
	err := s.change(name, func(info *StreamInfo) (*StreamInfo, error) {
		if info.Status != StatusActive {
			return nil, streamNotActive(name, info.Account, info.Status)
		}
		if err := checkWarmThroughput(mibps, info.Mode, committed, name, info.Account); err != nil {
			return nil, err
		}
		due := now + s.opts.UpdateDelay.Milliseconds()
		info.WarmThroughput = WarmThroughput{TargetMiBps: mibps, PreviousMiBps: info.WarmThroughput.currentAt(now), UntilMs: due}
		info.Status, info.StatusDueMs = StatusUpdating, due
		return info, nil
	}, nil)
	if err != nil {
		return StreamInfo{}, err
	}
	return s.describe(name)
}

// newStreamSettings checks the record distribution strategy and warm throughput that
// CreateStream is given for a stream in mode, and returns them as the stream keeps them.
func (s *Store) newStreamSettings(name string, mode StreamMode, cfg StreamConfig) (RecordDistributionStrategy, WarmThroughput, error) {
	distribution, err := checkDistribution(cfg.RecordDistribution, mode, name, s.opts.Account)
	if err != nil || cfg.WarmThroughputMiBps == nil {
		return distribution, WarmThroughput{}, err
	}
	mibps := *cfg.WarmThroughputMiBps
	committed := s.accounts.get(s.opts.Account, s.nowMs()).Enabled()
	if err := checkWarmThroughput(mibps, mode, committed, name, s.opts.Account); err != nil {
		return "", WarmThroughput{}, err
	}
	return distribution, WarmThroughput{TargetMiBps: mibps}, nil
}

// checkWarmThroughput checks a warm throughput asked for a stream in mode, in an account
// whose commitment is in force or not: AWS's rules, in the order of its documentation.
func checkWarmThroughput(mibps int, mode StreamMode, committed bool, name, account string) error {
	switch {
	case mode != ModeOnDemand:
		return warmThroughputNeedsOnDemand(name, account)
	case !committed:
		return warmThroughputNeedsCommitment(account)
	case mibps < 0:
		return warmThroughputNegative(mibps)
	case mibps > MaxWarmThroughputMiBps:
		return warmThroughputTooHigh(mibps)
	}
	return nil
}
