package kinesis

import (
	"strconv"
	"strings"
)

// consumerARNMarker separates a consumer ARN's stream ARN from the consumer's name.
const consumerARNMarker = "/consumer/"

// Limits of enhanced fan-out consumers (KINESIS-API.md §2.8, §3.11).
const (
	MaxConsumers         = 20  // consumers registered to one stream (AWS's default quota)
	MaxCreatingConsumers = 5   // consumers CREATING at once
	MaxConsumerNameLen   = 128 // the longest consumer name
	MaxListConsumers     = 100 // consumers one ListStreamConsumers returns at most (and by default)
)

// ConsumerARN returns the ARN of the consumer named name of the stream streamARN, registered
// at createdSec (epoch seconds): <stream ARN>/consumer/<name>:<createdSec>. The creation
// time tells apart consumers that had the same name, so a consumer registered again gets
// another ARN.
func ConsumerARN(streamARN, name string, createdSec int64) string {
	return streamARN + consumerARNMarker + name + ":" + strconv.FormatInt(createdSec, 10)
}

// ParseConsumerARN splits a consumer ARN into the ARN of its stream, the consumer's name and
// its creation time in epoch seconds, and returns false for text that is not one: no
// "/consumer/" after the stream ARN, a name outside [a-zA-Z0-9_.-]{1,128}, or a time that
// is not a decimal number. Whether the stream ARN names a stream of this place is the
// caller's to check, as with StreamNameFromARN.
func ParseConsumerARN(arn string) (streamARN, name string, createdSec int64, ok bool) {
	i := strings.LastIndex(arn, consumerARNMarker)
	if i < 0 || !strings.Contains(arn[:i], streamARNMarker) {
		return "", "", 0, false
	}
	rest := arn[i+len(consumerARNMarker):]
	j := strings.LastIndexByte(rest, ':')
	if j < 0 || !ValidConsumerName(rest[:j]) {
		return "", "", 0, false
	}
	sec, err := strconv.ParseInt(rest[j+1:], 10, 64)
	if err != nil || sec < 0 || rest[j+1] == '+' {
		return "", "", 0, false
	}
	return arn[:i], rest[:j], sec, true
}

// ValidConsumerName reports whether name is a consumer name the API allows: 1 to 128
// characters from a-z, A-Z, 0-9, '_', '.', '-'.
func ValidConsumerName(name string) bool {
	if name == "" || len(name) > MaxConsumerNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
