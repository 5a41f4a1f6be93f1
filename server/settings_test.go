package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

// TestSettings_Errors checks the validation of UpdateStreamMode, Start/StopStreamEncryption
// and Enable/DisableEnhancedMonitoring in coral's words, before any Backend call.
func TestSettings_Errors(t *testing.T) {
	const metricsEnum = "Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, " +
		"OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]"
	val := func(name, op, body string, msgs ...string) errorCase {
		return errorCase{name, op, body, http.StatusBadRequest, "ValidationException", validationMsg(msgs...)}
	}
	ser := func(name, op, body, msg string) errorCase {
		return errorCase{name, op, body, http.StatusBadRequest, "SerializationException", msg}
	}
	longKey := strings.Repeat("k", 2049)
	arg := func(name, op, body, msg string) errorCase {
		return errorCase{name, op, body, http.StatusBadRequest, "InvalidArgumentException", msg}
	}
	cases := []errorCase{
		val("mode/empty", "UpdateStreamMode", `{}`,
			"Value null at 'streamARN' failed to satisfy constraint: Member must not be null",
			"Value null at 'streamModeDetails' failed to satisfy constraint: Member must not be null"),
		val("mode/name only", "UpdateStreamMode", `{"StreamName":"a","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}`,
			"Value null at 'streamARN' failed to satisfy constraint: Member must not be null"),
		val("mode/enum and warm throughput", "UpdateStreamMode",
			`{"StreamARN":"`+arnA+`","StreamModeDetails":{"StreamMode":"X"},"WarmThroughputMiBps":-1}`,
			"Value 'X' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
			"Value '-1' at 'warmThroughputMiBps' failed to satisfy constraint: Member must have value greater than or equal to 0"),
		val("mode/bad ARN", "UpdateStreamMode", `{"StreamARN":"a","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}`,
			"Value 'a' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+"),
		ser("mode/details scalar", "UpdateStreamMode", `{"StreamARN":"`+arnA+`","StreamModeDetails":"ON_DEMAND"}`, "Expected null"),
		val("start/empty", "StartStreamEncryption", `{}`, nullName,
			"Value null at 'encryptionType' failed to satisfy constraint: Member must not be null",
			"Value null at 'keyId' failed to satisfy constraint: Member must not be null"),
		val("start/enum and empty key", "StartStreamEncryption", `{"StreamName":"a","EncryptionType":"AES","KeyId":""}`,
			"Value 'AES' at 'encryptionType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, KMS]",
			"Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1"),
		arg("start/name and ARN disagree", "StartStreamEncryption",
			`{"StreamName":"b","StreamARN":"`+arnA+`","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}`,
			"StreamARN "+arnA+" does not match StreamName b."),
		val("stop/key too long", "StopStreamEncryption",
			`{"StreamName":"a","EncryptionType":"KMS","KeyId":"`+longKey+`"}`,
			"Value '"+longKey+"' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048"),
		val("enable/empty", "EnableEnhancedMonitoring", `{}`, nullName,
			"Value null at 'shardLevelMetrics' failed to satisfy constraint: Member must not be null"),
		val("enable/unknown metric", "EnableEnhancedMonitoring", `{"StreamName":"a","ShardLevelMetrics":["Latency"]}`,
			"Value '[Latency]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: ["+metricsEnum+"]"),
		val("enable/no metric", "EnableEnhancedMonitoring", `{"StreamName":"a","ShardLevelMetrics":[]}`,
			"Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length greater than or equal to 1"),
		val("disable/eight metrics", "DisableEnhancedMonitoring",
			`{"StreamName":"a","ShardLevelMetrics":["ALL","ALL","ALL","ALL","ALL","ALL","ALL","ALL"]}`,
			"Value '[ALL, ALL, ALL, ALL, ALL, ALL, ALL, ALL]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length less than or equal to 7"),
		ser("disable/metrics scalar", "DisableEnhancedMonitoring", `{"StreamName":"a","ShardLevelMetrics":"ALL"}`, "Expected list or null"),
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, b := mustNew(t, server.Options{})
			w := do(t, s, tc.op, tc.body)
			require.Equal(t, tc.status, w.Code, "status; body %s", w.Body)
			var got map[string]any
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got), "body %q", w.Body)
			require.Equal(t, tc.typ, got["__type"], "__type; body %s", w.Body)
			key := "message"
			if tc.typ == "SerializationException" {
				key = "Message"
			}
			require.Equal(t, tc.msg, got[key])
			require.Zero(t, b.callCount(), "the Backend is not called")
		})
	}
}

// TestSettings_Inputs checks what reaches the Backend: members intact, and the StreamName of
// UpdateStreamMode, which has no such member, filled in from StreamARN.
func TestSettings_Inputs(t *testing.T) {
	cases := []struct {
		op, body string
		want     any
	}{
		{"UpdateStreamMode", `{"StreamARN":"` + arnA + `","StreamModeDetails":{"StreamMode":"ON_DEMAND"},"WarmThroughputMiBps":10}`,
			&server.UpdateStreamModeInput{StreamARN: arnA, StreamName: "a",
				StreamModeDetails: &server.StreamModeDetails{StreamMode: "ON_DEMAND"}, WarmThroughputMiBps: ptr[int32](10)}},
		{"StartStreamEncryption", `{"StreamARN":"` + arnB + `","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}`,
			&server.StartStreamEncryptionInput{StreamName: "b", StreamARN: arnB, EncryptionType: "KMS", KeyId: "alias/aws/kinesis"}},
		{"StopStreamEncryption", `{"StreamName":"a","EncryptionType":"NONE","KeyId":"k"}`,
			&server.StopStreamEncryptionInput{StreamName: "a", EncryptionType: "NONE", KeyId: "k"}},
		{"EnableEnhancedMonitoring", `{"StreamName":"a","ShardLevelMetrics":["ALL","IncomingBytes"]}`,
			&server.EnableEnhancedMonitoringInput{StreamName: "a", ShardLevelMetrics: []string{"ALL", "IncomingBytes"}}},
		{"DisableEnhancedMonitoring", `{"StreamARN":"` + arnA + `","ShardLevelMetrics":["IteratorAgeMilliseconds"]}`,
			&server.DisableEnhancedMonitoringInput{StreamName: "a", StreamARN: arnA, ShardLevelMetrics: []string{"IteratorAgeMilliseconds"}}},
	}
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			s, b := mustNew(t, server.Options{})
			w := do(t, s, tc.op, tc.body)
			require.Equal(t, http.StatusOK, w.Code, "body %s", w.Body)
			op, in := b.lastCall()
			require.Equal(t, tc.op, op)
			require.Equal(t, tc.want, in)
		})
	}
}

// TestSettings_Outputs checks the bodies: empty for the mode and encryption changes (Unit
// outputs, as AWS answers them), all four
// members for monitoring, with empty lists written as [].
func TestSettings_Outputs(t *testing.T) {
	cases := []struct {
		op, body string
		out      any
		want     string
	}{
		{op: "UpdateStreamMode", body: `{"StreamARN":"` + arnA + `","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}`, want: ``},
		{op: "StartStreamEncryption", body: `{"StreamName":"a","EncryptionType":"KMS","KeyId":"k"}`, want: ``},
		{op: "StopStreamEncryption", body: `{"StreamName":"a","EncryptionType":"KMS","KeyId":"k"}`, want: ``},
		{op: "EnableEnhancedMonitoring", body: `{"StreamName":"a","ShardLevelMetrics":["ALL"]}`,
			out: &server.EnhancedMonitoringOutput{StreamName: "a", CurrentShardLevelMetrics: []string{},
				DesiredShardLevelMetrics: []string{"IncomingBytes"}, StreamARN: arnA},
			want: `{"StreamName":"a","CurrentShardLevelMetrics":[],"DesiredShardLevelMetrics":["IncomingBytes"],"StreamARN":"` + arnA + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			s, b := mustNew(t, server.Options{})
			if tc.out != nil {
				b.setOutput(tc.op, tc.out)
			}
			w := do(t, s, tc.op, tc.body)
			require.Equal(t, http.StatusOK, w.Code, "body %s", w.Body)
			require.Equal(t, tc.want, w.Body.String())
		})
	}
}
