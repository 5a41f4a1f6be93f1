package streambackend

import (
	"context"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// The stream settings: capacity mode, encryption, enhanced monitoring. The server has
// checked the enums and lengths, and filled StreamName in from StreamARN.

func (b *backend) UpdateStreamMode(_ context.Context, in *server.UpdateStreamModeInput) (*server.UpdateStreamModeOutput, error) {
	if err := b.store.UpdateStreamMode(in.StreamName, stream.StreamMode(in.StreamModeDetails.StreamMode)); err != nil {
		return nil, err
	}
	return &server.UpdateStreamModeOutput{}, nil
}

func (b *backend) StartStreamEncryption(_ context.Context, in *server.StartStreamEncryptionInput) (*server.StartStreamEncryptionOutput, error) {
	if err := b.store.StartStreamEncryption(in.StreamName, stream.EncryptionType(in.EncryptionType), in.KeyId); err != nil {
		return nil, err
	}
	return &server.StartStreamEncryptionOutput{}, nil
}

func (b *backend) StopStreamEncryption(_ context.Context, in *server.StopStreamEncryptionInput) (*server.StopStreamEncryptionOutput, error) {
	if err := b.store.StopStreamEncryption(in.StreamName, stream.EncryptionType(in.EncryptionType), in.KeyId); err != nil {
		return nil, err
	}
	return &server.StopStreamEncryptionOutput{}, nil
}

func (b *backend) EnableEnhancedMonitoring(_ context.Context, in *server.EnableEnhancedMonitoringInput) (*server.EnhancedMonitoringOutput, error) {
	current, desired, err := b.store.EnableEnhancedMonitoring(in.StreamName, in.ShardLevelMetrics)
	return b.monitoringOutput(in.StreamName, current, desired, err)
}

func (b *backend) DisableEnhancedMonitoring(_ context.Context, in *server.DisableEnhancedMonitoringInput) (*server.EnhancedMonitoringOutput, error) {
	current, desired, err := b.store.DisableEnhancedMonitoring(in.StreamName, in.ShardLevelMetrics)
	return b.monitoringOutput(in.StreamName, current, desired, err)
}

func (b *backend) monitoringOutput(name string, current, desired []string, err error) (*server.EnhancedMonitoringOutput, error) {
	if err != nil {
		return nil, err
	}
	b.shardLevelChanged(name, desired)
	return &server.EnhancedMonitoringOutput{
		StreamName:               name,
		CurrentShardLevelMetrics: current,
		DesiredShardLevelMetrics: desired,
		StreamARN:                b.store.StreamARN(name),
	}, nil
}

// encryptionType is the EncryptionType of a PutRecord or PutRecords answer, from the
// encryption the store wrote under: KMS for an encrypted stream, and none otherwise (AWS's
// answers for unencrypted streams were recorded without it).
func encryptionType(e stream.EncryptionType) string {
	if e == stream.EncryptionKMS {
		return server.EncryptionTypeKMS
	}
	return ""
}
