package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"
)

// streamSettings is what describe-stream-summary reports of the stream settings.
type streamSettings struct {
	StreamDescriptionSummary struct {
		StreamStatus       string
		StreamModeDetails  struct{ StreamMode string }
		EncryptionType     string
		KeyId              string
		OpenShardCount     int
		EnhancedMonitoring []struct{ ShardLevelMetrics []string }
	}
}

// TestCLI_StreamSettings changes a stream's capacity mode, encryption and enhanced
// monitoring with the AWS CLI v2, reads them back with describe-stream-summary, and again
// after a restart of the server.
func TestCLI_StreamSettings(t *testing.T) {
	skipShort(t)
	t.Parallel()
	cli := newCLI(t, "")
	dir := t.TempDir()
	srv := startServer(t, dir)
	cli.endpoint = srv.Endpoint
	const (
		name = "cli-settings"
		arn  = "arn:aws:kinesis:us-east-1:000000000000:stream/" + name
		key  = "alias/aws/kinesis"
	)
	describe := func() streamSettings {
		var s streamSettings
		cli.run(&s, "describe-stream-summary", "--stream-name", name)
		require.Equal(t, "ACTIVE", s.StreamDescriptionSummary.StreamStatus)
		return s
	}
	// Between the changes the settings are read with the Go SDK: each start of the CLI
	// costs a second of CPU, and describe() shows the CLI reading them after the restart
	// and at the end.
	sdkDescribe := func() streamSettings {
		t.Helper()
		out, err := newClient(srv.Endpoint).DescribeStreamSummary(context.Background(),
			&kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		require.NoError(t, err)
		d := out.StreamDescriptionSummary
		var s streamSettings
		got := &s.StreamDescriptionSummary
		got.StreamStatus, got.EncryptionType, got.KeyId = string(d.StreamStatus), string(d.EncryptionType), aws.ToString(d.KeyId)
		got.StreamModeDetails.StreamMode = string(d.StreamModeDetails.StreamMode)
		got.OpenShardCount = int(aws.ToInt32(d.OpenShardCount))
		for _, m := range d.EnhancedMonitoring {
			var metrics []string
			for _, x := range m.ShardLevelMetrics {
				metrics = append(metrics, string(x))
			}
			got.EnhancedMonitoring = append(got.EnhancedMonitoring, struct{ ShardLevelMetrics []string }{metrics})
		}
		require.Equal(t, "ACTIVE", got.StreamStatus)
		return s
	}

	cli.run(nil, "create-stream", "--stream-name", name, "--stream-mode-details", "StreamMode=ON_DEMAND")
	s := sdkDescribe().StreamDescriptionSummary
	require.Equal(t, "ON_DEMAND", s.StreamModeDetails.StreamMode)
	require.Equal(t, 4, s.OpenShardCount)
	require.Equal(t, "An error occurred (InvalidArgumentException) when calling the UpdateShardCount operation: "+
		"UpdateShardCount is not supported for stream "+name+" under account 000000000000 because it is in ON_DEMAND capacity mode.",
		cli.fail("update-shard-count", "--stream-name", name, "--target-shard-count", "8", "--scaling-type", "UNIFORM_SCALING"))

	cli.run(nil, "update-stream-mode", "--stream-arn", arn, "--stream-mode-details", "StreamMode=PROVISIONED")
	require.Equal(t, "PROVISIONED", sdkDescribe().StreamDescriptionSummary.StreamModeDetails.StreamMode)
	require.Equal(t, "An error occurred (InvalidArgumentException) when calling the UpdateStreamMode operation: "+
		"Stream "+name+" under account 000000000000 is already in PROVISIONED capacity mode.",
		cli.fail("update-stream-mode", "--stream-arn", arn, "--stream-mode-details", "StreamMode=PROVISIONED"))

	cli.run(nil, "start-stream-encryption", "--stream-name", name, "--encryption-type", "KMS", "--key-id", key)
	s = sdkDescribe().StreamDescriptionSummary
	require.Equal(t, "KMS", s.EncryptionType)
	require.Equal(t, key, s.KeyId)
	require.Equal(t, "An error occurred (InvalidArgumentException) when calling the StartStreamEncryption operation: "+
		"Received KeyId is not a properly formatted Alias or GUID",
		cli.fail("start-stream-encryption", "--stream-name", name, "--encryption-type", "KMS", "--key-id", "my-key"))

	var mon struct {
		StreamName, StreamARN                              string
		CurrentShardLevelMetrics, DesiredShardLevelMetrics []string
	}
	cli.run(&mon, "enable-enhanced-monitoring", "--stream-name", name, "--shard-level-metrics", "OutgoingBytes", "IncomingBytes")
	require.Equal(t, name, mon.StreamName)
	require.Equal(t, arn, mon.StreamARN)
	require.Empty(t, mon.CurrentShardLevelMetrics)
	require.Equal(t, []string{"IncomingBytes", "OutgoingBytes"}, mon.DesiredShardLevelMetrics)
	require.Equal(t, []string{"IncomingBytes", "OutgoingBytes"}, sdkDescribe().StreamDescriptionSummary.EnhancedMonitoring[0].ShardLevelMetrics)

	// Everything survives a restart.
	srv.Stop(t)
	srv = startServer(t, dir)
	cli.endpoint = srv.Endpoint
	s = describe().StreamDescriptionSummary
	require.Equal(t, "PROVISIONED", s.StreamModeDetails.StreamMode)
	require.Equal(t, "KMS", s.EncryptionType)
	require.Equal(t, key, s.KeyId)
	require.Equal(t, []string{"IncomingBytes", "OutgoingBytes"}, s.EnhancedMonitoring[0].ShardLevelMetrics)

	require.Equal(t, "An error occurred (InvalidArgumentException) when calling the StopStreamEncryption operation: "+
		"KeyId alias/other is not the key stream "+name+" under account 000000000000 is encrypted with.",
		cli.fail("stop-stream-encryption", "--stream-name", name, "--encryption-type", "KMS", "--key-id", "alias/other"))
	cli.run(nil, "stop-stream-encryption", "--stream-name", name, "--encryption-type", "KMS", "--key-id", key)
	cli.run(&mon, "disable-enhanced-monitoring", "--stream-name", name, "--shard-level-metrics", "ALL")
	require.Equal(t, []string{"IncomingBytes", "OutgoingBytes"}, mon.CurrentShardLevelMetrics)
	require.Empty(t, mon.DesiredShardLevelMetrics)
	s = describe().StreamDescriptionSummary
	require.Equal(t, "NONE", s.EncryptionType)
	require.Empty(t, s.KeyId)
	require.Empty(t, s.EnhancedMonitoring[0].ShardLevelMetrics)
	cli.run(nil, "delete-stream", "--stream-name", name)
}
