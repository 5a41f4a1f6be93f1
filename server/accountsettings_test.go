package server_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/server"
)

func TestSDK_UpdateAccountSettings_MissingCommitment(t *testing.T) {
	s, b := mustNew(t, server.Options{})
	w := do(t, s, "UpdateAccountSettings", `{}`)
	require.Equal(t, 400, w.Code)
	require.Equal(t, `{"__type":"ValidationException","message":"1 validation error detected: Value null at `+
		`'minimumThroughputBillingCommitment' failed to satisfy constraint: Member must not be null"}`, w.Body.String())
	require.Equal(t, 0, b.callCount())
}
