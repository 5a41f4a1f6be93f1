package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// defaultTailBackoff is tail's first wait before it tries a server that went away again;
// the wait doubles with each failed try, up to maxTailBackoff.
const (
	defaultTailBackoff = 100 * time.Millisecond
	maxTailBackoff     = 5 * time.Second
)

// resumePosition is where a shard is read from again: after the last record printed, or
// where it started if none was.
func resumePosition(sh *tailShard, last string) position {
	if last == "" {
		return sh.start
	}
	return position{typ: types.ShardIteratorTypeAfterSequenceNumber, seq: last}
}

// pinLatest turns a LATEST start into the time the shard's first iterator was asked for:
// LATEST means the records that arrive from the start of the tail on, and a resumption at a
// new LATEST would skip those that arrived while the server was away. Only the shard's own
// reader calls it.
func pinLatest(sh *tailShard, asked time.Time) {
	if sh.start.typ == types.ShardIteratorTypeLatest {
		sh.start = position{typ: types.ShardIteratorTypeAtTimestamp, time: asked}
	}
}

// reconnect waits, with backoff, until the server answers again, and returns an iterator
// of the shard after the last record printed. cause is the error that showed the server
// away. It gives up only when ctx is done or the server answers with an error of another
// kind (the stream was deleted while it was away, say).
func (t *tailer) reconnect(ctx context.Context, sh *tailShard, last string, cause error) (*string, error) {
	wait := t.cfg.backoff
	if wait <= 0 {
		wait = defaultTailBackoff
	}
	longest := t.cfg.maxBackoff
	if longest <= 0 {
		longest = maxTailBackoff
	}
	for {
		t.gone(cause)
		if err := pause(ctx, wait); err != nil {
			return nil, err
		}
		it, err := t.iterator(ctx, sh.id, resumePosition(sh, last))
		if !isUnavailable(err) {
			return it, err
		}
		cause = err
		wait = min(2*wait, longest)
	}
}

// gone says once on stderr that the server went away, until back is called.
func (t *tailer) gone(cause error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.away {
		t.away = true
		fmt.Fprintf(t.stderr, "shardlog tail: lost %s (%s); reconnecting\n", t.endpoint(), unavailableCause(cause))
	}
}

// back says that the server answers again, if it had gone.
func (t *tailer) back() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.away {
		t.away = false
		fmt.Fprintf(t.stderr, "shardlog tail: reconnected to %s\n", t.endpoint())
	}
}

func (t *tailer) endpoint() string {
	if t.cfg.client.endpoint == "" {
		return "the Kinesis endpoint"
	}
	return t.cfg.client.endpoint
}
