package streambackend

import (
	"context"
	"time"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// NewWithPushWait is New with the waits of subscriptions for their push meter made by wait.
func NewWithPushWait(s *stream.Store, wait func(ctx context.Context, d time.Duration) error) server.Backend {
	return &backend{store: s, pushWait: wait}
}
