package server

import (
	"regexp"
	"strings"

	"github.com/shardlog/shardlog/internal/wire"
	"github.com/shardlog/shardlog/kinesis"
)

// A shape describes one member type of the service model: its wire type, which
// decides the SerializationException messages of the type check, and its
// constraints, which decide the ValidationException messages. Structures list
// their members in model order; that is the order in which errors are reported.
type shape struct {
	kind    kind
	name    string   // model name of a structure, used to render lists of it
	members []member // structure members, in model order
	elem    *shape   // list element or map value
	key     *shape   // map key

	minLen, maxLen int // length bounds; noBound when absent
	minVal, maxVal int64
	hasMin, hasMax bool
	pattern        string // whole-string regular expression, as the model writes it
	re             *regexp.Regexp
	enum           []string

	wire wire.Shape // what the parser needs of it: built by the constructors (bind)
}

// member is one member of a structure.
type member struct {
	name     string // as on the wire: "StreamName"
	path     string // as in validation messages: "streamName"
	shape    *shape
	required bool
	// unless names a member whose presence makes a required member optional:
	// StreamName is required unless StreamARN is given.
	unless string
}

// kind is the wire type of a shape, as package wire names it.
type kind = wire.Kind

const (
	kindString    = wire.String
	kindInteger   = wire.Integer
	kindBoolean   = wire.Boolean
	kindBlob      = wire.Blob
	kindTimestamp = wire.Timestamp
	kindList      = wire.List
	kindMap       = wire.Map
	kindStructure = wire.Structure
)

const noBound = -1

// Shape constructors. Each ends in bind, which builds the shape's wire.Shape
// from what the constructor set; a shape built any other way is not bound,
// which TestShapes_Bound catches.

// bind builds s.wire: the kind, a structure's members, a list's element or a
// map's value (bound before s, as constructor arguments), and the checks the
// parser asks about list elements it only counts.
func bind(s *shape) *shape {
	s.wire = wire.Shape{Kind: s.kind}
	if s.elem != nil {
		s.wire.Elem = &s.elem.wire
	}
	if len(s.members) > 0 {
		s.wire.Members = make([]wire.Member, 0, len(s.members))
	}
	for _, m := range s.members {
		s.wire.Members = append(s.wire.Members, wire.Member{Name: m.name, Shape: &m.shape.wire})
		s.wire.NeedsMember = s.wire.NeedsMember || m.required && m.unless == ""
	}
	if s.kind < kindList {
		s.wire.Scalar = s
	}
	return s
}

// TypeCheck is checkValue for the parser (wire.ScalarChecks).
func (s *shape) TypeCheck(v any) (any, bool) {
	cv, err := checkValue(v, s)
	return cv, err == nil
}

// Valid is scalarValid for the parser (wire.ScalarChecks).
func (s *shape) Valid(cv any) bool { return scalarValid(cv, s) }

// wireShape returns what the parser needs of s; nil for nil, which parses
// for the syntax only.
func (s *shape) wireShape() *wire.Shape {
	if s == nil {
		return nil
	}
	return &s.wire
}

func stringShape(minLen, maxLen int, pattern string) *shape {
	s := &shape{kind: kindString, minLen: minLen, maxLen: maxLen, pattern: pattern}
	if pattern != "" {
		s.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return bind(s)
}

func enumShape(values ...string) *shape {
	return bind(&shape{kind: kindString, minLen: noBound, maxLen: noBound, enum: values})
}

func integerShape() *shape {
	return bind(&shape{kind: kindInteger, minLen: noBound, maxLen: noBound})
}

func integerRange(min, max int64) *shape {
	s := integerShape()
	s.minVal, s.hasMin = min, true
	if max >= 0 {
		s.maxVal, s.hasMax = max, true
	}
	return s
}

func scalarShape(k kind) *shape {
	return bind(&shape{kind: k, minLen: noBound, maxLen: noBound})
}

func blobShape(maxLen int) *shape {
	return bind(&shape{kind: kindBlob, minLen: noBound, maxLen: maxLen})
}

func listShape(elem *shape, minLen, maxLen int) *shape {
	return bind(&shape{kind: kindList, elem: elem, minLen: minLen, maxLen: maxLen})
}

func mapShape(key, value *shape, minLen, maxLen int) *shape {
	return bind(&shape{kind: kindMap, key: key, elem: value, minLen: minLen, maxLen: maxLen})
}

func structShape(name string, members ...member) *shape {
	return bind(&shape{kind: kindStructure, name: name, members: members, minLen: noBound, maxLen: noBound})
}

// optional and required build structure members.
func optional(name string, s *shape) member {
	return member{name: name, path: lowerFirst(name), shape: s}
}

func required(name string, s *shape) member {
	m := optional(name, s)
	m.required = true
	return m
}

// streamNameMember is the StreamName member of a stream-scoped operation: not
// required by the current model, but one of StreamName and StreamARN must be
// there, and a request with neither fails the way it did when the model required
// StreamName (kinesalite's AWS-verified message, KINESIS-API.md §2.2).
func streamNameMember() member {
	m := required("StreamName", shapeStreamName)
	m.unless = "StreamARN"
	return m
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Member types of the model (KINESIS-API.md §2.2).
var (
	shapeStreamName     = stringShape(1, 128, `[a-zA-Z0-9_.-]+`)
	shapeStreamARN      = stringShape(1, 2048, `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`)
	shapeStreamID       = stringShape(1, 24, `[a-z0-9]{20}-[a-z0-9]{3}`)
	shapeResourceARN    = withQueueARNs(stringShape(1, 2048, `arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`))
	shapeShardID        = stringShape(1, 128, `[a-zA-Z0-9_.-]+`)
	shapeSequenceNumber = stringShape(noBound, noBound, `0|([1-9]\d{0,128})`)
	shapeHashKey        = stringShape(noBound, noBound, `0|([1-9]\d{0,38})`)
	shapePartitionKey   = stringShape(1, 256, "")
	shapeShardIterator  = stringShape(1, 512, "")
	shapeNextToken      = stringShape(1, 1048576, "")
	shapeTagKey         = stringShape(1, 128, "")
	shapeTagValue       = stringShape(0, 256, "")
	shapeTagMap         = mapShape(shapeTagKey, shapeTagValue, 1, 200)
	shapeTagKeyList     = listShape(shapeTagKey, 1, 50)
	shapeBoolean        = scalarShape(kindBoolean)
	shapeTimestamp      = scalarShape(kindTimestamp)
	shapeLimit10000     = integerRange(1, 10000)
	shapePositiveInt    = integerRange(1, -1)
	shapeNaturalInt     = integerRange(0, -1)

	// ShardIteratorType lists its values in the order AWS prints them.
	shapeShardIteratorType = enumShape("AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON")
	shapeShardFilterType   = enumShape("AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP")
	shapeStreamMode        = enumShape("PROVISIONED", "ON_DEMAND")
	shapeScalingType       = enumShape("UNIFORM_SCALING")
	shapeDistribution      = enumShape("AUTO", "USER_PARTITION_KEY")

	shapeStreamModeDetails = structShape("StreamModeDetails",
		required("StreamMode", shapeStreamMode))
	shapeShardFilter = structShape("ShardFilter",
		required("Type", shapeShardFilterType),
		optional("ShardId", shapeShardID),
		optional("Timestamp", shapeTimestamp))
)

// Operation input shapes. The Data member's bound comes from Options, so the
// shapes that hold it are built per server.

func putRecordInputShape(maxData int) *shape {
	return structShape("PutRecordInput",
		streamNameMember(),
		required("Data", blobShape(maxData)),
		required("PartitionKey", shapePartitionKey),
		optional("ExplicitHashKey", shapeHashKey),
		optional("SequenceNumberForOrdering", shapeSequenceNumber),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID),
		optional("DryRun", shapeBoolean))
}

func putRecordsInputShape(maxData int) *shape {
	entry := structShape("PutRecordsRequestEntry",
		required("Data", blobShape(maxData)),
		optional("ExplicitHashKey", shapeHashKey),
		required("PartitionKey", shapePartitionKey))
	return structShape("PutRecordsInput",
		required("Records", listShape(entry, 1, kinesis.MaxPutRecordsEntries)),
		streamNameMember(),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID),
		optional("DryRun", shapeBoolean))
}

var (
	shapeCreateStreamInput = structShape("CreateStreamInput",
		required("StreamName", shapeStreamName),
		optional("ShardCount", shapePositiveInt),
		optional("StreamModeDetails", shapeStreamModeDetails),
		optional("Tags", shapeTagMap),
		optional("WarmThroughputMiBps", shapeNaturalInt),
		optional("MaxRecordSizeInKiB", integerRange(kinesis.MinMaxRecordSizeKiB, kinesis.MaxMaxRecordSizeKiB)),
		optional("RecordDistributionStrategy", shapeDistribution))

	shapeDeleteStreamInput = structShape("DeleteStreamInput",
		streamNameMember(),
		optional("EnforceConsumerDeletion", shapeBoolean),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeDescribeStreamInput = structShape("DescribeStreamInput",
		streamNameMember(),
		optional("Limit", shapeLimit10000),
		optional("ExclusiveStartShardId", shapeShardID),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeDescribeStreamSummaryInput = structShape("DescribeStreamSummaryInput",
		streamNameMember(),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeListStreamsInput = structShape("ListStreamsInput",
		optional("Limit", shapeLimit10000),
		optional("ExclusiveStartStreamName", shapeStreamName),
		optional("NextToken", shapeNextToken))

	// ListShards may name its stream through NextToken instead, so StreamName is
	// plainly optional here; the pairing rules are checked after validation.
	shapeListShardsInput = structShape("ListShardsInput",
		optional("StreamName", shapeStreamName),
		optional("NextToken", shapeNextToken),
		optional("ExclusiveStartShardId", shapeShardID),
		optional("MaxResults", shapeLimit10000),
		optional("StreamCreationTimestamp", shapeTimestamp),
		optional("ShardFilter", shapeShardFilter),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeGetShardIteratorInput = structShape("GetShardIteratorInput",
		streamNameMember(),
		required("ShardId", shapeShardID),
		required("ShardIteratorType", shapeShardIteratorType),
		optional("StartingSequenceNumber", shapeSequenceNumber),
		optional("Timestamp", shapeTimestamp),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID),
		optional("DryRun", shapeBoolean))

	shapeGetRecordsInput = structShape("GetRecordsInput",
		required("ShardIterator", shapeShardIterator),
		optional("Limit", shapeLimit10000),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID),
		optional("DryRun", shapeBoolean))

	shapeIncreaseRetentionInput = structShape("IncreaseStreamRetentionPeriodInput",
		streamNameMember(),
		required("RetentionPeriodHours", integerShape()),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeDecreaseRetentionInput = structShape("DecreaseStreamRetentionPeriodInput",
		streamNameMember(),
		required("RetentionPeriodHours", integerShape()),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeAddTagsToStreamInput = structShape("AddTagsToStreamInput",
		streamNameMember(),
		required("Tags", shapeTagMap),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeRemoveTagsFromStreamInput = structShape("RemoveTagsFromStreamInput",
		streamNameMember(),
		required("TagKeys", shapeTagKeyList),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeListTagsForStreamInput = structShape("ListTagsForStreamInput",
		streamNameMember(),
		optional("ExclusiveStartTagKey", shapeTagKey),
		optional("Limit", integerRange(1, 50)),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeTagResourceInput = structShape("TagResourceInput",
		required("Tags", shapeTagMap),
		required("ResourceARN", shapeResourceARN),
		optional("StreamId", shapeStreamID))

	shapeUntagResourceInput = structShape("UntagResourceInput",
		required("TagKeys", shapeTagKeyList),
		required("ResourceARN", shapeResourceARN),
		optional("StreamId", shapeStreamID))

	shapeListTagsForResourceInput = structShape("ListTagsForResourceInput",
		required("ResourceARN", shapeResourceARN),
		optional("StreamId", shapeStreamID))

	shapeDescribeLimitsInput = structShape("DescribeLimitsInput")

	shapeSplitShardInput = structShape("SplitShardInput",
		streamNameMember(),
		required("ShardToSplit", shapeShardID),
		required("NewStartingHashKey", shapeHashKey),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeMergeShardsInput = structShape("MergeShardsInput",
		streamNameMember(),
		required("ShardToMerge", shapeShardID),
		required("AdjacentShardToMerge", shapeShardID),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))

	shapeUpdateShardCountInput = structShape("UpdateShardCountInput",
		streamNameMember(),
		required("TargetShardCount", shapePositiveInt),
		required("ScalingType", shapeScalingType),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))
)
