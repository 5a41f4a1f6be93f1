package kinesis

import "strings"

// streamARNMarker separates a stream ARN's account from the stream name.
const streamARNMarker = ":stream/"

// StreamARN returns the ARN of the stream named name in region and account:
// arn:aws:kinesis:<region>:<account>:stream/<name>. With an empty name it is the prefix
// that every stream ARN of that region and account starts with.
func StreamARN(region, account, name string) string {
	return "arn:aws:kinesis:" + region + ":" + account + streamARNMarker + name
}

// StreamNameFromARN returns the stream name at the end of a stream ARN, what follows its
// last ":stream/", and false if it has none. It checks nothing else: the server has already
// matched the ARN against the API's pattern, and a store compares the whole ARN with
// StreamARN before it trusts the region and account.
func StreamNameFromARN(arn string) (string, bool) {
	i := strings.LastIndex(arn, streamARNMarker)
	if i < 0 {
		return "", false
	}
	return arn[i+len(streamARNMarker):], true
}
