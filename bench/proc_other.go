//go:build !linux

package bench

import "errors"

// procSampler needs Linux's /proc; elsewhere Config.ServerPID is refused.
type procSampler struct{}

func startSampler(pid int) (*procSampler, error) {
	return nil, errors.New("bench: sampling a server process needs Linux /proc")
}

func (s *procSampler) finish() *ProcessStats { return nil }

func selfCPU() float64 { return 0 }
