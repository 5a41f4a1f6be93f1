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

type memory struct{ hwm, anon, file int64 }

func processCPU(pid int) (float64, error) {
	return 0, errors.New("bench: reading a server process needs Linux /proc")
}

func processMemory(pid int) (memory, error) {
	return memory{}, errors.New("bench: reading a server process needs Linux /proc")
}
