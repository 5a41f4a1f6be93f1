package retention

import (
	"fmt"
	"time"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/shard"
)

// Bounds of a retention period (Kinesis RetentionPeriodHours), those of package kinesis.
const (
	DefaultPeriod = kinesis.DefaultRetention // a new stream's period
	MinPeriod     = kinesis.MinRetention     // the shortest period a stream may have
	MaxPeriod     = kinesis.MaxRetention     // the longest: 365 days
)

// Policy is a stream's retention period.
type Policy struct {
	Period time.Duration // how long records stay readable; 0 means DefaultPeriod
}

// FromHours returns the policy of a period given in whole hours, as the Kinesis API gives it.
func FromHours(hours int) (Policy, error) {
	if hours < int(MinPeriod/time.Hour) || hours > int(MaxPeriod/time.Hour) {
		return Policy{}, fmt.Errorf("%w: %d hours, want %d to %d", ErrPeriod, hours,
			int(MinPeriod/time.Hour), int(MaxPeriod/time.Hour))
	}
	return Policy{Period: time.Duration(hours) * time.Hour}, nil
}

// Validate reports whether the period is within [MinPeriod, MaxPeriod].
func (p Policy) Validate() error {
	d := p.period()
	if d < MinPeriod || d > MaxPeriod {
		return fmt.Errorf("%w: %v, want %v to %v", ErrPeriod, d, MinPeriod, MaxPeriod)
	}
	return nil
}

// Hours returns the period in whole hours.
func (p Policy) Hours() int { return int(p.period() / time.Hour) }

// Expired reports whether a record that arrived at arrivalMs (ms since the Unix epoch) has
// expired at now.
func (p Policy) Expired(arrivalMs int64, now time.Time) bool {
	return shard.Expired(arrivalMs, now.UnixMilli(), p.period())
}

// period returns the period, with the default for zero.
func (p Policy) period() time.Duration {
	if p.Period == 0 {
		return DefaultPeriod
	}
	return p.Period
}
