package stream_test

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/internal/testutil"
	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

const (
	acct   = "000000000000"
	region = "us-east-1"
	t0     = int64(1700000000000) // the fake clock's start, ms
)

// clock is the fake clock of Options.Now.
type clock = testutil.Clock

func newClock() *clock { return testutil.NewClock(t0) }

// testOptions returns store options for tests: a fake clock, no sync (durability is not
// what most tests are about), no delays, and no logging.
func testOptions(c *clock) stream.Options {
	return stream.Options{
		Now:    c.Now,
		Shard:  shard.Options{Sync: shard.SyncNone},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// mustOpen opens a store in a new temporary directory with opts, and closes it when the
// test ends, checking that the close is clean.
func mustOpen(t testing.TB, opts stream.Options) *stream.Store {
	t.Helper()
	return mustOpenDir(t, t.TempDir(), opts)
}

// mustOpenDir opens the store in dir; see mustOpen. After the close, stream.Check must find
// nothing in dir, not even a note (bbolt's habit: every test ends with an integrity check).
func mustOpenDir(t testing.TB, dir string, opts stream.Options) *stream.Store {
	t.Helper()
	t.Cleanup(func() { requireCheckClean(t, dir) }) // cleanups run last first: after the close
	return mustOpenUnchecked(t, dir, opts)
}

// mustOpenUnchecked opens the store in dir and closes it when the test ends, without the
// integrity check: for the tests that damage the directory on purpose.
func mustOpenUnchecked(t testing.TB, dir string, opts stream.Options) *stream.Store {
	t.Helper()
	s, err := stream.Open(dir, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, stream.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// requireCheckClean fails the test for each problem stream.Check finds in dir.
func requireCheckClean(t testing.TB, dir string) {
	t.Helper()
	rep, err := stream.Check(dir, stream.CheckOptions{})
	if err != nil {
		t.Errorf("integrity check: %v", err)
		return
	}
	for _, p := range rep.Problems {
		t.Errorf("integrity check: damage %v: %v", p.Damage, p)
	}
}

// mustCreate creates an ACTIVE stream of n shards (the store has no create delay).
func mustCreate(t testing.TB, s *stream.Store, name string, n int) {
	t.Helper()
	require.NoError(t, s.CreateStream(name, stream.StreamConfig{ShardCount: n}))
	info, err := s.DescribeStreamSummary(name)
	require.NoError(t, err)
	require.Equal(t, stream.StatusActive, info.Status)
}

// requireKinesisError checks that err is a *kinesis.Error with the given type and message.
func requireKinesisError(t testing.TB, err error, typ, msg string) {
	t.Helper()
	var ke *kinesis.Error
	require.ErrorAs(t, err, &ke, "error %v", err)
	require.Equal(t, typ, ke.Type, "error type of %v", err)
	require.Equal(t, msg, ke.Message)
}

func TestOpen_CreatesLayout(t *testing.T) {
	dir := t.TempDir()
	s := mustOpenDir(t, dir, testOptions(newClock()))
	mustCreate(t, s, "orders", 2)
	for _, p := range []string{"secret", "catalog/orders.json", "streams"} {
		_, err := os.Stat(filepath.Join(dir, p))
		require.NoError(t, err, p)
	}
	shards, err := filepath.Glob(filepath.Join(dir, "streams", "orders-*", "shardId-*"))
	require.NoError(t, err)
	require.Len(t, shards, 2)
}

func TestStore_Close(t *testing.T) {
	c := newClock()
	s := mustOpen(t, testOptions(c))
	mustCreate(t, s, "a", 1)
	require.NoError(t, s.Close())
	require.ErrorIs(t, s.Close(), stream.ErrClosed)

	_, err := s.DescribeStreamSummary("a")
	require.ErrorIs(t, err, stream.ErrClosed)
	_, err = s.PutRecords(&stream.PutRecordsRequest{StreamName: "a", Entries: []stream.PutEntry{{PartitionKey: "k"}}}, nil)
	require.ErrorIs(t, err, stream.ErrClosed)
	_, err = s.GetRecords(&stream.GetRecordsRequest{ShardIterator: "x"}, nil)
	require.ErrorIs(t, err, stream.ErrClosed)
	require.ErrorIs(t, s.CreateStream("b", stream.StreamConfig{ShardCount: 1}), stream.ErrClosed)
	_, _, err = s.ListStreams(0, "", "")
	require.ErrorIs(t, err, stream.ErrClosed)
}

func TestOpen_RemovesDeletedStreamDirs(t *testing.T) {
	dir := t.TempDir()
	deleted := filepath.Join(dir, "streams", "gone-123", "shardId-000000000000")
	require.NoError(t, os.MkdirAll(deleted, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "streams", "gone-123", stream.DeletedMarkerName), nil, 0o644))
	s := mustOpenDir(t, dir, testOptions(newClock()))
	_, err := os.Stat(filepath.Dir(deleted))
	require.True(t, os.IsNotExist(err), "deleted stream dir still there: %v", err)
	mustCreate(t, s, "gone", 1)
}

func TestOpen_DamagedCatalog(t *testing.T) {
	dir := t.TempDir()
	s, err := stream.Open(dir, testOptions(newClock()))
	require.NoError(t, err)
	mustCreate(t, s, "a", 1)
	require.NoError(t, s.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "catalog", "a.json"), []byte("{"), 0o644))
	_, err = stream.Open(dir, testOptions(newClock()))
	require.ErrorIs(t, err, stream.ErrCorruptCatalog)
}
