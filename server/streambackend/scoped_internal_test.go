package streambackend

import (
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/kinesis"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/shard"
	"github.com/shardlog/shardlog/stream"
)

// TestScoped_MaxScopes: once maxScopes accounts and regions besides the default are open,
// one more is a LimitExceededException, while those open and the default still answer; a
// Close refuses later ones with stream.ErrClosed.
func TestScoped_MaxScopes(t *testing.T) {
	m, err := Open(t.TempDir(), stream.Options{Shard: shard.Options{Sync: shard.SyncNone},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	m.maxScopes = 2
	for _, region := range []string{"eu-west-1", "us-west-2"} {
		_, err := m.Store(server.Scope{Region: region})
		require.NoError(t, err, "Store in %s", region)
	}
	_, err = m.Store(server.Scope{Region: "ap-south-1"})
	var ke *kinesis.Error
	require.ErrorAs(t, err, &ke)
	require.Equal(t, kinesis.TypeLimitExceeded, ke.Type)
	require.Equal(t, "This server already serves 2 accounts and regions besides its default one; "+
		"account 000000000000 in ap-south-1 would be one more.", ke.Message)
	for _, sc := range []server.Scope{{Region: "eu-west-1"}, {}, {Account: "000000000000", Region: "us-east-1"}} {
		_, err := m.Store(sc)
		require.NoError(t, err, "Store of %+v", sc)
	}
	require.NoError(t, m.Close())
	_, err = m.Store(server.Scope{Region: "ap-south-1"})
	require.True(t, errors.Is(err, stream.ErrClosed), "Store after Close: %v", err)
	require.ErrorIs(t, m.Close(), stream.ErrClosed)
}
