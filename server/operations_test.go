package server_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
)

const (
	arnA = "arn:aws:kinesis:us-east-1:000000000000:stream/a"
	arnB = "arn:aws:kinesis:us-east-1:000000000000:stream/b"

	nullName  = "Value null at 'streamName' failed to satisfy constraint: Member must not be null"
	namePat   = "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
	nameShort = "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1"
	iterEnum  = "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"
	lenRules  = "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"
)

// validationMsg joins rule messages the way coral counts and joins them.
func validationMsg(msgs ...string) string {
	noun := "errors"
	if len(msgs) == 1 {
		noun = "error"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(msgs), noun, strings.Join(msgs, "; "))
}

type errorCase struct {
	name   string
	op     string
	body   string
	status int
	typ    string
	msg    string // the body's message ("Message" for type errors)
}

// TestOperations_Errors drives each operation's decoding and validation paths and
// compares status, __type and message byte for byte with what AWS answers.
func TestOperations_Errors(t *testing.T) {
	name129 := strings.Repeat("a", 129)
	key257 := strings.Repeat("k", 257)
	bigData := base64.StdEncoding.EncodeToString(make([]byte, 10485761))
	var records501 []string
	var entries501 []string
	for range 501 {
		records501 = append(records501, `{"PartitionKey":"","Data":""}`)
		entries501 = append(entries501, "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310")
	}
	var nine []string
	for i := 1; i <= 9; i++ {
		nine = append(nine, fmt.Sprintf("Value '' at 'records.%d.member.partitionKey' failed to satisfy constraint: "+
			"Member must have length greater than or equal to 1", i))
	}
	tags201 := map[string]string{}
	for i := range 201 {
		tags201[fmt.Sprint("k", i)] = "v"
	}
	tags201JSON, _ := json.Marshal(map[string]any{"StreamName": "a", "Tags": tags201})

	ser := func(name, op, body, msg string) errorCase {
		return errorCase{name, op, body, http.StatusBadRequest, "SerializationException", msg}
	}
	val := func(name, op, body string, msgs ...string) errorCase {
		return errorCase{name, op, body, http.StatusBadRequest, "ValidationException", validationMsg(msgs...)}
	}
	arg := func(name, op, body, msg string) errorCase {
		return errorCase{name, op, body, http.StatusBadRequest, "InvalidArgumentException", msg}
	}

	cases := []errorCase{
		// CreateStream
		val("create/empty", "CreateStream", `{}`, nullName),
		val("create/empty name and zero shards", "CreateStream", `{"StreamName":"","ShardCount":0}`,
			namePat, nameShort,
			"Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"),
		val("create/long name", "CreateStream", `{"StreamName":"`+name129+`"}`,
			"Value '"+name129+"' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128"),
		val("create/shard count clamped", "CreateStream", `{"StreamName":"a","ShardCount":-100000000000}`,
			"Value '-2147483648' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"),
		ser("create/shard count string", "CreateStream", `{"StreamName":"a","ShardCount":"1"}`,
			"class java.lang.String can not be converted to an Integer"),
		ser("create/shard count bool", "CreateStream", `{"StreamName":"a","ShardCount":true}`,
			"class java.lang.Boolean can not be converted to an Integer"),
		ser("create/shard count list", "CreateStream", `{"StreamName":"a","ShardCount":[]}`,
			"Start of list found where not expected"),
		ser("create/name number", "CreateStream", `{"StreamName":23}`,
			"class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"),
		ser("create/name bool", "CreateStream", `{"StreamName":true}`,
			"class java.lang.Boolean can not be converted to an String"),
		ser("create/name object", "CreateStream", `{"StreamName":{}}`,
			"Start of structure or map found where not expected."),
		val("create/mode missing", "CreateStream", `{"StreamName":"a","StreamModeDetails":{}}`,
			"Value null at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must not be null"),
		val("create/mode enum", "CreateStream", `{"StreamName":"a","StreamModeDetails":{"StreamMode":"X"}}`,
			"Value 'X' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"),
		ser("create/mode scalar", "CreateStream", `{"StreamName":"a","StreamModeDetails":"x"}`, "Expected null"),
		ser("create/tags list", "CreateStream", `{"StreamName":"a","Tags":[]}`, "Start of list found where not expected"),
		ser("create/tags scalar", "CreateStream", `{"StreamName":"a","Tags":23}`, "Expected map or null"),
		val("create/tags empty", "CreateStream", `{"StreamName":"a","Tags":{}}`,
			"Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"),
		val("create/tag key empty", "CreateStream", `{"StreamName":"a","Tags":{"":"v","b":"w"}}`,
			"Value '{=v, b=w}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: "+lenRules),
		val("create/tag value long", "CreateStream", `{"StreamName":"a","Tags":{"k":"`+key257+`"}}`,
			"Value '{k="+key257+"}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: "+
				"[Member must have length less than or equal to 256, Member must have length greater than or equal to 0]"),
		val("create/max record size", "CreateStream", `{"StreamName":"a","MaxRecordSizeInKiB":100}`,
			"Value '100' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024"),

		// DeleteStream and the StreamName/StreamARN pair
		val("delete/empty", "DeleteStream", `{}`, nullName),
		val("delete/null name", "DeleteStream", `{"StreamName":null}`, nullName),
		val("delete/bad arn", "DeleteStream", `{"StreamARN":"bad"}`,
			`Value 'bad' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:stream/\S+`),
		arg("delete/name and arn disagree", "DeleteStream", `{"StreamName":"a","StreamARN":"`+arnB+`"}`,
			"StreamARN "+arnB+" does not match StreamName a."),
		ser("delete/bool string", "DeleteStream", `{"StreamName":"a","EnforceConsumerDeletion":"yes"}`,
			"'YES' can not be converted to an Boolean"),
		ser("delete/bool number", "DeleteStream", `{"StreamName":"a","EnforceConsumerDeletion":1}`,
			"class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"),
		val("delete/bad stream id", "DeleteStream", `{"StreamName":"a","StreamId":"x"}`,
			"Value 'x' at 'streamId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z0-9]{20}-[a-z0-9]{3}"),

		// DescribeStream, DescribeStreamSummary, ListStreams
		val("describe/limits", "DescribeStream", `{"StreamName":"a","Limit":0,"ExclusiveStartShardId":""}`,
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
			"Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must have length greater than or equal to 1"),
		val("describe/limit too big", "DescribeStream", `{"StreamName":"a","Limit":100000}`,
			"Value '100000' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"),
		val("describe summary/empty", "DescribeStreamSummary", `{}`, nullName),
		val("list streams/all bad", "ListStreams", `{"Limit":0,"ExclusiveStartStreamName":"","NextToken":""}`,
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
			"Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1"),

		// ListShards
		arg("list shards/neither", "ListShards", `{}`, "Either NextToken or StreamName should be provided."),
		arg("list shards/both", "ListShards", `{"StreamName":"a","NextToken":"t"}`,
			"NextToken and StreamName cannot be provided together."),
		arg("list shards/arn and token", "ListShards", `{"StreamARN":"`+arnA+`","NextToken":"t"}`,
			"NextToken and StreamARN cannot be provided together."),
		val("list shards/filter type missing", "ListShards", `{"StreamName":"a","ShardFilter":{}}`,
			"Value null at 'shardFilter.type' failed to satisfy constraint: Member must not be null"),
		val("list shards/filter type enum", "ListShards", `{"StreamName":"a","ShardFilter":{"Type":"X"}}`,
			"Value 'X' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: "+
				"[AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]"),
		ser("list shards/timestamp string", "ListShards", `{"StreamName":"a","StreamCreationTimestamp":"2020"}`,
			"class java.lang.String can not be converted to milliseconds since epoch"),
		ser("list shards/timestamp bool", "ListShards", `{"StreamName":"a","StreamCreationTimestamp":false}`,
			"class java.lang.Boolean can not be converted to milliseconds since epoch"),
		val("list shards/max results", "ListShards", `{"StreamName":"a","MaxResults":10001}`,
			"Value '10001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000"),

		// PutRecord
		val("put record/empty", "PutRecord", `{}`,
			nullName,
			"Value null at 'data' failed to satisfy constraint: Member must not be null",
			"Value null at 'partitionKey' failed to satisfy constraint: Member must not be null"),
		val("put record/too big", "PutRecord", `{"StreamName":"a","PartitionKey":"`+key257+`","Data":"`+bigData+`","SequenceNumberForOrdering":"01"}`,
			"Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 10485760",
			"Value '"+key257+"' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256",
			"Value '01' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})"),
		val("put record/partition key in UTF-16 units", "PutRecord", `{"StreamName":"a","Data":"","PartitionKey":"`+strings.Repeat("😀", 129)+`"}`,
			"Value '"+strings.Repeat("😀", 129)+"' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256"),
		ser("put record/data length", "PutRecord", `{"StreamName":"a","PartitionKey":"k","Data":"23456"}`,
			"'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
		ser("put record/data char", "PutRecord", `{"StreamName":"a","PartitionKey":"k","Data":"=+/="}`,
			"'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"),
		ser("put record/data last char", "PutRecord", `{"StreamName":"a","PartitionKey":"k","Data":"+/+="}`,
			"'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"),
		ser("put record/data bool", "PutRecord", `{"StreamName":"a","PartitionKey":"k","Data":true}`,
			"class java.lang.Boolean can not be converted to a Blob"),
		ser("put record/data number", "PutRecord", `{"StreamName":"a","PartitionKey":"k","Data":23}`,
			"class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob"),

		// PutRecords: kinesalite's AWS-verified cases
		val("put records/empty", "PutRecords", `{}`,
			"Value null at 'records' failed to satisfy constraint: Member must not be null", nullName),
		val("put records/empty list and name", "PutRecords", `{"StreamName":"","Records":[]}`,
			"Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1",
			namePat, nameShort),
		val("put records/empty key", "PutRecords", `{"StreamName":"","Records":[{"PartitionKey":"","Data":"","ExplicitHashKey":""}]}`,
			"Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
			"Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
			namePat, nameShort),
		val("put records/long values", "PutRecords", `{"StreamName":"`+name129+`","Records":[{"PartitionKey":"`+key257+`","Data":"`+bigData+`","ExplicitHashKey":""}]}`,
			"Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 10485760",
			"Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
			"Value '"+key257+"' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256",
			"Value '"+name129+"' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128"),
		val("put records/too many", "PutRecords", `{"StreamName":"","Records":[`+strings.Join(records501, ",")+`]}`,
			append([]string{"Value '[" + strings.Join(entries501, ", ") + "]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"}, nine...)...),
		val("put records/null entry", "PutRecords", `{"StreamName":"a","Records":[null]}`,
			"Value null at 'records.1.member' failed to satisfy constraint: Member must not be null"),
		ser("put records/records scalar", "PutRecords", `{"StreamName":"a","Records":"x"}`, "Expected list or null"),
		ser("put records/records object", "PutRecords", `{"StreamName":"a","Records":{}}`,
			"Start of structure or map found where not expected."),
		ser("put records/entry scalar", "PutRecords", `{"StreamName":"a","Records":[1]}`, "Expected null"),
		ser("put records/entry list", "PutRecords", `{"StreamName":"a","Records":[[]]}`, "Start of list found where not expected"),
		ser("put records/key number", "PutRecords", `{"StreamName":"a","Records":[{"PartitionKey":1,"Data":""}]}`,
			"class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"),
		ser("put records/dry run string", "PutRecords", `{"StreamName":"a","Records":[{"PartitionKey":"k","Data":""}],"DryRun":"no"}`,
			"'NO' can not be converted to an Boolean"),
		arg("put records/name and arn disagree", "PutRecords", `{"StreamName":"b","StreamARN":"`+arnA+`","Records":[{"PartitionKey":"k","Data":""}]}`,
			"StreamARN "+arnA+" does not match StreamName b."),

		// GetShardIterator
		val("iterator/empty", "GetShardIterator", `{}`,
			nullName,
			"Value null at 'shardId' failed to satisfy constraint: Member must not be null",
			"Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null"),
		val("iterator/all empty", "GetShardIterator", `{"StreamName":"","ShardIteratorType":"","ShardId":"","StartingSequenceNumber":""}`,
			namePat, nameShort,
			"Value '' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'shardIteratorType' failed to satisfy constraint: "+iterEnum,
			"Value '' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})"),
		ser("iterator/timestamp list", "GetShardIterator", `{"StreamName":"a","ShardId":"s","ShardIteratorType":"LATEST","Timestamp":[]}`,
			"Start of list found where not expected"),

		// GetRecords
		val("records/empty", "GetRecords", `{}`,
			"Value null at 'shardIterator' failed to satisfy constraint: Member must not be null"),
		val("records/limits", "GetRecords", `{"ShardIterator":"","Limit":10001}`,
			"Value '' at 'shardIterator' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"),
		val("records/long iterator", "GetRecords", `{"ShardIterator":"`+strings.Repeat("A", 513)+`"}`,
			"Value '"+strings.Repeat("A", 513)+"' at 'shardIterator' failed to satisfy constraint: Member must have length less than or equal to 512"),

		// Retention
		val("increase/no hours", "IncreaseStreamRetentionPeriod", `{"StreamName":"a"}`,
			"Value null at 'retentionPeriodHours' failed to satisfy constraint: Member must not be null"),
		ser("decrease/hours string", "DecreaseStreamRetentionPeriod", `{"StreamName":"a","RetentionPeriodHours":"24"}`,
			"class java.lang.String can not be converted to an Integer"),

		// Tags
		val("add tags/empty", "AddTagsToStream", `{}`,
			nullName, "Value null at 'tags' failed to satisfy constraint: Member must not be null"),
		errorCase{"add tags/too many", "AddTagsToStream", string(tags201JSON), http.StatusBadRequest, "ValidationException", ""},
		val("remove tags/empty list", "RemoveTagsFromStream", `{"StreamName":"a","TagKeys":[]}`,
			"Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1"),
		val("remove tags/empty key", "RemoveTagsFromStream", `{"StreamName":"a","TagKeys":["a",""]}`,
			"Value '[a, ]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: "+lenRules),
		ser("remove tags/scalar", "RemoveTagsFromStream", `{"StreamName":"a","TagKeys":"a"}`, "Expected list or null"),
		val("list tags/limits", "ListTagsForStream", `{"StreamName":"a","Limit":51,"ExclusiveStartTagKey":""}`,
			"Value '' at 'exclusiveStartTagKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"),
		val("tag resource/empty", "TagResource", `{}`,
			"Value null at 'tags' failed to satisfy constraint: Member must not be null",
			"Value null at 'resourceARN' failed to satisfy constraint: Member must not be null"),
		val("untag resource/bad arn", "UntagResource", `{"TagKeys":["a"],"ResourceARN":"arn:aws:s3:::b"}`,
			`Value 'arn:aws:s3:::b' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`),
		val("list tags for resource/empty", "ListTagsForResource", `{}`,
			"Value null at 'resourceARN' failed to satisfy constraint: Member must not be null"),

		// Resharding
		val("split/empty", "SplitShard", `{}`,
			nullName,
			"Value null at 'shardToSplit' failed to satisfy constraint: Member must not be null",
			"Value null at 'newStartingHashKey' failed to satisfy constraint: Member must not be null"),
		val("split/bad hash key", "SplitShard", `{"StreamName":"a","ShardToSplit":"shardId-0","NewStartingHashKey":"-1"}`,
			"Value '-1' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})"),
		val("merge/empty", "MergeShards", `{}`,
			nullName,
			"Value null at 'shardToMerge' failed to satisfy constraint: Member must not be null",
			"Value null at 'adjacentShardToMerge' failed to satisfy constraint: Member must not be null"),
		val("update shard count/empty", "UpdateShardCount", `{}`,
			nullName,
			"Value null at 'targetShardCount' failed to satisfy constraint: Member must not be null",
			"Value null at 'scalingType' failed to satisfy constraint: Member must not be null"),
		val("update shard count/bad values", "UpdateShardCount", `{"StreamName":"a","TargetShardCount":0,"ScalingType":"X"}`,
			"Value '0' at 'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
			"Value 'X' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]"),
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, b := mustNew(t, server.Options{})
			w := do(t, s, tc.op, tc.body)
			require.Equal(t, tc.status, w.Code, "status; body %s", w.Body)
			var got map[string]any
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got), "body %q", w.Body)
			require.Equal(t, tc.typ, got["__type"], "__type; body %s", w.Body)
			require.Equal(t, tc.typ, header(w.Header(), "x-amzn-ErrorType"))
			key := "message"
			if tc.typ == "SerializationException" {
				key = "Message"
			}
			if tc.msg != "" {
				require.Equal(t, tc.msg, got[key])
			}
			require.Equal(t, 0, b.callCount(), "the backend must not be called")
		})
	}
}

// TestOperations_TooManyTags checks the map size rule separately: the message
// renders the map, whose order the test does not fix.
func TestOperations_TooManyTags(t *testing.T) {
	s, _ := mustNew(t, server.Options{})
	tags := map[string]string{}
	for i := range 201 {
		tags[fmt.Sprint("k", i)] = "v"
	}
	body, _ := json.Marshal(map[string]any{"StreamName": "a", "Tags": tags})
	w := do(t, s, "AddTagsToStream", string(body))
	require.Equal(t, http.StatusBadRequest, w.Code)
	var got map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	require.True(t, strings.HasPrefix(got["message"], "1 validation error detected: Value '{"), got["message"])
	require.True(t, strings.HasSuffix(got["message"], "}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200"), got["message"])
}

// TestOperations_ValidationCap checks that coral stops at ten messages.
func TestOperations_ValidationCap(t *testing.T) {
	s, _ := mustNew(t, server.Options{})
	var records []string
	for range 20 {
		records = append(records, `{"PartitionKey":"","Data":""}`)
	}
	w := do(t, s, "PutRecords", `{"StreamName":"a","Records":[`+strings.Join(records, ",")+`]}`)
	var got map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	require.True(t, strings.HasPrefix(got["message"], "10 validation errors detected: "), got["message"])
	require.Equal(t, 10, strings.Count(got["message"], "failed to satisfy constraint"))
}

func ptr[T any](v T) *T { return &v }

// TestOperations_Inputs checks what reaches the Backend for valid requests:
// conversions (timestamps, floored integers, blobs), StreamName from StreamARN,
// unknown members and nulls ignored.
func TestOperations_Inputs(t *testing.T) {
	ts := time.UnixMilli(1459799926480).UTC()
	cases := []struct {
		name string
		op   string
		body string
		want any
	}{
		{"create/floored count and tags", "CreateStream",
			`{"StreamName":"a","ShardCount":2.9,"Tags":{"k":"v","e":""},"StreamModeDetails":{"StreamMode":"ON_DEMAND"},"Unknown":[1,{"x":null}]}`,
			&server.CreateStreamInput{StreamName: "a", ShardCount: ptr[int32](2), Tags: map[string]string{"k": "v", "e": ""},
				StreamModeDetails: &server.StreamModeDetails{StreamMode: "ON_DEMAND"}}},
		{"delete/arn only", "DeleteStream", `{"StreamARN":"` + arnA + `","EnforceConsumerDeletion":true}`,
			&server.DeleteStreamInput{StreamName: "a", StreamARN: arnA, EnforceConsumerDeletion: true}},
		{"describe/nulls are absent", "DescribeStream", `{"StreamName":"a","Limit":null,"ExclusiveStartShardId":null}`,
			&server.DescribeStreamInput{StreamName: "a"}},
		{"list streams/no input", "ListStreams", `{}`, &server.ListStreamsInput{}},
		{"list shards/name and arn", "ListShards",
			`{"StreamName":"a","StreamARN":"` + arnA + `","MaxResults":1000,"ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1459799926.480}}`,
			&server.ListShardsInput{StreamName: "a", StreamARN: arnA, MaxResults: ptr[int32](1000),
				ShardFilter: &server.ShardFilter{Type: "AT_TIMESTAMP", Timestamp: &ts}}},
		{"list shards/token only", "ListShards", `{"NextToken":"t","StreamCreationTimestamp":1459799926480e-3}`,
			&server.ListShardsInput{NextToken: "t", StreamCreationTimestamp: &ts}},
		{"put record", "PutRecord",
			`{"StreamName":"a","Data":"aGVsbG8=","PartitionKey":"k","ExplicitHashKey":"0","SequenceNumberForOrdering":"1","DryRun":true}`,
			&server.PutRecordInput{StreamName: "a", Data: []byte("hello"), PartitionKey: "k", ExplicitHashKey: "0",
				SequenceNumberForOrdering: "1", DryRun: true}},
		{"put records/escaped key takes the general path", "PutRecords",
			`{"StreamARN":"` + arnA + `","Records":[{"Data":"","PartitionKey":"\u00e9\n"},{"Data":"AAEC","PartitionKey":"k","ExplicitHashKey":"340282366920938463463374607431768211455"}]}`,
			&server.PutRecordsInput{StreamName: "a", StreamARN: arnA, Records: []server.PutRecordsRequestEntry{
				{Data: []byte{}, PartitionKey: "é\n"},
				{Data: []byte{0, 1, 2}, PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211455"}}}},
		{"put records/fast path", "PutRecords",
			`{"StreamName":"a","Records":[{"Data":"AAEC","PartitionKey":"é"}]}`,
			&server.PutRecordsInput{StreamName: "a", Records: []server.PutRecordsRequestEntry{{Data: []byte{0, 1, 2}, PartitionKey: "é"}}}},
		{"iterator/at timestamp", "GetShardIterator",
			`{"StreamName":"a","ShardId":"shardId-000000000001","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1459799926.48}`,
			&server.GetShardIteratorInput{StreamName: "a", ShardId: "shardId-000000000001", ShardIteratorType: "AT_TIMESTAMP", Timestamp: &ts}},
		{"records/limit", "GetRecords", `{"ShardIterator":"AAAA","Limit":25}`,
			&server.GetRecordsInput{ShardIterator: "AAAA", Limit: ptr[int32](25)}},
		{"increase retention", "IncreaseStreamRetentionPeriod", `{"StreamName":"a","RetentionPeriodHours":48}`,
			&server.IncreaseStreamRetentionPeriodInput{StreamName: "a", RetentionPeriodHours: 48}},
		{"decrease retention/model has no range", "DecreaseStreamRetentionPeriod", `{"StreamName":"a","RetentionPeriodHours":1}`,
			&server.DecreaseStreamRetentionPeriodInput{StreamName: "a", RetentionPeriodHours: 1}},
		{"remove tags", "RemoveTagsFromStream", `{"StreamName":"a","TagKeys":["x","y"]}`,
			&server.RemoveTagsFromStreamInput{StreamName: "a", TagKeys: []string{"x", "y"}}},
		{"list tags", "ListTagsForStream", `{"StreamName":"a","Limit":10,"ExclusiveStartTagKey":"k"}`,
			&server.ListTagsForStreamInput{StreamName: "a", Limit: ptr[int32](10), ExclusiveStartTagKey: "k"}},
		{"tag resource", "TagResource", `{"ResourceARN":"` + arnA + `","Tags":{"k":"v"}}`,
			&server.TagResourceInput{ResourceARN: arnA, Tags: map[string]string{"k": "v"}}},
		{"untag resource", "UntagResource", `{"ResourceARN":"` + arnA + `","TagKeys":["k"]}`,
			&server.UntagResourceInput{ResourceARN: arnA, TagKeys: []string{"k"}}},
		{"list tags for resource", "ListTagsForResource", `{"ResourceARN":"` + arnA + `"}`,
			&server.ListTagsForResourceInput{ResourceARN: arnA}},
		{"describe limits", "DescribeLimits", `{}`, &server.DescribeLimitsInput{}},
		{"split", "SplitShard", `{"StreamName":"a","ShardToSplit":"shardId-0","NewStartingHashKey":"170141183460469231731687303715884105728"}`,
			&server.SplitShardInput{StreamName: "a", ShardToSplit: "shardId-0", NewStartingHashKey: "170141183460469231731687303715884105728"}},
		{"merge", "MergeShards", `{"StreamARN":"` + arnA + `","ShardToMerge":"s0","AdjacentShardToMerge":"s1"}`,
			&server.MergeShardsInput{StreamName: "a", StreamARN: arnA, ShardToMerge: "s0", AdjacentShardToMerge: "s1"}},
		{"update shard count", "UpdateShardCount", `{"StreamName":"a","TargetShardCount":4,"ScalingType":"UNIFORM_SCALING"}`,
			&server.UpdateShardCountInput{StreamName: "a", TargetShardCount: 4, ScalingType: "UNIFORM_SCALING"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, b := mustNew(t, server.Options{})
			w := do(t, s, tc.op, tc.body)
			require.Equal(t, http.StatusOK, w.Code, "body %s", w.Body)
			op, in := b.lastCall()
			require.Equal(t, tc.op, op)
			require.Equal(t, tc.want, in)
		})
	}
}

// TestOperations_Outputs checks the JSON the server writes for each kind of
// output: Unit outputs as an empty body, timestamps as epoch seconds, required
// members present even when empty, optional ones left out.
func TestOperations_Outputs(t *testing.T) {
	created := time.UnixMilli(1506440188749)
	cases := []struct {
		name string
		op   string
		body string
		out  any
		want string
	}{
		{"unit output", "CreateStream", `{"StreamName":"a","ShardCount":1}`, nil, ``},
		{"describe stream", "DescribeStream", `{"StreamName":"a"}`, &server.DescribeStreamOutput{
			StreamDescription: server.StreamDescription{
				StreamName: "a", StreamARN: arnA, StreamStatus: "CREATING", RetentionPeriodHours: 24,
				StreamCreationTimestamp: time.Unix(1506440188, 0),
				EnhancedMonitoring:      []server.EnhancedMetrics{{}},
				EncryptionType:          "NONE",
			}},
			`{"StreamDescription":{"StreamName":"a","StreamARN":"` + arnA + `","StreamStatus":"CREATING","Shards":[],` +
				`"HasMoreShards":false,"RetentionPeriodHours":24,"StreamCreationTimestamp":1506440188,` +
				`"EnhancedMonitoring":[{"ShardLevelMetrics":[]}],"EncryptionType":"NONE"}}`},
		{"describe summary", "DescribeStreamSummary", `{"StreamName":"a"}`, &server.DescribeStreamSummaryOutput{
			StreamDescriptionSummary: server.StreamDescriptionSummary{
				StreamName: "a", StreamARN: arnA, StreamStatus: "ACTIVE",
				StreamModeDetails:       &server.StreamModeDetails{StreamMode: "PROVISIONED"},
				RetentionPeriodHours:    24,
				StreamCreationTimestamp: created, OpenShardCount: 2, ConsumerCount: ptr[int32](0),
			}},
			`{"StreamDescriptionSummary":{"StreamName":"a","StreamARN":"` + arnA + `","StreamStatus":"ACTIVE",` +
				`"StreamModeDetails":{"StreamMode":"PROVISIONED"},"RetentionPeriodHours":24,` +
				`"StreamCreationTimestamp":1506440188.749,"EnhancedMonitoring":[],"OpenShardCount":2,"ConsumerCount":0}}`},
		{"list streams", "ListStreams", `{}`, &server.ListStreamsOutput{StreamNames: []string{"a", "b"}, HasMoreStreams: true, NextToken: "n"},
			`{"StreamNames":["a","b"],"HasMoreStreams":true,"NextToken":"n"}`},
		{"list streams empty", "ListStreams", `{}`, nil, `{"StreamNames":[],"HasMoreStreams":false}`},
		{"list shards", "ListShards", `{"StreamName":"a"}`, &server.ListShardsOutput{Shards: []server.Shard{{
			ShardId: "shardId-000000000002", ParentShardId: "shardId-000000000000",
			HashKeyRange:        server.HashKeyRange{StartingHashKey: "0", EndingHashKey: "1"},
			SequenceNumberRange: server.SequenceNumberRange{StartingSequenceNumber: "5"},
		}}},
			`{"Shards":[{"ShardId":"shardId-000000000002","ParentShardId":"shardId-000000000000",` +
				`"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},"SequenceNumberRange":{"StartingSequenceNumber":"5"}}]}`},
		{"put record", "PutRecord", `{"StreamName":"a","Data":"","PartitionKey":"k"}`,
			&server.PutRecordOutput{ShardId: "shardId-000000000000", SequenceNumber: "1"},
			`{"ShardId":"shardId-000000000000","SequenceNumber":"1"}`},
		{"put records with a failure", "PutRecords", `{"StreamName":"a","Records":[{"Data":"","PartitionKey":"k"},{"Data":"","PartitionKey":"k"}]}`,
			&server.PutRecordsOutput{FailedRecordCount: 1, Records: []server.PutRecordsResultEntry{
				{SequenceNumber: "1", ShardId: "shardId-000000000000"},
				{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: `Rate exceeded for "shard".`},
			}},
			`{"FailedRecordCount":1,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"},` +
				`{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for \"shard\"."}]}`},
		{"iterator", "GetShardIterator", `{"StreamName":"a","ShardId":"s","ShardIteratorType":"LATEST"}`,
			&server.GetShardIteratorOutput{ShardIterator: "AAAAAAAAAAE="}, `{"ShardIterator":"AAAAAAAAAAE="}`},
		{"list tags", "ListTagsForStream", `{"StreamName":"a"}`,
			&server.ListTagsForStreamOutput{Tags: []server.Tag{{Key: "k", Value: ""}}},
			`{"Tags":[{"Key":"k","Value":""}],"HasMoreTags":false}`},
		{"describe limits", "DescribeLimits", `{}`,
			&server.DescribeLimitsOutput{ShardLimit: 500, OpenShardCount: 3, OnDemandStreamCountLimit: 50},
			`{"ShardLimit":500,"OpenShardCount":3,"OnDemandStreamCount":0,"OnDemandStreamCountLimit":50}`},
		{"update shard count", "UpdateShardCount", `{"StreamName":"a","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"}`,
			&server.UpdateShardCountOutput{StreamName: "a", CurrentShardCount: 1, TargetShardCount: 2, StreamARN: arnA},
			`{"StreamName":"a","CurrentShardCount":1,"TargetShardCount":2,"StreamARN":"` + arnA + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, b := mustNew(t, server.Options{})
			if tc.out != nil {
				b.setOutput(tc.op, tc.out)
			}
			w := do(t, s, tc.op, tc.body)
			require.Equal(t, http.StatusOK, w.Code, "body %s", w.Body)
			require.Equal(t, tc.want, w.Body.String())
			require.Equal(t, "application/x-amz-json-1.1", w.Header().Get("Content-Type"))
			require.Equal(t, fmt.Sprint(len(tc.want)), w.Header().Get("Content-Length"))
		})
	}
}

// TestOperations_GetRecords checks the records the sink encodes and the members
// that close the body.
func TestOperations_GetRecords(t *testing.T) {
	s, b := mustNew(t, server.Options{})
	b.records = []fakeRecord{
		{seq: "49590338271490256608559692538361571095921575989136588898", arrivalMs: 1506440188749, key: "a\"b", data: "hello"},
		{seq: "49590338271490256608559692538361571095921575989136588899", arrivalMs: 1506440189000, key: "k", data: ""},
	}
	b.setOutput("GetRecords", &server.GetRecordsOutput{
		MillisBehindLatest: 251,
		ChildShards: []server.ChildShard{{ShardId: "shardId-000000000003", ParentShards: []string{"shardId-000000000001"},
			HashKeyRange: server.HashKeyRange{StartingHashKey: "0", EndingHashKey: "9"}}},
	})
	w := do(t, s, "GetRecords", `{"ShardIterator":"AAAA"}`)
	require.Equal(t, http.StatusOK, w.Code, "body %s", w.Body)
	want := `{"Records":[` +
		`{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","ApproximateArrivalTimestamp":1506440188.749,"Data":"aGVsbG8=","PartitionKey":"a\"b"},` +
		`{"SequenceNumber":"49590338271490256608559692538361571095921575989136588899","ApproximateArrivalTimestamp":1506440189,"Data":"","PartitionKey":"k"}],` +
		`"MillisBehindLatest":251,"ChildShards":[{"ShardId":"shardId-000000000003","ParentShards":["shardId-000000000001"],` +
		`"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"9"}}]}`
	require.Equal(t, want, w.Body.String())

	b.records = nil
	b.setOutput("GetRecords", &server.GetRecordsOutput{NextShardIterator: "BBBB"})
	w = do(t, s, "GetRecords", `{"ShardIterator":"AAAA"}`)
	require.Equal(t, `{"Records":[],"NextShardIterator":"BBBB","MillisBehindLatest":0}`, w.Body.String())
}

// TestOperations_BackendErrors checks how Backend errors reach the client.
func TestOperations_BackendErrors(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		body   string
	}{
		{"typed error", &kinesisError{"ResourceNotFoundException", "Stream a under account 000000000000 not found."},
			http.StatusBadRequest, `{"__type":"ResourceNotFoundException","message":"Stream a under account 000000000000 not found."}`},
		{"wrapped typed error", fmt.Errorf("stream: describe: %w", &kinesisError{"LimitExceededException", "Rate exceeded"}),
			http.StatusBadRequest, `{"__type":"LimitExceededException","message":"Rate exceeded"}`},
		{"server error type", &kinesis.Error{Type: "ExpiredIteratorException", Message: "Iterator expired."},
			http.StatusBadRequest, `{"__type":"ExpiredIteratorException","message":"Iterator expired."}`},
		{"internal failure type", &kinesis.Error{Type: "InternalFailure"},
			http.StatusInternalServerError, `{"__type":"InternalFailure"}`},
		{"service unavailable", &kinesisError{"ServiceUnavailable", "try later"},
			http.StatusServiceUnavailable, `{"__type":"ServiceUnavailable","message":"try later"}`},
		{"untyped error", errors.New("disk on fire"),
			http.StatusInternalServerError, `{"__type":"InternalFailure"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, b := mustNew(t, server.Options{})
			b.setError("DescribeStream", tc.err)
			w := do(t, s, "DescribeStream", `{"StreamName":"a"}`)
			require.Equal(t, tc.status, w.Code)
			require.Equal(t, tc.body, w.Body.String())
		})
	}
}

// TestOperations_BackendPanic checks that a panicking Backend costs one
// InternalFailure, not the connection.
func TestOperations_BackendPanic(t *testing.T) {
	s, b := mustNew(t, server.Options{})
	b.hook = func(string, any) { panic("boom") }
	w := do(t, s, "ListStreams", `{}`)
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.Equal(t, `{"__type":"InternalFailure"}`, w.Body.String())
}

// TestOperations_RecordsSize checks the PutRecords request limit on data plus keys that
// the server applies before it knows the stream: the ceiling of every stream, 10 MiB by
// default (a stream's smaller limit is the Backend's).
func TestOperations_RecordsSize(t *testing.T) {
	s, b := mustNew(t, server.Options{})
	data := base64.StdEncoding.EncodeToString(make([]byte, 1<<20-1)) // with its key, 1 MiB
	var records []string
	for range 10 {
		records = append(records, `{"Data":"`+data+`","PartitionKey":"k"}`)
	}
	over := append(slices.Clone(records[:9]), `{"Data":"`+data+`","PartitionKey":"kk"}`) // 1 byte over
	w := do(t, s, "PutRecords", `{"StreamName":"a","Records":[`+strings.Join(over, ",")+`]}`)
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Equal(t, `{"__type":"InvalidArgumentException","message":"Records size exceeds 10 MB limit"}`, w.Body.String())
	require.Equal(t, 0, b.callCount())

	w = do(t, s, "PutRecords", `{"StreamName":"a","Records":[`+strings.Join(records, ",")+`]}`)
	require.Equal(t, http.StatusOK, w.Code, "body %s", w.Body)

	s, b = mustNew(t, server.Options{MaxPutRecordsBytes: 5 << 20})
	w = do(t, s, "PutRecords", `{"StreamName":"a","Records":[`+strings.Join(records[:6], ",")+`]}`)
	require.Equal(t, `{"__type":"InvalidArgumentException","message":"Records size exceeds 5 MB limit"}`, w.Body.String())
	require.Equal(t, 0, b.callCount())
}
