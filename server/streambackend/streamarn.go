package streambackend

import "context"

// CheckStreamARN lets the server refuse a StreamARN of another partition, region or
// account (server.StreamARNChecker).
func (b *backend) CheckStreamARN(_ context.Context, arn string) error {
	return b.store.CheckStreamARN(arn)
}
