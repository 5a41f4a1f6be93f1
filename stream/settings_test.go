package stream_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// The tests of the stream settings: capacity mode, encryption, enhanced monitoring.

const testKey = "alias/aws/kinesis"

// requireStatus checks a stream's status and returns its description.
func requireStatus(t *testing.T, s *stream.Store, name string, want stream.StreamStatus) stream.StreamInfo {
	t.Helper()
	info, err := s.DescribeStreamSummary(name)
	require.NoError(t, err)
	require.Equal(t, want, info.Status, "status of %s", name)
	return info
}

func TestStore_CreateStream_OnDemand(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	require.NoError(t, s.CreateStream("od", stream.StreamConfig{Mode: stream.ModeOnDemand}))
	info := requireStatus(t, s, "od", stream.StatusActive)
	require.Equal(t, stream.ModeOnDemand, info.Mode)
	require.Equal(t, stream.DefaultOnDemandShardCount, info.OpenShardCount())

	err := s.CreateStream("counted", stream.StreamConfig{Mode: stream.ModeOnDemand, ShardCount: 2})
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, "ShardCount is not expected when StreamMode=ON_DEMAND")
	_, err = s.DescribeStreamSummary("counted")
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream counted under account "+acct+" not found.")
}

func TestStore_UpdateStreamMode(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.UpdateDelay = time.Second
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 2)

	require.NoError(t, s.UpdateStreamMode("a", stream.ModeOnDemand))
	info := requireStatus(t, s, "a", stream.StatusUpdating)
	require.Equal(t, stream.ModeOnDemand, info.Mode)
	limits, err := s.DescribeLimits()
	require.NoError(t, err)
	require.Equal(t, 1, limits.OnDemandStreamCount)
	err = s.UpdateStreamMode("a", stream.ModeProvisioned)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Stream a under account "+acct+" not ACTIVE, instead in state UPDATING")
	put(t, s, "a", "k", "written while UPDATING")

	c.Advance(time.Second)
	info = requireStatus(t, s, "a", stream.StatusActive)
	require.Equal(t, 2, info.OpenShardCount(), "the shards stay")
	err = s.UpdateStreamMode("a", stream.ModeOnDemand)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, "Stream a under account "+acct+" is already in ON_DEMAND capacity mode.")
	_, err = s.UpdateShardCount("a", 4)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument,
		"UpdateShardCount is not supported for stream a under account "+acct+" because it is in ON_DEMAND capacity mode.")

	require.NoError(t, s.UpdateStreamMode("a", stream.ModeProvisioned))
	c.Advance(time.Second)
	info = requireStatus(t, s, "a", stream.StatusActive)
	require.Equal(t, stream.ModeProvisioned, info.Mode)
	current, err := s.UpdateShardCount("a", 4)
	require.NoError(t, err)
	require.Equal(t, 2, current)
	c.Advance(time.Second)
	requireStatus(t, s, "a", stream.StatusActive)

	// Two switches in 24 hours are the quota; the first is 24 hours old at 24h-2s from now.
	err = s.UpdateStreamMode("a", stream.ModeOnDemand)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded,
		"Stream a under account "+acct+" has already switched its capacity mode 2 times in the last 24 hours.")
	c.Advance(24*time.Hour - 3*time.Second - time.Millisecond)
	err = s.UpdateStreamMode("a", stream.ModeOnDemand)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded,
		"Stream a under account "+acct+" has already switched its capacity mode 2 times in the last 24 hours.")
	c.Advance(time.Millisecond)
	require.NoError(t, s.UpdateStreamMode("a", stream.ModeOnDemand))

	err = s.UpdateStreamMode("missing", stream.ModeOnDemand)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream missing under account "+acct+" not found.")
	require.Error(t, s.UpdateStreamMode("a", "FAST"))
}

func TestStore_UpdateStreamMode_NotActive(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.CreateDelay, opts.DeleteDelay = time.Second, time.Second
	s := mustOpen(t, opts)
	require.NoError(t, s.CreateStream("a", stream.StreamConfig{ShardCount: 1}))
	err := s.UpdateStreamMode("a", stream.ModeOnDemand)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Stream a under account "+acct+" not ACTIVE, instead in state CREATING")
	c.Advance(time.Second)
	require.NoError(t, s.DeleteStream("a"))
	err = s.StartStreamEncryption("a", stream.EncryptionKMS, testKey)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Stream a under account "+acct+" not ACTIVE, instead in state DELETING")
	_, _, err = s.EnableEnhancedMonitoring("a", []string{"ALL"})
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Stream a under account "+acct+" not ACTIVE, instead in state DELETING")
}

func TestCheckKeyID(t *testing.T) {
	const (
		notARN   = "Received KeyId ARN is not a properly formatted ARN"
		notAlias = "Received KeyId is not a properly formatted Alias or GUID"
	)
	tests := []struct {
		name, keyID, err string
	}{
		{name: "managed alias", keyID: "alias/aws/kinesis"},
		{name: "alias name", keyID: "alias/my-key_1"},
		{name: "key id", keyID: "1234abcd-12ab-34cd-56ef-1234567890ab"},
		{name: "multi-region key id", keyID: "mrk-1234abcd12ab34cd56ef1234567890ab"},
		{name: "key ARN", keyID: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		{name: "alias ARN", keyID: "arn:aws:kms:us-east-1:111122223333:alias/my-key"},
		{name: "China key ARN", keyID: "arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"},
		{name: "longest alias", keyID: "alias/" + strings.Repeat("a", 250)},
		{name: "alias too long", keyID: "alias/" + strings.Repeat("a", 251), err: notAlias},
		{name: "empty alias", keyID: "alias/", err: notAlias},
		{name: "alias with a space", keyID: "alias/my key", err: notAlias},
		{name: "plain name", keyID: "my-key", err: notAlias},
		{name: "short uuid", keyID: "1234abcd-12ab-34cd-56ef-1234567890a", err: notAlias},
		{name: "uuid not hex", keyID: "1234abcd-12ab-34cd-56ef-1234567890ag", err: notAlias},
		{name: "ARN of another service", keyID: "arn:aws:s3:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", err: notARN},
		{name: "ARN with a short account", keyID: "arn:aws:kms:us-east-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab", err: notARN},
		{name: "ARN with a bad key id", keyID: "arn:aws:kms:us-east-1:111122223333:key/my-key", err: notARN},
		{name: "ARN of another resource", keyID: "arn:aws:kms:us-east-1:111122223333:grant/1234", err: notARN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t, testOptions(newClock()))
			mustCreate(t, s, "a", 1)
			err := s.StartStreamEncryption("a", stream.EncryptionKMS, tt.keyID)
			if tt.err != "" {
				requireKinesisError(t, err, kinesis.TypeInvalidArgument, tt.err)
				info := requireStatus(t, s, "a", stream.StatusActive)
				require.Equal(t, stream.EncryptionNone, info.Encryption)
				return
			}
			require.NoError(t, err)
			info := requireStatus(t, s, "a", stream.StatusActive)
			require.Equal(t, stream.EncryptionKMS, info.Encryption)
			require.Equal(t, tt.keyID, info.KeyID)
		})
	}
}

func TestStore_StreamEncryption(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.UpdateDelay = time.Second
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 1)
	notEncrypted := "Stream a under account " + acct + " is not encrypted."

	err := s.StopStreamEncryption("a", stream.EncryptionKMS, testKey)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, notEncrypted)
	err = s.StartStreamEncryption("a", stream.EncryptionNone, testKey)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, "KMS is the only valid EncryptionType for this request")
	err = s.StartStreamEncryption("missing", stream.EncryptionKMS, testKey)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream missing under account "+acct+" not found.")

	require.NoError(t, s.StartStreamEncryption("a", stream.EncryptionKMS, testKey))
	info := requireStatus(t, s, "a", stream.StatusUpdating)
	require.Equal(t, stream.EncryptionKMS, info.Encryption)
	require.Equal(t, testKey, info.KeyID)
	err = s.StopStreamEncryption("a", stream.EncryptionKMS, testKey)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Stream a under account "+acct+" not ACTIVE, instead in state UPDATING")
	c.Advance(time.Second)
	requireStatus(t, s, "a", stream.StatusActive)

	other := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	err = s.StopStreamEncryption("a", stream.EncryptionKMS, other)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument,
		"KeyId "+other+" is not the key stream a under account "+acct+" is encrypted with.")
	err = s.StopStreamEncryption("a", stream.EncryptionNone, testKey)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, "KMS is the only valid EncryptionType for this request")
	requireStatus(t, s, "a", stream.StatusActive)

	require.NoError(t, s.StartStreamEncryption("a", stream.EncryptionKMS, other), "a new key")
	c.Advance(time.Second)
	info = requireStatus(t, s, "a", stream.StatusActive)
	require.Equal(t, other, info.KeyID)

	require.NoError(t, s.StopStreamEncryption("a", stream.EncryptionKMS, other))
	info = requireStatus(t, s, "a", stream.StatusUpdating)
	require.Equal(t, stream.EncryptionNone, info.Encryption)
	require.Empty(t, info.KeyID)
	c.Advance(time.Second)
	err = s.StopStreamEncryption("a", stream.EncryptionKMS, other)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument, notEncrypted)
}

func TestStore_StreamEncryption_Quota(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 1)
	for i := range stream.MaxEncryptionChangesPerDay {
		if i%2 == 0 {
			require.NoError(t, s.StartStreamEncryption("a", stream.EncryptionKMS, testKey), "change %d", i)
		} else {
			require.NoError(t, s.StopStreamEncryption("a", stream.EncryptionKMS, testKey), "change %d", i)
		}
		c.Advance(time.Minute)
	}
	exceeded := "Stream a under account " + acct + " has already changed its encryption 25 times in the last 24 hours."
	err := s.StopStreamEncryption("a", stream.EncryptionKMS, testKey)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded, exceeded)
	c.Advance(24*time.Hour - 25*time.Minute - time.Millisecond)
	err = s.StopStreamEncryption("a", stream.EncryptionKMS, testKey)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded, exceeded)
	c.Advance(time.Millisecond)
	require.NoError(t, s.StopStreamEncryption("a", stream.EncryptionKMS, testKey))
}

func TestStore_EnhancedMonitoring(t *testing.T) {
	all := []string{"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
		"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"}
	tests := []struct {
		name             string
		enable           bool
		metrics          []string
		current, desired []string
		updating         bool
	}{
		{name: "enable two", enable: true, metrics: []string{"OutgoingBytes", "IncomingBytes"},
			current: []string{}, desired: []string{"IncomingBytes", "OutgoingBytes"}, updating: true},
		{name: "enable again", enable: true, metrics: []string{"IncomingBytes"},
			current: []string{"IncomingBytes", "OutgoingBytes"}, desired: []string{"IncomingBytes", "OutgoingBytes"}},
		{name: "enable one more", enable: true, metrics: []string{"IteratorAgeMilliseconds", "IteratorAgeMilliseconds"},
			current:  []string{"IncomingBytes", "OutgoingBytes"},
			desired:  []string{"IncomingBytes", "OutgoingBytes", "IteratorAgeMilliseconds"},
			updating: true},
		{name: "disable one", metrics: []string{"IncomingBytes", "IncomingRecords"},
			current:  []string{"IncomingBytes", "OutgoingBytes", "IteratorAgeMilliseconds"},
			desired:  []string{"OutgoingBytes", "IteratorAgeMilliseconds"},
			updating: true},
		{name: "enable all", enable: true, metrics: []string{"ALL"},
			current: []string{"OutgoingBytes", "IteratorAgeMilliseconds"}, desired: all, updating: true},
		{name: "disable all", metrics: []string{"IncomingBytes", "ALL"}, current: all, desired: []string{}, updating: true},
		{name: "disable none", metrics: []string{"ALL"}, current: []string{}, desired: []string{}},
	}
	c := newClock()
	opts := testOptions(c)
	opts.UpdateDelay = time.Second
	s := mustOpen(t, opts)
	mustCreate(t, s, "a", 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := s.DisableEnhancedMonitoring
			if tt.enable {
				op = s.EnableEnhancedMonitoring
			}
			current, desired, err := op("a", tt.metrics)
			require.NoError(t, err)
			require.Equal(t, tt.current, current, "current")
			require.Equal(t, tt.desired, desired, "desired")
			want := stream.StatusActive
			if tt.updating {
				want = stream.StatusUpdating
			}
			info := requireStatus(t, s, "a", want)
			require.Equal(t, tt.desired, info.ShardLevelMetrics)
			c.Advance(time.Second)
			requireStatus(t, s, "a", stream.StatusActive)
		})
	}
	_, _, err := s.EnableEnhancedMonitoring("missing", []string{"ALL"})
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream missing under account "+acct+" not found.")
	_, _, err = s.EnableEnhancedMonitoring("a", []string{"Latency"})
	require.Error(t, err)
}

// TestStore_Restart_Settings shows that the mode, the encryption, the monitoring and the
// quotas of changes survive a restart, including a change still UPDATING.
func TestStore_Restart_Settings(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	opts.Shard.Sync = shard.SyncAlways
	opts.UpdateDelay = time.Second
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	mustCreate(t, s, "a", 3)
	require.NoError(t, s.UpdateStreamMode("a", stream.ModeOnDemand))
	c.Advance(time.Second)
	require.NoError(t, s.UpdateStreamMode("a", stream.ModeProvisioned))
	c.Advance(time.Second)
	_, _, err = s.EnableEnhancedMonitoring("a", []string{"IncomingRecords", "IteratorAgeMilliseconds"})
	require.NoError(t, err)
	c.Advance(time.Second)
	require.NoError(t, s.StartStreamEncryption("a", stream.EncryptionKMS, testKey))
	requireStatus(t, s, "a", stream.StatusUpdating)
	require.NoError(t, s.Close())

	s = mustOpenDir(t, dir, opts)
	info := requireStatus(t, s, "a", stream.StatusUpdating)
	require.Equal(t, stream.ModeProvisioned, info.Mode)
	require.Equal(t, stream.EncryptionKMS, info.Encryption)
	require.Equal(t, testKey, info.KeyID)
	require.Equal(t, []string{"IncomingRecords", "IteratorAgeMilliseconds"}, info.ShardLevelMetrics)
	require.Equal(t, 3, info.OpenShardCount())
	c.Advance(time.Second)
	requireStatus(t, s, "a", stream.StatusActive)
	err = s.UpdateStreamMode("a", stream.ModeOnDemand)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded,
		"Stream a under account "+acct+" has already switched its capacity mode 2 times in the last 24 hours.")
}
