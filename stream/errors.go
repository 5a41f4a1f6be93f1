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

// Kinesis error types (the __type a client sees), for Error.Type.
const (
	TypeResourceNotFound              = "ResourceNotFoundException"
	TypeResourceInUse                 = "ResourceInUseException"
	TypeInvalidArgument               = "InvalidArgumentException"
	TypeExpiredIterator               = "ExpiredIteratorException"
	TypeLimitExceeded                 = "LimitExceededException"
	TypeProvisionedThroughputExceeded = "ProvisionedThroughputExceededException"
	TypeExpiredNextToken              = "ExpiredNextTokenException"
	TypeValidation                    = "ValidationException"
	TypeDryRunOperation               = "DryRunOperationException"
	// TypeInternalFailure is the one server fault: the server answers it with HTTP 500.
	TypeInternalFailure = "InternalFailure"
)

// Error is a Kinesis-level error: what the client did that Kinesis refuses, in the words
// Kinesis uses. The server renders it as HTTP 400 with {"__type": Type, "message": Message}
// (500 for TypeInternalFailure, the errors of the server's own storage).
// The messages are quoted from AWS (as recorded by kinesalite's tests against AWS and by
// KINESIS-API.md §2), because clients and conformance tests compare them byte for byte.
//
// errors.Is(err, &Error{Type: t}) reports whether err is an *Error of type t; a non-empty
// Message in the target must match too.
type Error struct {
	Type    string // the Kinesis error type, one of the Type… constants
	Message string // the message, exactly as AWS words it
	Err     error  // the cause, for errors.Is and errors.As; never sent to the client
}

func (e *Error) Error() string { return "stream: " + e.Type + ": " + e.Message }

// ErrorType returns the Kinesis error type, which the server sends as __type.
func (e *Error) ErrorType() string { return e.Type }

// Is reports whether target is an *Error of the same type and, if the target has a message,
// the same message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Type == e.Type && (t.Message == "" || t.Message == e.Message)
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.Err }

func kinesisError(typ string, message string) *Error {
	return &Error{Type: typ, Message: message}
}

// in renders the "in stream <name> under account <acct>" that most messages share.
func in(stream, account string) string {
	return "in stream " + stream + " under account " + account
}

// Errors about streams.

// StreamNotFound is the error for a stream that does not exist (or, for writes, is still
// CREATING).
func StreamNotFound(stream, account string) *Error {
	return kinesisError(TypeResourceNotFound, "Stream "+stream+" under account "+account+" not found.")
}

// StreamExists is CreateStream's error for a name in use, in any state.
func StreamExists(stream, account string) *Error {
	return kinesisError(TypeResourceInUse, "Stream "+stream+" under account "+account+" already exists.")
}

// StreamNotActive is the error for an operation that needs an ACTIVE stream (resharding),
// given the stream's status.
func StreamNotActive(stream, account string, status StreamStatus) *Error {
	return kinesisError(TypeResourceInUse,
		"Stream "+stream+" under account "+account+" not ACTIVE, instead in state "+string(status))
}

// ShardLimitExceeded is the error for a request that would take the account over its
// limit of open shards: open is the open shard count of the account now, added the count
// the request would add.
func ShardLimitExceeded(account, region string, open, limit, added int) *Error {
	return kinesisError(TypeLimitExceeded, "This request would exceed the shard limit for the account "+
		account+" in "+region+". Current shard count for the account: "+strconv.Itoa(open)+
		". Limit: "+strconv.Itoa(limit)+
		". Number of additional shards that would have resulted from this request: "+strconv.Itoa(added)+
		". Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html)"+
		" for current limits and how to request higher limits.")
}

// Errors about shards and positions in them.

// ShardNotFound is the error for a well-formed shard id (canonical form) that the stream
// does not have, or any shard of a stream that does not exist.
func ShardNotFound(shardID, stream, account string) *Error {
	return kinesisError(TypeResourceNotFound, "Shard "+shardID+" "+in(stream, account)+" does not exist")
}

// CouldNotFindShard is the error for a shard id that does not parse (ParseShardID), quoting
// it as given.
func CouldNotFindShard(given, stream, account string) *Error {
	return kinesisError(TypeResourceNotFound, "Could not find shard "+given+" "+in(stream, account)+".")
}

// IteratorTypeNeedsSequenceNumber is GetShardIterator's error for an iterator type that
// does not go with the presence (hasNumber) or absence of a StartingSequenceNumber.
func IteratorTypeNeedsSequenceNumber(iteratorType string, hasNumber bool) *Error {
	end := " and no StartingSequenceNumber."
	if hasNumber {
		end = " and also a StartingSequenceNumber."
	}
	return kinesisError(TypeInvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or "+
		"AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "+
		"StartingSequenceNumber. Request specified "+iteratorType+end)
}

// InvalidStartingSequenceNumber is GetShardIterator's error for a StartingSequenceNumber
// that does not parse.
func InvalidStartingSequenceNumber(number, shardID, stream, account string) *Error {
	return kinesisError(TypeInvalidArgument, "StartingSequenceNumber "+number+
		" used in GetShardIterator on shard "+shardID+" "+in(stream, account)+" is invalid.")
}

// SequenceNumberForOtherShard is GetShardIterator's error for a StartingSequenceNumber that
// encodes the shard encodedShardID while the request names shardID.
func SequenceNumberForOtherShard(encodedShardID, shardID string) *Error {
	return kinesisError(TypeInvalidArgument, "Invalid StartingSequenceNumber. It encodes "+
		encodedShardID+", while it was used in a call to a shard with "+shardID)
}

// SequenceNumberNotFromStream is GetShardIterator's error for a StartingSequenceNumber with
// the right shard index but another shard creation time or layout version: it comes from
// an earlier stream of the same name, or another server.
func SequenceNumberNotFromStream(number, shardID, stream, account string) *Error {
	return kinesisError(TypeInvalidArgument, "StartingSequenceNumber "+number+
		" used in GetShardIterator on shard "+shardID+" "+in(stream, account)+
		" is invalid because it did not come from this stream.")
}

// TimestampMissing is GetShardIterator's error for AT_TIMESTAMP without a Timestamp.
func TimestampMissing() *Error {
	return kinesisError(TypeInvalidArgument, "Must specify timestampInMillis parameter for "+
		"iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
}

// TimestampInFuture is GetShardIterator's error for an AT_TIMESTAMP Timestamp after now.
func TimestampInFuture(timestampMs, nowMs int64) *Error {
	return kinesisError(TypeInvalidArgument, "The timestampInMillis parameter cannot be greater "+
		"than the currentTimestampInMillis. timestampInMillis: "+strconv.FormatInt(timestampMs, 10)+
		", currentTimestampInMillis: "+strconv.FormatInt(nowMs, 10))
}

// InvalidShardIterator is GetRecords' error for an iterator that is malformed, was not
// sealed by this server's key, or was tampered with.
func InvalidShardIterator() *Error {
	return kinesisError(TypeInvalidArgument, "Invalid ShardIterator.")
}

// IteratorOfOtherStream is GetRecords' error for a StreamARN that is not the ARN of the
// stream the ShardIterator reads, iteratorStreamARN. AWS answers InvalidArgumentException;
// its message was not recorded, so this one follows the StreamARN and StreamName mismatch.
func IteratorOfOtherStream(streamARN, iteratorStreamARN string) *Error {
	return kinesisError(TypeInvalidArgument, "StreamARN "+streamARN+
		" does not match the stream of the ShardIterator, "+iteratorStreamARN+".")
}

// ExpiredIterator is GetRecords' error for an iterator issued more than IteratorLifetime
// ago, with both times in the format AWS uses ("Thu Jan 22 01:22:02 UTC 2015").
func ExpiredIterator(issuedMs, nowMs int64) *Error {
	return kinesisError(TypeExpiredIterator, "Iterator expired. The iterator was created at time "+
		awsTime(issuedMs)+" while right now it is "+awsTime(nowMs)+
		" which is further in the future than the tolerated delay of "+
		strconv.FormatInt(IteratorLifetime.Milliseconds(), 10)+" milliseconds.")
}

// awsTime formats epoch milliseconds the way Java's Date.toString does in UTC, which is how
// AWS quotes times in ExpiredIteratorException.
func awsTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("Mon Jan 02 15:04:05 UTC 2006")
}

// Errors about writes.

// InvalidExplicitHashKey is PutRecord(s)' error for an ExplicitHashKey outside
// [0, 2^128-1] (or not a number), quoting it as given.
func InvalidExplicitHashKey(given string) *Error {
	return kinesisError(TypeInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in "+
		"the range: [0, 2^128-1]. Specified value was "+given)
}

// InvalidSequenceNumberForOrdering is PutRecord's error for a SequenceNumberForOrdering
// that does not parse or encodes a time in the future.
func InvalidSequenceNumberForOrdering(number, stream, account string) *Error {
	return kinesisError(TypeInvalidArgument, "ExclusiveMinimumSequenceNumber "+number+
		" used in PutRecord "+"on stream "+stream+" under account "+account+" is invalid.")
}

// ShardRateExceeded is the throttling error of a shard (whole PutRecord, or one PutRecords
// entry's ErrorCode and ErrorMessage).
func ShardRateExceeded(shardID, stream, account string) *Error {
	return kinesisError(TypeProvisionedThroughputExceeded,
		"Rate exceeded for shard "+shardID+" "+in(stream, account)+".")
}

// Errors about resharding.

// InvalidSplitHashKey is SplitShard's error for a NewStartingHashKey that is not both
// greater than one plus the shard's StartingHashKey and less than its EndingHashKey.
func InvalidSplitHashKey(key, shardID, stream, account string, r kinesis.HashKeyRange) *Error {
	return kinesisError(TypeInvalidArgument, "NewStartingHashKey "+key+" used in SplitShard() on shard "+
		shardID+" "+in(stream, account)+" is not both greater than one plus the shard's StartingHashKey "+
		r.Start.String()+" and less than the shard's EndingHashKey "+r.End.String()+".")
}

// ShardAlreadyResharded is SplitShard's and MergeShards' error for a closed shard.
func ShardAlreadyResharded(shardID, stream, account string) *Error {
	return kinesisError(TypeInvalidArgument, "Shard "+shardID+" "+in(stream, account)+
		" has already been merged or split, and thus is not eligible for merging or splitting.")
}

// ShardsNotAdjacent is MergeShards' error for shards whose hash ranges do not meet, in the
// order given (ShardToMerge's end + 1 must be AdjacentShardToMerge's start).
func ShardsNotAdjacent(shardID, adjacentShardID, stream, account string) *Error {
	return kinesisError(TypeInvalidArgument, "Shards "+shardID+" and "+adjacentShardID+" "+
		in(stream, account)+" are not an adjacent pair of shards eligible for merging")
}

// UpdateShardCount's errors. AWS's texts were not recorded; these are kinesis-mock's.

// ShardCountAboveDouble is UpdateShardCount's error for a target over twice the open shard
// count.
func ShardCountAboveDouble() *Error {
	return kinesisError(TypeInvalidArgument, "Cannot update shard count beyond 2x current shard count")
}

// ShardCountBelowHalf is UpdateShardCount's error for a target under half the open shard
// count.
func ShardCountBelowHalf() *Error {
	return kinesisError(TypeInvalidArgument, "Cannot update shard count below 50% of the current shard count")
}

// ShardCountAboveMax is UpdateShardCount's error for a target over 10000 shards.
func ShardCountAboveMax() *Error {
	return kinesisError(TypeInvalidArgument, "Cannot scale a stream beyond 10000 shards")
}

// ShardCountUpdatesExceeded is UpdateShardCount's error for an 11th scaling of a stream
// within 24 hours.
func ShardCountUpdatesExceeded() *Error {
	return kinesisError(TypeLimitExceeded, "Cannot run UpdateShardCount more than 10 times in a 24 hour period")
}

// Errors about retention.

// RetentionTooShort is the error for a retention period under MinRetentionHours.
func RetentionTooShort(hours int) *Error {
	return kinesisError(TypeInvalidArgument, "Minimum allowed retention period is 24 hours. "+
		"Requested retention period ("+strconv.Itoa(hours)+" hours) is too short.")
}

// RetentionTooLong is the error for a retention period over MaxRetentionHours. AWS's text
// was not recorded; this is kinesalite's, with today's maximum.
func RetentionTooLong(hours int) *Error {
	return kinesisError(TypeInvalidArgument, "Maximum allowed retention period is "+
		strconv.Itoa(MaxRetentionHours)+" hours. Requested retention period ("+strconv.Itoa(hours)+
		" hours) is too long.")
}

// RetentionNotIncreased is IncreaseStreamRetentionPeriod's error for a period shorter than
// the stream's current one.
func RetentionNotIncreased(hours int, stream string, current int) *Error {
	return kinesisError(TypeInvalidArgument, "Requested retention period ("+strconv.Itoa(hours)+
		" hours) for stream "+stream+" can not be shorter than existing retention period ("+
		strconv.Itoa(current)+" hours). Use DecreaseRetentionPeriod API.")
}

// RetentionNotDecreased is DecreaseStreamRetentionPeriod's error for a period longer than
// the stream's current one.
func RetentionNotDecreased(hours int, stream string, current int) *Error {
	return kinesisError(TypeInvalidArgument, "Requested retention period ("+strconv.Itoa(hours)+
		" hours) for stream "+stream+" can not be longer than existing retention period ("+
		strconv.Itoa(current)+" hours). Use IncreaseRetentionPeriod API.")
}

// Errors about tags.

// TooManyTags is AddTagsToStream's error when the stream would have more than MaxTags
// tags. The "10" in the text is what AWS said when kinesalite recorded it, although the
// limit it enforced was 50.
func TooManyTags(stream, account string) *Error {
	return kinesisError(TypeInvalidArgument, "Failed to add tags to stream "+stream+" under account "+
		account+" because a given stream cannot have more than 10 tags associated with it.")
}

// InvalidTagCharacters is the error for a tag key or value with a character outside the
// allowed set.
func InvalidTagCharacters() *Error {
	return kinesisError(TypeInvalidArgument, "Some tags contain invalid characters. Valid characters: "+
		"Unicode letters, digits, white space, _ . / = + - % @.")
}

// IllegalTagPercent is AddTagsToStream's error for a tag key or value containing '%'.
func IllegalTagPercent(stream, account string) *Error {
	return kinesisError(TypeInvalidArgument, "Failed to add tags to stream "+stream+" under account "+
		account+" because some tags contained illegal characters. The allowed characters are "+
		"Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")
}

// Errors about ListShards arguments.

// NextTokenWithStreamName is ListShards' error for a NextToken sent together with a
// StreamName.
func NextTokenWithStreamName() *Error {
	return kinesisError(TypeInvalidArgument, "NextToken and StreamName cannot be provided together.")
}

// NoNextTokenNorStreamName is ListShards' error for a request with neither.
func NoNextTokenNorStreamName() *Error {
	return kinesisError(TypeInvalidArgument, "Either NextToken or StreamName should be provided.")
}

// IllegalRemoveTagPercent is RemoveTagsFromStream's error for a tag key containing '%'.
func IllegalRemoveTagPercent(stream, account string) *Error {
	return kinesisError(TypeInvalidArgument, "Failed to remove tags from stream "+stream+" under account "+
		account+" because some tags contained illegal characters. The allowed characters are "+
		"Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")
}

// Errors about stream creation.

// ShardCountMissing is CreateStream's error for a PROVISIONED stream without a ShardCount:
// the error AWS gave when the model still required the member.
func ShardCountMissing() *Error {
	return kinesisError(TypeValidation, "1 validation error detected: Value null at 'shardCount' "+
		"failed to satisfy constraint: Member must not be null")
}

// More errors about ListShards and ListStreams arguments.

// NextTokenWith is ListShards' error for a NextToken sent together with member, one of
// ExclusiveStartShardId, StreamCreationTimestamp and ShardFilter (AWS's wording).
func NextTokenWith(member string) *Error {
	return kinesisError(TypeInvalidArgument, "NextToken and "+member+" cannot be provided together.")
}

// InvalidNextToken is the error for a NextToken that shardlog did not issue, or that was
// issued for another stream. AWS's text was not recorded.
func InvalidNextToken() *Error {
	return kinesisError(TypeInvalidArgument, "Invalid NextToken.")
}

// ExpiredNextToken is the error for a NextToken issued more than NextTokenLifetime ago.
// AWS's text was not recorded.
func ExpiredNextToken() *Error {
	return kinesisError(TypeExpiredNextToken, "The NextToken has expired. NextTokens are valid for "+
		strconv.FormatInt(NextTokenLifetime.Milliseconds(), 10)+" milliseconds.")
}

// ShardFilterNeedsShardID is ListShards' error for a ShardFilter of type AFTER_SHARD_ID
// without a ShardId (kinesis-mock's text; AWS's was not recorded).
func ShardFilterNeedsShardID() *Error {
	return kinesisError(TypeInvalidArgument, "ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID")
}

// ShardFilterNeedsTimestamp is ListShards' error for a ShardFilter of type AT_TIMESTAMP or
// FROM_TIMESTAMP without a Timestamp (kinesis-mock's text; AWS's was not recorded).
func ShardFilterNeedsTimestamp() *Error {
	return kinesisError(TypeInvalidArgument, "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP")
}

// Errors about resources named by ARN.

// ResourceNotFound is the error for a ResourceARN that names no stream of this store: a
// stream that does not exist, one in another region or account, or a consumer.
func ResourceNotFound(arn string) *Error {
	return kinesisError(TypeResourceNotFound, "Resource "+arn+" not found.")
}

// Errors of dry runs.

// DryRunSucceeded is the answer to a request with DryRun set that would have succeeded.
func DryRunSucceeded() *Error {
	return kinesisError(TypeDryRunOperation, "Request would have succeeded, but DryRun flag is set.")
}

// Errors of the server's storage. AWS words its InternalFailure as "Internal Service
// Failure" and says no more; these say what failed, so that a client (and its operator) can
// tell a full disk, which passes once space is freed, from damage, which does not.

// DiskFull is the error of a write that found no space on the server's disk (whole PutRecord,
// or one PutRecords entry's ErrorCode and ErrorMessage). Nothing of the refused records is
// stored; the same request succeeds once space is freed.
func DiskFull(shardID, stream, account string) *Error {
	return kinesisError(TypeInternalFailure, "Internal Service Failure: the server's disk is full; "+
		"records for shard "+shardID+" "+in(stream, account)+" are not written until space is freed.")
}

// CorruptRecords is GetRecords' error for a read whose first batch is damaged on disk: it
// names the segment file, the batch's byte position in it and what failed, and wraps ce.
func CorruptRecords(shardID, stream, account string, ce *segment.CorruptionError) *Error {
	e := kinesisError(TypeInternalFailure, "Internal Service Failure: shard "+shardID+" "+in(stream, account)+
		": corrupt batch at "+ce.Path+":"+strconv.FormatInt(ce.Offset, 10)+": "+ce.Reason)
	e.Err = ce
	return e
}
