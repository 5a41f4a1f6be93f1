package stream_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/stream"
)

// Tests of the per-stream settings: the maximum record size, the record distribution
// strategy, warm throughput, and the account settings they depend on.

func putSized(s *stream.Store, name string, keyLen, dataLen int) error {
	_, err := s.PutRecord(&stream.PutRecordRequest{StreamName: name,
		Entry: stream.PutEntry{PartitionKey: strings.Repeat("k", keyLen), Data: make([]byte, dataLen)}})
	return err
}

func putRecordsSized(s *stream.Store, name string, dataLens ...int) error {
	var entries []stream.PutEntry
	for _, n := range dataLens {
		entries = append(entries, stream.PutEntry{PartitionKey: "k", Data: make([]byte, n)})
	}
	_, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: name, Entries: entries}, nil)
	return err
}

const mib = 1 << 20

func TestStore_MaxRecordSize_PutRecord(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	tests := []struct {
		name            string
		keyLen, dataLen int
		typ, msg        string
	}{
		{"data and key at the limit", 1, mib - 1, "", ""},
		{"empty data", 1, 0, "", ""},
		{"data over the limit", 1, mib + 1, kinesis.TypeValidation,
			"1 validation error detected: Value at 'data' failed to satisfy constraint: " +
				"Member must have length less than or equal to 1048576"},
		{"data at the limit, the key takes it over", 2, mib - 1, kinesis.TypeInvalidArgument,
			"Record has 1048577 bytes of data and partition key, more than the maximum record size of stream a " +
				"under account " + acct + ": 1024 KiB."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := putSized(s, "a", tt.keyLen, tt.dataLen)
			if tt.typ == "" {
				require.NoError(t, err)
				return
			}
			requireKinesisError(t, err, tt.typ, tt.msg)
		})
	}
}

func TestStore_MaxRecordSize_PutRecords(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mustCreate(t, s, "a", 1)
	tests := []struct {
		name     string
		dataLens []int
		typ, msg string
	}{
		{"records at the limit", []int{mib - 1, mib - 1}, "", ""},
		{"5 MiB in all", []int{mib - 1, mib - 1, mib - 1, mib - 1, mib - 1}, "", ""},
		{"two records over", []int{10, mib + 1, 10, mib + 2}, kinesis.TypeValidation,
			"2 validation errors detected: " +
				"Value at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576; " +
				"Value at 'records.4.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576"},
		{"a key takes one over", []int{10, mib - 1, mib}, kinesis.TypeInvalidArgument,
			"Record 2 of the request has 1048577 bytes of data and partition key, more than the maximum record size " +
				"of stream a under account " + acct + ": 1024 KiB."},
		{"over 5 MiB in all", []int{mib - 1, mib - 1, mib - 1, mib - 1, mib - 1, 0}, kinesis.TypeInvalidArgument,
			"Records size exceeds 5 MB limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := putRecordsSized(s, "a", tt.dataLens...)
			if tt.typ == "" {
				require.NoError(t, err)
				return
			}
			requireKinesisError(t, err, tt.typ, tt.msg)
		})
	}
}

func TestStore_UpdateMaxRecordSize(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	mustCreate(t, s, "a", 1)
	info, err := s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, kinesis.DefaultMaxRecordSizeKiB, info.MaxRecordSizeKiB)

	requireKinesisError(t, s.UpdateMaxRecordSize("a", 1023), kinesis.TypeValidation,
		"1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: "+
			"Member must have value greater than or equal to 1024")
	requireKinesisError(t, s.UpdateMaxRecordSize("a", 10241), kinesis.TypeValidation,
		"1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: "+
			"Member must have value less than or equal to 10240")
	requireKinesisError(t, s.UpdateMaxRecordSize("b", 2048), kinesis.TypeResourceNotFound,
		"Stream b under account "+acct+" not found.")

	require.NoError(t, s.UpdateMaxRecordSize("a", 2048))
	require.NoError(t, putSized(s, "a", 1, 2*mib-1), "a 2 MiB record after the update")
	requireKinesisError(t, putSized(s, "a", 1, 2*mib+1), kinesis.TypeValidation,
		"1 validation error detected: Value at 'data' failed to satisfy constraint: "+
			"Member must have length less than or equal to 2097152")
	// Above 1 MiB records, a request may carry 10 MiB.
	require.NoError(t, putRecordsSized(s, "a", 2*mib-1, 2*mib-1, 2*mib-1, 2*mib-1, 2*mib-1))
	requireKinesisError(t, putRecordsSized(s, "a", 2*mib-1, 2*mib-1, 2*mib-1, 2*mib-1, 2*mib-1, 0),
		kinesis.TypeInvalidArgument, "Records size exceeds 10 MB limit")
	require.NoError(t, s.Close())

	s = mustOpenDir(t, dir, opts)
	info, err = s.DescribeStreamSummary("a")
	require.NoError(t, err)
	require.Equal(t, 2048, info.MaxRecordSizeKiB, "after a restart")
	require.NoError(t, putSized(s, "a", 1, 2*mib-1), "a 2 MiB record after a restart")

	require.NoError(t, s.UpdateMaxRecordSize("a", 10240))
	require.NoError(t, putSized(s, "a", 1, 10*mib-1), "a 10 MiB record")
	require.NoError(t, putSized(s, "a", 1, 10*mib-1), "another")
	it, err := s.GetShardIterator(&stream.GetShardIteratorRequest{StreamName: "a", ShardID: "shardId-0", Type: stream.TrimHorizon})
	require.NoError(t, err)
	recs := readAll(t, s, it)
	var sizes []int
	for _, r := range recs {
		sizes = append(sizes, len(r.key)+len(r.data))
	}
	// One record, one PutRecords of five, one after the restart, and the two of 10 MiB.
	require.Equal(t, []int{2 * mib, 2 * mib, 2 * mib, 2 * mib, 2 * mib, 2 * mib, 2 * mib, 10 * mib, 10 * mib}, sizes)
}

func TestStore_UpdateMaxRecordSize_NotActive(t *testing.T) {
	c := newClock()
	opts := testOptions(c)
	opts.CreateDelay = time.Second
	s := mustOpen(t, opts)
	require.NoError(t, s.CreateStream("a", stream.StreamConfig{ShardCount: 1}))
	requireKinesisError(t, s.UpdateMaxRecordSize("a", 2048), kinesis.TypeResourceInUse,
		"Stream a under account "+acct+" not ACTIVE, instead in state CREATING")
}

// shardsOf puts n records with one partition key, with PutRecords (batch) or one PutRecord
// each, and returns how many went to each shard.
func shardsOf(t *testing.T, s *stream.Store, name string, n int, batch bool) map[string]int {
	t.Helper()
	got := map[string]int{}
	if !batch {
		for range n {
			got[put(t, s, name, "one-key", "v").ShardID]++
		}
		return got
	}
	entries := make([]stream.PutEntry, n)
	for i := range entries {
		entries[i] = stream.PutEntry{PartitionKey: "one-key", Data: []byte("v")}
	}
	results, err := s.PutRecords(&stream.PutRecordsRequest{StreamName: name, Entries: entries}, nil)
	require.NoError(t, err)
	for _, r := range results {
		require.Empty(t, r.ErrorCode)
		got[r.ShardID]++
	}
	return got
}

func TestStore_RecordDistribution(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	require.NoError(t, s.CreateStream("od", stream.StreamConfig{Mode: stream.ModeOnDemand}))
	mustCreate(t, s, "prov", 4)

	// By default, one key stays on one shard.
	require.Len(t, shardsOf(t, s, "od", 40, true), 1)
	require.Len(t, shardsOf(t, s, "od", 8, false), 1)
	info, err := s.DescribeStreamSummary("od")
	require.NoError(t, err)
	require.Equal(t, stream.DistributionPartitionKey, info.Distribution())

	requireKinesisError(t, s.UpdateStreamRecordDistributionStrategy("prov", stream.DistributionAuto), kinesis.TypeInvalidArgument,
		"Record distribution strategy AUTO is only supported for ON_DEMAND streams. Stream prov under account "+acct+" is PROVISIONED.")
	require.NoError(t, s.UpdateStreamRecordDistributionStrategy("prov", stream.DistributionPartitionKey))
	requireKinesisError(t, s.UpdateStreamRecordDistributionStrategy("nope", stream.DistributionAuto), kinesis.TypeResourceNotFound,
		"Stream nope under account "+acct+" not found.")

	// AUTO spreads one key evenly over the 4 shards, in a batch and call after call.
	require.NoError(t, s.UpdateStreamRecordDistributionStrategy("od", stream.DistributionAuto))
	want := map[string]int{"shardId-000000000000": 10, "shardId-000000000001": 10, "shardId-000000000002": 10, "shardId-000000000003": 10}
	require.Equal(t, want, shardsOf(t, s, "od", 40, true))
	require.Equal(t, map[string]int{"shardId-000000000000": 2, "shardId-000000000001": 2, "shardId-000000000002": 2, "shardId-000000000003": 2},
		shardsOf(t, s, "od", 8, false))
	_, err = s.PutRecord(&stream.PutRecordRequest{StreamName: "od", Entry: stream.PutEntry{PartitionKey: "k", ExplicitHashKey: "-1"}})
	requireKinesisError(t, err, kinesis.TypeInvalidArgument,
		"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was -1")
	require.NoError(t, s.Close())

	s = mustOpenDir(t, dir, opts)
	info, err = s.DescribeStreamSummary("od")
	require.NoError(t, err)
	require.Equal(t, stream.DistributionAuto, info.Distribution(), "after a restart")
	require.Len(t, shardsOf(t, s, "od", 40, true), 4, "after a restart")

	require.NoError(t, s.UpdateStreamRecordDistributionStrategy("od", stream.DistributionPartitionKey))
	require.Len(t, shardsOf(t, s, "od", 40, true), 1, "back to USER_PARTITION_KEY")
}

func TestStore_CreateStream_RecordDistribution(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	requireKinesisError(t, s.CreateStream("p", stream.StreamConfig{ShardCount: 2, RecordDistribution: stream.DistributionAuto}),
		kinesis.TypeInvalidArgument, "Record distribution strategy AUTO is only supported for ON_DEMAND streams. "+
			"Stream p under account "+acct+" is PROVISIONED.")
	require.NoError(t, s.CreateStream("od", stream.StreamConfig{Mode: stream.ModeOnDemand, RecordDistribution: stream.DistributionAuto}))
	require.Len(t, shardsOf(t, s, "od", 8, true), 4)
}

func TestStore_AccountSettings(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	a, err := s.DescribeAccountSettings()
	require.NoError(t, err)
	require.Equal(t, stream.AccountSettings{Commitment: stream.CommitmentDisabled}, a)
	a, err = s.UpdateAccountSettings(false)
	require.NoError(t, err)
	require.Equal(t, stream.AccountSettings{Commitment: stream.CommitmentDisabled}, a, "disabling what is disabled")

	enabled := stream.AccountSettings{Commitment: stream.CommitmentEnabled, StartedMs: t0, EarliestAllowedEndMs: t0 + 24*3600*1000}
	a, err = s.UpdateAccountSettings(true)
	require.NoError(t, err)
	require.Equal(t, enabled, a)
	c.Advance(time.Hour)
	a, err = s.UpdateAccountSettings(true)
	require.NoError(t, err)
	require.Equal(t, enabled, a, "enabling what is enabled")

	// Disabling before 24 hours schedules the end; enabling again cancels it.
	ending := enabled
	ending.Commitment, ending.EndedMs = stream.CommitmentEnabledUntilEarliestAllowedEnd, enabled.EarliestAllowedEndMs
	a, err = s.UpdateAccountSettings(false)
	require.NoError(t, err)
	require.Equal(t, ending, a)
	a, err = s.UpdateAccountSettings(true)
	require.NoError(t, err)
	require.Equal(t, enabled, a)
	_, err = s.UpdateAccountSettings(false)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = stream.Open(dir, opts)
	require.NoError(t, err)
	a, err = s.DescribeAccountSettings()
	require.NoError(t, err)
	require.Equal(t, ending, a, "after a restart")

	// The scheduled end comes by itself.
	c.Advance(23*time.Hour - time.Millisecond)
	a, err = s.DescribeAccountSettings()
	require.NoError(t, err)
	require.Equal(t, stream.CommitmentEnabledUntilEarliestAllowedEnd, a.Commitment, "1 ms before the end")
	c.Advance(time.Millisecond)
	a, err = s.DescribeAccountSettings()
	require.NoError(t, err)
	ended := ending
	ended.Commitment = stream.CommitmentDisabled
	require.Equal(t, ended, a)

	// Enabled again and disabled after 24 hours, it ends at once.
	_, err = s.UpdateAccountSettings(true)
	require.NoError(t, err)
	c.Advance(25 * time.Hour)
	a, err = s.UpdateAccountSettings(false)
	require.NoError(t, err)
	require.Equal(t, stream.AccountSettings{Commitment: stream.CommitmentDisabled, StartedMs: t0 + 24*3600*1000,
		EarliestAllowedEndMs: t0 + 48*3600*1000, EndedMs: t0 + 49*3600*1000}, a)
	require.NoError(t, s.Close())

	s = mustOpenDir(t, dir, opts)
	got, err := s.DescribeAccountSettings()
	require.NoError(t, err)
	require.Equal(t, a, got, "after a restart")
}

func TestOpen_DamagedAccountSettings(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(newClock())
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	_, err = s.UpdateAccountSettings(true)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	path := filepath.Join(dir, "account-settings.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(data), `"ENABLED"`, `"DISABLED"`, 1)), 0o644))
	_, err = stream.Open(dir, opts)
	require.ErrorIs(t, err, stream.ErrCorruptCatalog)
	require.ErrorContains(t, err, path)
	require.ErrorContains(t, err, "crc32c of the accounts is")

	rep, err := stream.Check(dir, stream.CheckOptions{})
	require.NoError(t, err)
	require.Len(t, rep.Problems, 1)
	require.True(t, rep.Problems[0].Damage)
	require.Equal(t, path, rep.Problems[0].Path)
	require.Contains(t, rep.Problems[0].Reason, "crc32c of the accounts is")
}

func TestStore_UpdateStreamWarmThroughput(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	opts := testOptions(c)
	opts.UpdateDelay = 500 * time.Millisecond
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	mustCreate(t, s, "prov", 1)
	require.NoError(t, s.CreateStream("od", stream.StreamConfig{Mode: stream.ModeOnDemand}))

	_, err = s.UpdateStreamWarmThroughput("prov", 100)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument,
		"Warm throughput is only supported for ON_DEMAND streams. Stream prov under account "+acct+" is PROVISIONED.")
	_, err = s.UpdateStreamWarmThroughput("od", 100)
	requireKinesisError(t, err, kinesis.TypeInvalidArgument,
		"Warm throughput requires the MinimumThroughputBillingCommitment of account "+acct+" to be ENABLED (UpdateAccountSettings).")
	_, err = s.UpdateStreamWarmThroughput("nope", 100)
	requireKinesisError(t, err, kinesis.TypeResourceNotFound, "Stream nope under account "+acct+" not found.")

	_, err = s.UpdateAccountSettings(true)
	require.NoError(t, err)
	_, err = s.UpdateStreamWarmThroughput("od", 10241)
	requireKinesisError(t, err, kinesis.TypeLimitExceeded,
		"Requested warm throughput of 10241 MiBps exceeds the limit of 10240 MiBps for an on-demand stream.")
	_, err = s.UpdateStreamWarmThroughput("od", -1)
	requireKinesisError(t, err, kinesis.TypeValidation, "1 validation error detected: Value '-1' at 'warmThroughputMiBps' "+
		"failed to satisfy constraint: Member must have value greater than or equal to 0")

	info, err := s.UpdateStreamWarmThroughput("od", 100)
	require.NoError(t, err)
	require.Equal(t, stream.StatusUpdating, info.Status)
	require.Equal(t, 100, info.WarmThroughput.TargetMiBps)
	require.Equal(t, 0, info.WarmThroughput.CurrentMiBps)
	_, err = s.UpdateStreamWarmThroughput("od", 200)
	requireKinesisError(t, err, kinesis.TypeResourceInUse, "Stream od under account "+acct+" not ACTIVE, instead in state UPDATING")
	put(t, s, "od", "k", "written while UPDATING")
	require.NoError(t, s.Close())

	c.Advance(500 * time.Millisecond)
	s = mustOpenDir(t, dir, opts)
	info, err = s.DescribeStreamSummary("od")
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status, "after a restart past the delay")
	require.Equal(t, 100, info.WarmThroughput.TargetMiBps)
	require.Equal(t, 100, info.WarmThroughput.CurrentMiBps)

	info, err = s.UpdateStreamWarmThroughput("od", 50)
	require.NoError(t, err)
	require.Equal(t, 100, info.WarmThroughput.CurrentMiBps, "still 100 while UPDATING")
	require.Equal(t, 50, info.WarmThroughput.TargetMiBps)
}

func TestStore_CreateStream_WarmThroughput(t *testing.T) {
	s := mustOpen(t, testOptions(newClock()))
	mibps := 64
	requireKinesisError(t, s.CreateStream("od", stream.StreamConfig{Mode: stream.ModeOnDemand, WarmThroughputMiBps: &mibps}),
		kinesis.TypeInvalidArgument, "Warm throughput requires the MinimumThroughputBillingCommitment of account "+acct+
			" to be ENABLED (UpdateAccountSettings).")
	_, err := s.UpdateAccountSettings(true)
	require.NoError(t, err)
	requireKinesisError(t, s.CreateStream("p", stream.StreamConfig{ShardCount: 1, WarmThroughputMiBps: &mibps}),
		kinesis.TypeInvalidArgument, "Warm throughput is only supported for ON_DEMAND streams. Stream p under account "+acct+" is PROVISIONED.")
	require.NoError(t, s.CreateStream("od", stream.StreamConfig{Mode: stream.ModeOnDemand, WarmThroughputMiBps: &mibps}))
	info, err := s.DescribeStreamSummary("od")
	require.NoError(t, err)
	require.Equal(t, stream.WarmThroughput{TargetMiBps: 64, CurrentMiBps: 64}, info.WarmThroughput)
}
