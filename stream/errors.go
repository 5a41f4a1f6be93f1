package stream

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shardlog/shardlog/internal/dirlock"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/segment"
)

// Errors of the Store's lifecycle.
var (
	// ErrClosed is returned by every operation of a Store after Close.
	ErrClosed = errors.New("stream: store closed")

	// ErrLocked is matched by the error of Open when another Store, in this process or
	// another, has the data directory open. The error names the directory and, when its
	// lock file tells it, the pid of the process that has it.
	ErrLocked = dirlock.ErrLocked
)

// ErrBadBase64 is matched by the error of a PutRecords with Base64 set whose record's data
// is not base64 text; the error names the record. Nothing of the request was written.
var ErrBadBase64 = errors.New("stream: record data is not base64")

// Errors from the iterator key and the catalog on disk.
var (
	// ErrBadSecret is returned by OpenIteratorKey and NewIteratorKey when the key is not
	// SecretSize bytes long.
	ErrBadSecret = errors.New("stream: iterator secret has the wrong size")

	// ErrCorruptCatalog is matched by *CatalogError: a catalog file that cannot be read back
	// as the stream it claims to hold.
	ErrCorruptCatalog = errors.New("stream: corrupt catalog file")
)

// CatalogError reports a catalog file that cannot be read back: which file and what failed.
// It matches ErrCorruptCatalog with errors.Is, and unwraps to the decoding error if any.
type CatalogError struct {
	Path   string // the catalog file
	Reason string // what failed, with the numbers
	Err    error  // the underlying error (JSON decoding, I/O), or nil
}

func (e *CatalogError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("stream: corrupt catalog file %s: %s: %v", e.Path, e.Reason, e.Err)
	}
	return fmt.Sprintf("stream: corrupt catalog file %s: %s", e.Path, e.Reason)
}

// Is reports whether target is ErrCorruptCatalog.
func (e *CatalogError) Is(target error) bool { return target == ErrCorruptCatalog }

// Unwrap returns the underlying error.
func (e *CatalogError) Unwrap() error { return e.Err }

// The constructors below make the *kinesis.Error of each refusal the store answers, in
// AWS's words. They are the only place the store spells out a message.

// in renders the "in stream <name> under account <acct>" that most messages share.
func in(stream, account string) string {
	return "in stream " + stream + " under account " + account
}

// Errors about streams.

// streamNotFound is the error for a stream that does not exist (or, for writes, is still
// CREATING).
func streamNotFound(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceNotFound, "Stream "+stream+" under account "+account+" not found.")
}

// streamExists is CreateStream's error for a name in use, in any state.
func streamExists(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "Stream "+stream+" under account "+account+" already exists.")
}

// streamNotActive is the error for an operation that needs an ACTIVE stream (resharding),
// given the stream's status.
func streamNotActive(stream, account string, status StreamStatus) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse,
		"Stream "+stream+" under account "+account+" not ACTIVE, instead in state "+string(status))
}

// shardLimitExceeded is the error for a request that would take the account over its
// limit of open shards: open is the open shard count of the account now, added the count
// the request would add.
func shardLimitExceeded(account, region string, open, limit, added int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "This request would exceed the shard limit for the account "+
		account+" in "+region+". Current shard count for the account: "+strconv.Itoa(open)+
		". Limit: "+strconv.Itoa(limit)+
		". Number of additional shards that would have resulted from this request: "+strconv.Itoa(added)+
		". Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html)"+
		" for current limits and how to request higher limits.")
}

// tooManyStreamsChanging is CreateStream's error when limit streams are CREATING or
// DELETING already. The words, the double space included, are AWS's, as a Terraform log
// quoted them (hashicorp/terraform-provider-aws#1339, 2017).
func tooManyStreamsChanging(account string, limit int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "This request would have exceed the limit on the number  of "+
		"streams that can simultaneously be in CREATING or DELETING for the account "+account+". Limit: "+strconv.Itoa(limit)+".")
}

// Errors about shards and positions in them.

// shardNotFound is the error for a well-formed shard id (canonical form) that the stream
// does not have, or any shard of a stream that does not exist.
func shardNotFound(shardID, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceNotFound, "Shard "+shardID+" "+in(stream, account)+" does not exist")
}

// couldNotFindShard is the error for a shard id that does not parse (ParseShardID), quoting
// it as given.
func couldNotFindShard(given, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceNotFound, "Could not find shard "+given+" "+in(stream, account)+".")
}

// iteratorTypeNeedsSequenceNumber is GetShardIterator's error for an iterator type that
// does not go with the presence (hasNumber) or absence of a StartingSequenceNumber.
func iteratorTypeNeedsSequenceNumber(iteratorType string, hasNumber bool) *kinesis.Error {
	end := " and no StartingSequenceNumber."
	if hasNumber {
		end = " and also a StartingSequenceNumber."
	}
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or "+
		"AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "+
		"StartingSequenceNumber. Request specified "+iteratorType+end)
}

// invalidStartingSequenceNumber is GetShardIterator's error for a StartingSequenceNumber
// that does not parse.
func invalidStartingSequenceNumber(number, shardID, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "StartingSequenceNumber "+number+
		" used in GetShardIterator on shard "+shardID+" "+in(stream, account)+" is invalid.")
}

// sequenceNumberForOtherShard is GetShardIterator's error for a StartingSequenceNumber that
// encodes the shard encodedShardID while the request names shardID.
func sequenceNumberForOtherShard(encodedShardID, shardID string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Invalid StartingSequenceNumber. It encodes "+
		encodedShardID+", while it was used in a call to a shard with "+shardID)
}

// sequenceNumberNotFromStream is GetShardIterator's error for a StartingSequenceNumber with
// the right shard index but another shard creation time or layout version: it comes from
// an earlier stream of the same name, or another server.
func sequenceNumberNotFromStream(number, shardID, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "StartingSequenceNumber "+number+
		" used in GetShardIterator on shard "+shardID+" "+in(stream, account)+
		" is invalid because it did not come from this stream.")
}

// timestampMissing is GetShardIterator's error for AT_TIMESTAMP without a Timestamp.
func timestampMissing() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Must specify timestampInMillis parameter for "+
		"iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
}

// timestampInFuture is GetShardIterator's error for an AT_TIMESTAMP Timestamp after now.
func timestampInFuture(timestampMs, nowMs int64) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "The timestampInMillis parameter cannot be greater "+
		"than the currentTimestampInMillis. timestampInMillis: "+strconv.FormatInt(timestampMs, 10)+
		", currentTimestampInMillis: "+strconv.FormatInt(nowMs, 10))
}

// invalidShardIterator is GetRecords' error for an iterator that is malformed, was not
// sealed by this server's key, or was tampered with.
func invalidShardIterator() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Invalid ShardIterator.")
}

// iteratorOfOtherStream is GetRecords' error for a StreamARN that is not the ARN of the
// stream the ShardIterator reads, iteratorStreamARN. AWS answers InvalidArgumentException;
// its message was not recorded, so this one follows the StreamARN and StreamName mismatch.
func iteratorOfOtherStream(streamARN, iteratorStreamARN string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "StreamARN "+streamARN+
		" does not match the stream of the ShardIterator, "+iteratorStreamARN+".")
}

// expiredIterator is GetRecords' error for an iterator issued more than IteratorLifetime
// ago, with both times in the format AWS uses ("Thu Jan 22 01:22:02 UTC 2015").
func expiredIterator(issuedMs, nowMs int64) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeExpiredIterator, "Iterator expired. The iterator was created at time "+
		awsTime(issuedMs)+" while right now it is "+awsTime(nowMs)+
		" which is further in the future than the tolerated delay of "+
		strconv.FormatInt(kinesis.IteratorLifetime.Milliseconds(), 10)+" milliseconds.")
}

// awsTime formats epoch milliseconds the way Java's Date.toString does in UTC, which is how
// AWS quotes times in ExpiredIteratorException.
func awsTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("Mon Jan 02 15:04:05 UTC 2006")
}

// Errors about writes.

// invalidExplicitHashKey is PutRecord(s)' error for an ExplicitHashKey outside
// [0, 2^128-1] (or not a number), quoting it as given.
func invalidExplicitHashKey(given string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in "+
		"the range: [0, 2^128-1]. Specified value was "+given)
}

// invalidSequenceNumberForOrdering is PutRecord's error for a SequenceNumberForOrdering
// that does not parse or encodes a time in the future.
func invalidSequenceNumberForOrdering(number, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "ExclusiveMinimumSequenceNumber "+number+
		" used in PutRecord "+"on stream "+stream+" under account "+account+" is invalid.")
}

// shardRateExceeded is the throttling error of a shard (whole PutRecord, or one PutRecords
// entry's ErrorCode and ErrorMessage).
func shardRateExceeded(shardID, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeProvisionedThroughputExceeded,
		"Rate exceeded for shard "+shardID+" "+in(stream, account)+".")
}

// shardReadRateExceeded is GetRecords' throttling error, in the form AWS answers it today
// (seen in a KCL log of 2025, awslabs/amazon-kinesis-client#1521): the account, stream and
// shard joined by slashes.
func shardReadRateExceeded(shardID, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeProvisionedThroughputExceeded,
		"Rate exceeded for Shard - "+account+"/"+stream+"/"+shardID)
}

// Errors about resharding.

// invalidSplitHashKey is SplitShard's error for a NewStartingHashKey that is not both
// greater than one plus the shard's StartingHashKey and less than its EndingHashKey.
func invalidSplitHashKey(key, shardID, stream, account string, r kinesis.HashKeyRange) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "NewStartingHashKey "+key+" used in SplitShard() on shard "+
		shardID+" "+in(stream, account)+" is not both greater than one plus the shard's StartingHashKey "+
		r.Start.String()+" and less than the shard's EndingHashKey "+r.End.String()+".")
}

// shardAlreadyResharded is SplitShard's and MergeShards' error for a closed shard.
func shardAlreadyResharded(shardID, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Shard "+shardID+" "+in(stream, account)+
		" has already been merged or split, and thus is not eligible for merging or splitting.")
}

// shardsNotAdjacent is MergeShards' error for shards whose hash ranges do not meet, in the
// order given (ShardToMerge's end + 1 must be AdjacentShardToMerge's start).
func shardsNotAdjacent(shardID, adjacentShardID, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Shards "+shardID+" and "+adjacentShardID+" "+
		in(stream, account)+" are not an adjacent pair of shards eligible for merging")
}

// UpdateShardCount's errors. AWS's texts were not recorded; these are kinesis-mock's.

// shardCountAboveDouble is UpdateShardCount's error for a target over twice the open shard
// count.
func shardCountAboveDouble() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Cannot update shard count beyond 2x current shard count")
}

// shardCountBelowHalf is UpdateShardCount's error for a target under half the open shard
// count.
func shardCountBelowHalf() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Cannot update shard count below 50% of the current shard count")
}

// shardCountAboveMax is UpdateShardCount's error for a target over 10000 shards.
func shardCountAboveMax() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Cannot scale a stream beyond 10000 shards")
}

// shardCountUpdatesExceeded is UpdateShardCount's error for an 11th scaling of a stream
// within 24 hours.
func shardCountUpdatesExceeded() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "Cannot run UpdateShardCount more than 10 times in a 24 hour period")
}

// Errors about retention.

// retentionTooShort is the error for a retention period under MinRetentionHours.
func retentionTooShort(hours int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Minimum allowed retention period is 24 hours. "+
		"Requested retention period ("+strconv.Itoa(hours)+" hours) is too short.")
}

// retentionTooLong is the error for a retention period over MaxRetentionHours. AWS's text
// was not recorded; this is kinesalite's, with today's maximum.
func retentionTooLong(hours int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Maximum allowed retention period is "+
		strconv.Itoa(kinesis.MaxRetentionHours)+" hours. Requested retention period ("+strconv.Itoa(hours)+
		" hours) is too long.")
}

// retentionNotIncreased is IncreaseStreamRetentionPeriod's error for a period shorter than
// the stream's current one.
func retentionNotIncreased(hours int, stream string, current int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Requested retention period ("+strconv.Itoa(hours)+
		" hours) for stream "+stream+" can not be shorter than existing retention period ("+
		strconv.Itoa(current)+" hours). Use DecreaseRetentionPeriod API.")
}

// retentionNotDecreased is DecreaseStreamRetentionPeriod's error for a period longer than
// the stream's current one.
func retentionNotDecreased(hours int, stream string, current int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Requested retention period ("+strconv.Itoa(hours)+
		" hours) for stream "+stream+" can not be longer than existing retention period ("+
		strconv.Itoa(current)+" hours). Use IncreaseRetentionPeriod API.")
}

// Errors about tags.

// tooManyTags is AddTagsToStream's error when the stream would have more than MaxTags
// tags. The "10" in the text is what AWS said when kinesalite recorded it, although the
// limit it enforced was 50.
func tooManyTags(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Failed to add tags to stream "+stream+" under account "+
		account+" because a given stream cannot have more than 10 tags associated with it.")
}

// invalidTagCharacters is the error for a tag key or value with a character outside the
// allowed set.
func invalidTagCharacters() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Some tags contain invalid characters. Valid characters: "+
		"Unicode letters, digits, white space, _ . / = + - % @.")
}

// illegalTagPercent is AddTagsToStream's error for a tag key or value containing '%'.
func illegalTagPercent(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Failed to add tags to stream "+stream+" under account "+
		account+" because some tags contained illegal characters. The allowed characters are "+
		"Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")
}

// Errors about ListShards arguments.

// nextTokenWithStreamName is ListShards' error for a NextToken sent together with a
// StreamName.
func nextTokenWithStreamName() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "NextToken and StreamName cannot be provided together.")
}

// noNextTokenNorStreamName is ListShards' error for a request with neither.
func noNextTokenNorStreamName() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Either NextToken or StreamName should be provided.")
}

// illegalRemoveTagPercent is RemoveTagsFromStream's error for a tag key containing '%'.
func illegalRemoveTagPercent(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Failed to remove tags from stream "+stream+" under account "+
		account+" because some tags contained illegal characters. The allowed characters are "+
		"Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")
}

// Errors about stream creation.

// shardCountMissing is CreateStream's error for a PROVISIONED stream without a ShardCount:
// the error AWS gave when the model still required the member.
func shardCountMissing() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeValidation, "1 validation error detected: Value null at 'shardCount' "+
		"failed to satisfy constraint: Member must not be null")
}

// More errors about ListShards and ListStreams arguments.

// nextTokenWith is ListShards' error for a NextToken sent together with member, one of
// ExclusiveStartShardId, StreamCreationTimestamp and ShardFilter (AWS's wording).
func nextTokenWith(member string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "NextToken and "+member+" cannot be provided together.")
}

// invalidNextToken is the error for a NextToken that shardlog did not issue, or that was
// issued for another stream. AWS's text was not recorded.
func invalidNextToken() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Invalid NextToken.")
}

// expiredNextToken is the error for a NextToken issued more than NextTokenLifetime ago.
// AWS's text was not recorded.
func expiredNextToken() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeExpiredNextToken, "The NextToken has expired. NextTokens are valid for "+
		strconv.FormatInt(kinesis.NextTokenLifetime.Milliseconds(), 10)+" milliseconds.")
}

// shardFilterNeedsShardID is ListShards' error for a ShardFilter of type AFTER_SHARD_ID
// without a ShardId (kinesis-mock's text; AWS's was not recorded).
func shardFilterNeedsShardID() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID")
}

// shardFilterNeedsTimestamp is ListShards' error for a ShardFilter of type AT_TIMESTAMP or
// FROM_TIMESTAMP without a Timestamp (kinesis-mock's text; AWS's was not recorded).
func shardFilterNeedsTimestamp() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP")
}

// Errors about resources named by ARN.

// resourceNotFound is the error for a ResourceARN that names no stream of this store: a
// stream that does not exist, one in another region or account, or a consumer.
func resourceNotFound(arn string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceNotFound, "Resource "+arn+" not found.")
}

// Errors of dry runs.

// dryRunSucceeded is the answer to a request with DryRun set that would have succeeded.
func dryRunSucceeded() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeDryRunOperation, "Request would have succeeded, but DryRun flag is set.")
}

// Errors of the server's storage. AWS words its InternalFailure as "Internal Service
// Failure" and says no more; these say what failed, so that a client (and its operator) can
// tell a full disk, which passes once space is freed, from damage, which does not.

// diskFull is the error of a write that found no space on the server's disk (whole PutRecord,
// or one PutRecords entry's ErrorCode and ErrorMessage). Nothing of the refused records is
// stored; the same request succeeds once space is freed.
func diskFull(shardID, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInternalFailure, "Internal Service Failure: the server's disk is full; "+
		"records for shard "+shardID+" "+in(stream, account)+" are not written until space is freed.")
}

// corruptRecords is GetRecords' error for a read whose first batch is damaged on disk: it
// names the segment file, the batch's byte position in it and what failed, and wraps ce.
func corruptRecords(shardID, stream, account string, ce *segment.CorruptionError) *kinesis.Error {
	e := kinesis.NewError(kinesis.TypeInternalFailure, "Internal Service Failure: shard "+shardID+" "+in(stream, account)+
		": corrupt batch at "+ce.Path+":"+strconv.FormatInt(ce.Offset, 10)+": "+ce.Reason)
	e.Err = ce
	return e
}

// Errors about resource policies. AWS's texts were not recorded; these say what is wrong.

// resourcePolicyNotJSON is PutResourcePolicy's error for a policy that is not a JSON object.
func resourcePolicyNotJSON() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Policy is not a valid JSON policy document: it must be a JSON object.")
}

// resourcePolicyTooLarge is PutResourcePolicy's error for a policy over
// MaxResourcePolicyBytes.
func resourcePolicyTooLarge(size int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Policy of "+strconv.Itoa(size)+
		" bytes exceeds the maximum size of "+strconv.Itoa(MaxResourcePolicyBytes)+" bytes.")
}

// Errors about record sizes and stream settings (recordsize.go, distribution.go,
// warmthroughput.go). Where AWS's text was not recorded, the message says what was refused
// and why, in the style of the others.

// maxRecordSizeOutOfRange is UpdateMaxRecordSize's error for a size outside [1024, 10240]
// KiB: the model's constraint, worded as the server words it.
func maxRecordSizeOutOfRange(kib int) *kinesis.Error {
	rule := "Member must have value greater than or equal to " + strconv.Itoa(kinesis.MinMaxRecordSizeKiB)
	if kib > kinesis.MaxMaxRecordSizeKiB {
		rule = "Member must have value less than or equal to " + strconv.Itoa(kinesis.MaxMaxRecordSizeKiB)
	}
	return kinesis.NewError(kinesis.TypeValidation, "1 validation error detected: Value '"+strconv.Itoa(kib)+
		"' at 'maxRecordSizeInKiB' failed to satisfy constraint: "+rule)
}

// recordOverMaxSize is PutRecord(s)' error for a record whose data is within the stream's
// maximum record size but whose data and partition key together are not (AWS's text was
// not recorded). i is the record's index in a PutRecords request.
func recordOverMaxSize(size, i int, single bool, info *StreamInfo) *kinesis.Error {
	which := "Record"
	if !single {
		which = "Record " + strconv.Itoa(i) + " of the request"
	}
	return kinesis.NewError(kinesis.TypeInvalidArgument, which+" has "+strconv.Itoa(size)+
		" bytes of data and partition key, more than the maximum record size of stream "+info.Name+
		" under account "+info.Account+": "+strconv.Itoa(info.MaxRecordSizeKiB)+" KiB.")
}

// recordsTooLarge is PutRecords' error for a request whose data and partition keys are over
// the limit of the stream, in bytes (AWS's text, which names the limit in whole MB).
func recordsTooLarge(limit int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Records size exceeds "+strconv.Itoa(limit>>20)+" MB limit")
}

// autoNeedsOnDemand is the error for the AUTO record distribution strategy on a stream that
// is not ON_DEMAND, which AWS answers with InvalidArgumentException.
func autoNeedsOnDemand(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Record distribution strategy AUTO is only supported for "+
		"ON_DEMAND streams. Stream "+stream+" under account "+account+" is PROVISIONED.")
}

// warmThroughputNeedsOnDemand is UpdateStreamWarmThroughput's error for a stream that is
// not ON_DEMAND.
func warmThroughputNeedsOnDemand(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Warm throughput is only supported for ON_DEMAND streams. "+
		"Stream "+stream+" under account "+account+" is PROVISIONED.")
}

// warmThroughputNeedsCommitment is UpdateStreamWarmThroughput's error in an account whose
// minimum throughput billing commitment is not in force.
func warmThroughputNeedsCommitment(account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Warm throughput requires the "+
		"MinimumThroughputBillingCommitment of account "+account+" to be ENABLED (UpdateAccountSettings).")
}

// warmThroughputTooHigh is UpdateStreamWarmThroughput's error for more than
// MaxWarmThroughputMiBps, AWS's default limit ("Scale to more than 10 GiBps").
func warmThroughputTooHigh(mibps int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "Requested warm throughput of "+strconv.Itoa(mibps)+
		" MiBps exceeds the limit of "+strconv.Itoa(MaxWarmThroughputMiBps)+" MiBps for an on-demand stream.")
}

// warmThroughputNegative is UpdateStreamWarmThroughput's error for a negative throughput:
// the model's constraint, worded as the server words it.
func warmThroughputNegative(mibps int) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeValidation, "1 validation error detected: Value '"+strconv.Itoa(mibps)+
		"' at 'warmThroughputMiBps' failed to satisfy constraint: Member must have value greater than or equal to 0")
}

// Errors about stream settings (streammode.go, encryption.go). AWS's texts for these were not
// recorded; where kinesis-mock has one it is used, and the others follow the wording of AWS's
// other messages.

// streamModeUnchanged is UpdateStreamMode's error for the mode the stream is in.
func streamModeUnchanged(stream, account string, mode StreamMode) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Stream "+stream+" under account "+account+
		" is already in "+string(mode)+" capacity mode.")
}

// streamModeChangesExceeded is UpdateStreamMode's error for a third switch within 24 hours.
func streamModeChangesExceeded(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "Stream "+stream+" under account "+account+
		" has already switched its capacity mode "+strconv.Itoa(MaxModeChangesPerDay)+
		" times in the last 24 hours.")
}

// shardCountWithOnDemand is CreateStream's error for a ShardCount with StreamMode ON_DEMAND,
// in the words AWS CloudFormation reports for it (aws-cdk#18247).
func shardCountWithOnDemand() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "ShardCount is not expected when StreamMode=ON_DEMAND")
}

// reshardOnDemand is the error of UpdateShardCount on an ON_DEMAND stream: AWS documents the
// operation as "only supported for the data streams with the provisioned capacity mode".
func reshardOnDemand(op, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, op+" is not supported for stream "+stream+
		" under account "+account+" because it is in ON_DEMAND capacity mode.")
}

// The EncryptionType and KeyId errors of Start/StopStreamEncryption are kinesis-mock's texts.

// encryptionTypeNotKMS is the error for an EncryptionType other than KMS.
func encryptionTypeNotKMS() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "KMS is the only valid EncryptionType for this request")
}

// keyIDNotARN is the error for a KeyId that starts as an ARN but is not the ARN of a KMS
// key or alias.
func keyIDNotARN() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Received KeyId ARN is not a properly formatted ARN")
}

// keyIDNotAliasOrGUID is the error for a KeyId that is neither an ARN, an alias name nor a
// key id.
func keyIDNotAliasOrGUID() *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Received KeyId is not a properly formatted Alias or GUID")
}

// streamNotEncrypted is StopStreamEncryption's error for a stream that is not encrypted.
func streamNotEncrypted(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "Stream "+stream+" under account "+account+
		" is not encrypted.")
}

// keyIDMismatch is StopStreamEncryption's error for a KeyId other than the stream's.
func keyIDMismatch(keyID, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeInvalidArgument, "KeyId "+keyID+" is not the key stream "+stream+
		" under account "+account+" is encrypted with.")
}

// encryptionChangesExceeded is the error for the 26th encryption change within 24 hours.
func encryptionChangesExceeded(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "Stream "+stream+" under account "+account+
		" has already changed its encryption "+strconv.Itoa(MaxEncryptionChangesPerDay)+
		" times in the last 24 hours.")
}

// Errors about enhanced fan-out consumers (consumers.go). AWS's texts were not recorded,
// except where said: these follow the words of its other messages.

// consumerNotFound is the error for a consumer that does not exist, named by its ARN or by
// its name: moto's text, which LocalStack's users quote from AWS as "Consumer <name or ARN>
// … not found."
func consumerNotFound(consumer, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceNotFound, "Consumer "+consumer+", account "+account+" not found.")
}

// consumerExists is RegisterStreamConsumer's error for a name the stream has registered
// already, in any status.
func consumerExists(consumer, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "Consumer "+consumer+" under stream "+stream+
		" and account "+account+" already exists.")
}

// consumerNotActive is the error for a consumer that must be ACTIVE and is CREATING or
// DELETING: AWS's text (seen in a CloudFormation failure to attach a resource policy to a
// consumer still CREATING), with the creation time in epoch seconds, as in the ARN.
func consumerNotActive(consumer string, createdSec int64, stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "Consumer "+consumer+" with creation timestamp "+
		strconv.FormatInt(createdSec, 10)+" under stream "+stream+" and account "+account+" is not in ACTIVE status.")
}

// consumerLimitExceeded is RegisterStreamConsumer's error for a stream that has
// kinesis.MaxConsumers consumers.
func consumerLimitExceeded(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "Stream "+stream+" under account "+account+
		" already has "+strconv.Itoa(kinesis.MaxConsumers)+" registered consumers, the most a stream can have.")
}

// creatingConsumersLimitExceeded is RegisterStreamConsumer's error while
// kinesis.MaxCreatingConsumers consumers are CREATING.
func creatingConsumersLimitExceeded(account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeLimitExceeded, "Account "+account+" already has "+
		strconv.Itoa(kinesis.MaxCreatingConsumers)+" consumers in CREATING status; "+
		"only "+strconv.Itoa(kinesis.MaxCreatingConsumers)+" consumers can be created at the same time.")
}

// streamHasConsumers is DeleteStream's error, without EnforceConsumerDeletion, for a stream
// that has consumers.
func streamHasConsumers(stream, account string) *kinesis.Error {
	return kinesis.NewError(kinesis.TypeResourceInUse, "Stream "+stream+" under account "+account+
		" has registered consumers. Deregister them, or set EnforceConsumerDeletion to delete them with the stream.")
}
