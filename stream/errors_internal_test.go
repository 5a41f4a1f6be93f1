package stream

import (
	"testing"

	"github.com/shardlog/shardlog/kinesis"
)

// The messages below are copied from KINESIS-API.md §2 with its placeholders filled in; a
// change to any of them is a change that clients can see.
func TestErrorMessages(t *testing.T) {
	const (
		name = "orders"
		acct = "000000000000"
	)
	r := kinesis.UniformHashKeyRanges(2)[0]
	tests := []struct {
		err      *kinesis.Error
		wantType string
		wantMsg  string
	}{
		{streamNotFound(name, acct), "ResourceNotFoundException",
			"Stream orders under account 000000000000 not found."},
		{streamExists(name, acct), "ResourceInUseException",
			"Stream orders under account 000000000000 already exists."},
		{streamNotActive(name, acct, StatusUpdating), "ResourceInUseException",
			"Stream orders under account 000000000000 not ACTIVE, instead in state UPDATING"},
		{shardLimitExceeded(acct, "us-east-1", 9, 10, 2), "LimitExceededException",
			"This request would exceed the shard limit for the account 000000000000 in us-east-1. Current shard count for the account: 9. Limit: 10. Number of additional shards that would have resulted from this request: 2. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits."},
		{shardNotFound("shardId-000000000005", name, acct), "ResourceNotFoundException",
			"Shard shardId-000000000005 in stream orders under account 000000000000 does not exist"},
		{couldNotFindShard("shardId-x", name, acct), "ResourceNotFoundException",
			"Could not find shard shardId-x in stream orders under account 000000000000."},
		{iteratorTypeNeedsSequenceNumber("LATEST", true), "InvalidArgumentException",
			"Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified LATEST and also a StartingSequenceNumber."},
		{iteratorTypeNeedsSequenceNumber("AT_SEQUENCE_NUMBER", false), "InvalidArgumentException",
			"Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."},
		{invalidStartingSequenceNumber("123", "shardId-000000000000", name, acct), "InvalidArgumentException",
			"StartingSequenceNumber 123 used in GetShardIterator on shard shardId-000000000000 in stream orders under account 000000000000 is invalid."},
		{sequenceNumberForOtherShard("shardId-000000000001", "shardId-000000000000"), "InvalidArgumentException",
			"Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard with shardId-000000000000"},
		{sequenceNumberNotFromStream("123", "shardId-000000000000", name, acct), "InvalidArgumentException",
			"StartingSequenceNumber 123 used in GetShardIterator on shard shardId-000000000000 in stream orders under account 000000000000 is invalid because it did not come from this stream."},
		{timestampMissing(), "InvalidArgumentException",
			"Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."},
		{timestampInFuture(1700000001000, 1700000000000), "InvalidArgumentException",
			"The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: 1700000001000, currentTimestampInMillis: 1700000000000"},
		{invalidShardIterator(), "InvalidArgumentException", "Invalid ShardIterator."},
		{iteratorOfOtherStream("arn:aws:kinesis:us-east-1:000000000000:stream/w", "arn:aws:kinesis:us-east-1:000000000000:stream/w2"), "InvalidArgumentException",
			"StreamARN arn:aws:kinesis:us-east-1:000000000000:stream/w does not match the stream of the ShardIterator, arn:aws:kinesis:us-east-1:000000000000:stream/w2."},
		{expiredIterator(1421889722000, 1421890022001), "ExpiredIteratorException",
			"Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 UTC 2015 while right now it is Thu Jan 22 01:27:02 UTC 2015 which is further in the future than the tolerated delay of 300000 milliseconds."},
		{expiredIterator(0, 86400000*2+300001), "ExpiredIteratorException",
			"Iterator expired. The iterator was created at time Thu Jan 01 00:00:00 UTC 1970 while right now it is Sat Jan 03 00:05:00 UTC 1970 which is further in the future than the tolerated delay of 300000 milliseconds."},
		{invalidExplicitHashKey("-1"), "InvalidArgumentException",
			"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was -1"},
		{invalidSequenceNumberForOrdering("999", name, acct), "InvalidArgumentException",
			"ExclusiveMinimumSequenceNumber 999 used in PutRecord on stream orders under account 000000000000 is invalid."},
		{shardRateExceeded("shardId-000000000000", name, acct), "ProvisionedThroughputExceededException",
			"Rate exceeded for shard shardId-000000000000 in stream orders under account 000000000000."},
		{invalidSplitHashKey("5", "shardId-000000000000", name, acct, r), "InvalidArgumentException",
			"NewStartingHashKey 5 used in SplitShard() on shard shardId-000000000000 in stream orders under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey 170141183460469231731687303715884105727."},
		{shardAlreadyResharded("shardId-000000000000", name, acct), "InvalidArgumentException",
			"Shard shardId-000000000000 in stream orders under account 000000000000 has already been merged or split, and thus is not eligible for merging or splitting."},
		{shardsNotAdjacent("shardId-000000000001", "shardId-000000000000", name, acct), "InvalidArgumentException",
			"Shards shardId-000000000001 and shardId-000000000000 in stream orders under account 000000000000 are not an adjacent pair of shards eligible for merging"},
		{shardCountAboveDouble(), "InvalidArgumentException", "Cannot update shard count beyond 2x current shard count"},
		{shardCountBelowHalf(), "InvalidArgumentException", "Cannot update shard count below 50% of the current shard count"},
		{shardCountAboveMax(), "InvalidArgumentException", "Cannot scale a stream beyond 10000 shards"},
		{shardCountUpdatesExceeded(), "LimitExceededException", "Cannot run UpdateShardCount more than 10 times in a 24 hour period"},
		{retentionTooShort(23), "InvalidArgumentException",
			"Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short."},
		{retentionTooLong(8761), "InvalidArgumentException",
			"Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long."},
		{retentionNotIncreased(24, name, 48), "InvalidArgumentException",
			"Requested retention period (24 hours) for stream orders can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API."},
		{retentionNotDecreased(72, name, 48), "InvalidArgumentException",
			"Requested retention period (72 hours) for stream orders can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API."},
		{tooManyTags(name, acct), "InvalidArgumentException",
			"Failed to add tags to stream orders under account 000000000000 because a given stream cannot have more than 10 tags associated with it."},
		{invalidTagCharacters(), "InvalidArgumentException",
			"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."},
		{illegalTagPercent(name, acct), "InvalidArgumentException",
			"Failed to add tags to stream orders under account 000000000000 because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."},
		{nextTokenWithStreamName(), "InvalidArgumentException", "NextToken and StreamName cannot be provided together."},
		{noNextTokenNorStreamName(), "InvalidArgumentException", "Either NextToken or StreamName should be provided."},
	}
	for _, tt := range tests {
		if tt.err.Type != tt.wantType || tt.err.ErrorType() != tt.wantType {
			t.Errorf("type = %s (ErrorType %s), want %s, for %q", tt.err.Type, tt.err.ErrorType(), tt.wantType, tt.wantMsg)
		}
		if tt.err.Message != tt.wantMsg {
			t.Errorf("message =\n%s\nwant\n%s", tt.err.Message, tt.wantMsg)
		}
	}
}
