package stream_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

const testPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},` +
	`"Action":"kinesis:PutRecord","Resource":"arn:aws:kinesis:us-east-1:000000000000:stream/a"}]}`

func TestStore_ResourcePolicy(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	mustCreate(t, s, "b", 1)
	arn, other := s.StreamARN("a"), s.StreamARN("b")

	policy, err := s.GetResourcePolicy(arn)
	require.NoError(t, err)
	require.Equal(t, stream.NoResourcePolicy, policy, "a stream without a policy")

	require.NoError(t, s.PutResourcePolicy(arn, testPolicy))
	policy, err = s.GetResourcePolicy(arn)
	require.NoError(t, err)
	require.Equal(t, testPolicy, policy)
	policy, err = s.GetResourcePolicy(other)
	require.NoError(t, err)
	require.Equal(t, stream.NoResourcePolicy, policy, "the policy of a is not b's")

	spaced := "  {\n \"Version\": \"2012-10-17\"\n}\n"
	require.NoError(t, s.PutResourcePolicy(arn, spaced), "a second Put replaces the policy")
	policy, err = s.GetResourcePolicy(arn)
	require.NoError(t, err)
	require.Equal(t, spaced, policy, "the text is kept as given")

	require.NoError(t, s.DeleteResourcePolicy(arn))
	policy, err = s.GetResourcePolicy(arn)
	require.NoError(t, err)
	require.Equal(t, stream.NoResourcePolicy, policy)
	require.NoError(t, s.DeleteResourcePolicy(arn), "deleting no policy")
}

func TestStore_ResourcePolicy_Errors(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	arn := s.StreamARN("a")
	require.NoError(t, s.PutResourcePolicy(arn, testPolicy))
	notJSON := "Policy is not a valid JSON policy document: it must be a JSON object."
	big := `{"Sid":"` + strings.Repeat("x", stream.MaxResourcePolicyBytes-10) + `"}`
	require.Len(t, big, stream.MaxResourcePolicyBytes)
	tests := []struct {
		name, arn, policy string
		typ, msg          string
	}{
		{"not JSON", arn, "{", kinesis.TypeInvalidArgument, notJSON},
		{"empty", arn, "", kinesis.TypeInvalidArgument, notJSON},
		{"an array", arn, "[]", kinesis.TypeInvalidArgument, notJSON},
		{"a string", arn, `"x"`, kinesis.TypeInvalidArgument, notJSON},
		{"null", arn, "null", kinesis.TypeInvalidArgument, notJSON},
		{"two objects", arn, "{}{}", kinesis.TypeInvalidArgument, notJSON},
		{"too large", arn, big[:len(big)-2] + `x"}`, kinesis.TypeInvalidArgument,
			"Policy of 20481 bytes exceeds the maximum size of 20480 bytes."},
		{"no stream", s.StreamARN("nope"), "{}", kinesis.TypeResourceNotFound,
			"Resource arn:aws:kinesis:us-east-1:000000000000:stream/nope not found."},
		{"another account", "arn:aws:kinesis:us-east-1:111111111111:stream/a", "{}", kinesis.TypeResourceNotFound,
			"Resource arn:aws:kinesis:us-east-1:111111111111:stream/a not found."},
		{"a consumer", arn + "/consumer/c:1700000000", "{}", kinesis.TypeResourceNotFound,
			"Resource arn:aws:kinesis:us-east-1:000000000000:stream/a/consumer/c:1700000000 not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireKinesisError(t, s.PutResourcePolicy(tt.arn, tt.policy), tt.typ, tt.msg)
			if tt.typ == kinesis.TypeResourceNotFound {
				_, err := s.GetResourcePolicy(tt.arn)
				requireKinesisError(t, err, tt.typ, tt.msg)
				requireKinesisError(t, s.DeleteResourcePolicy(tt.arn), tt.typ, tt.msg)
			}
		})
	}
	require.NoError(t, s.PutResourcePolicy(arn, big), "a policy of the largest size")
	require.NoError(t, s.PutResourcePolicy(arn, testPolicy))
	policy, err := s.GetResourcePolicy(arn)
	require.NoError(t, err)
	require.Equal(t, testPolicy, policy, "a refused Put leaves the policy")
}

// TestStore_ResourcePolicy_Restart: a policy is in the stream's catalog entry, so it
// survives a restart, and is gone with the stream: a stream created again under the name
// has none. A stream without a policy writes no policies member, as catalog files written
// before resource policies have none.
func TestStore_ResourcePolicy_Restart(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	opts.Shard.Sync = shard.SyncAlways
	s := mustOpenDir(t, dir, opts)
	mustCreate(t, s, "a", 1)
	mustCreate(t, s, "old", 1)
	arn := s.StreamARN("a")
	require.NoError(t, s.PutResourcePolicy(arn, testPolicy))
	catalogOld, err := os.ReadFile(filepath.Join(dir, "catalog", "old.json"))
	require.NoError(t, err)
	require.NotContains(t, string(catalogOld), "policies", "a stream without a policy writes none")
	require.NoError(t, s.Close())

	s = mustOpenDir(t, dir, opts)
	policy, err := s.GetResourcePolicy(arn)
	require.NoError(t, err)
	require.Equal(t, testPolicy, policy, "after a restart")
	policy, err = s.GetResourcePolicy(s.StreamARN("old"))
	require.NoError(t, err)
	require.Equal(t, stream.NoResourcePolicy, policy)

	require.NoError(t, s.DeleteStream("a"))
	_, err = s.GetResourcePolicy(arn)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Resource "+arn+" not found.")
	mustCreate(t, s, "a", 1)
	policy, err = s.GetResourcePolicy(arn)
	require.NoError(t, err)
	require.Equal(t, stream.NoResourcePolicy, policy, "a deleted stream's policy is gone with it")
	before := testutil.TreeState(t, dir)
	require.NoError(t, s.DeleteResourcePolicy(arn))
	require.Equal(t, before, testutil.TreeState(t, dir), "deleting no policy writes nothing")
}
