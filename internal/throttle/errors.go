package throttle

import "github.com/shardlog/shardlog/kinesis"

// RateExceeded is the LimitExceededException of a control-plane call over its rate, in
// AWS's words: naming the stream the call names ("Rate exceeded for stream S under account
// A.", as botocore#821 and many client logs quote it), or the account when it names none
// ("Rate exceeded for account A.", Graylog2/graylog-plugin-integrations#341).
func RateExceeded(stream, account string) *kinesis.Error {
	if stream == "" {
		return kinesis.NewError(kinesis.TypeLimitExceeded, "Rate exceeded for account "+account+".")
	}
	return kinesis.NewError(kinesis.TypeLimitExceeded, "Rate exceeded for stream "+stream+" under account "+account+".")
}
