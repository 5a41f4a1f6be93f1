package stream

import (
	"strings"

	"github.com/shardlog/shardlog/kinesis"
)

// CheckStreamARN reports whether a StreamARN names a stream of this store: its partition,
// region and account must be the store's. One that names another place names no stream
// here, even if a stream of this store has its name, and is streamNotFound in the words of
// the account it names, as AWS, which routes a request by its ARN, would answer it.
func (s *Store) CheckStreamARN(arn string) error {
	name, _ := kinesis.StreamNameFromARN(arn)
	if arn == s.StreamARN(name) {
		return nil
	}
	return streamNotFound(name, arnAccount(arn))
}

// arnAccount returns the account of a stream ARN, the field before its last ":stream/",
// which the API's pattern makes 12 digits.
func arnAccount(arn string) string {
	head, _, _ := strings.Cut(arn, ":stream/")
	if i := strings.LastIndexByte(head, ':'); i >= 0 {
		return head[i+1:]
	}
	return head
}
