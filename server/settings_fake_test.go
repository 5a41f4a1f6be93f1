package server_test

import (
	"context"

	"github.com/shardlog/shardlog/server"
)

// The fakeBackend's answers to the stream-setting operations.

func (f *fakeBackend) UpdateStreamMode(_ context.Context, in *server.UpdateStreamModeInput) (*server.UpdateStreamModeOutput, error) {
	return reply[server.UpdateStreamModeOutput](f, "UpdateStreamMode", in)
}

func (f *fakeBackend) StartStreamEncryption(_ context.Context, in *server.StartStreamEncryptionInput) (*server.StartStreamEncryptionOutput, error) {
	return reply[server.StartStreamEncryptionOutput](f, "StartStreamEncryption", in)
}

func (f *fakeBackend) StopStreamEncryption(_ context.Context, in *server.StopStreamEncryptionInput) (*server.StopStreamEncryptionOutput, error) {
	return reply[server.StopStreamEncryptionOutput](f, "StopStreamEncryption", in)
}

func (f *fakeBackend) EnableEnhancedMonitoring(_ context.Context, in *server.EnableEnhancedMonitoringInput) (*server.EnhancedMonitoringOutput, error) {
	return reply[server.EnhancedMonitoringOutput](f, "EnableEnhancedMonitoring", in)
}

func (f *fakeBackend) DisableEnhancedMonitoring(_ context.Context, in *server.DisableEnhancedMonitoringInput) (*server.EnhancedMonitoringOutput, error) {
	return reply[server.EnhancedMonitoringOutput](f, "DisableEnhancedMonitoring", in)
}
