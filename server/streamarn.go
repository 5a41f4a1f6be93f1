package server

import "context"

// StreamARNChecker is implemented by a Backend that can tell whether a StreamARN names one
// of its streams: one whose partition, region or account is not the Backend's names no
// stream, even when a stream of the Backend has its name. The server asks it about the
// StreamARN of every request that has one, once the name is filled in from it, so that no
// operation reaches a local stream through a foreign ARN. A Backend without it gets the
// stream the ARN's name names.
type StreamARNChecker interface {
	// CheckStreamARN returns nil for an ARN of the Backend's, and the error the client
	// gets (ResourceNotFoundException) otherwise.
	CheckStreamARN(ctx context.Context, arn string) error
}

// checkStreamARN asks the Backend, if it can tell, whether arn is one of its streams.
func (c *call) checkStreamARN(arn string) error {
	checker, ok := c.s.backend.(StreamARNChecker)
	if arn == "" || !ok {
		return nil
	}
	return checker.CheckStreamARN(c.ctx, arn)
}
