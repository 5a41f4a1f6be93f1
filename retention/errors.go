package retention

import "errors"

// Errors of Policy.
var (
	// ErrPeriod is returned for a retention period outside [MinPeriod, MaxPeriod].
	ErrPeriod = errors.New("retention: period out of range")
)
