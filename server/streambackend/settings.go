package streambackend

import (
	"context"
	"time"

	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// The stream settings and account settings: UpdateMaxRecordSize, the record distribution
// strategy, warm throughput and the minimum throughput billing commitment.

func (b *backend) UpdateMaxRecordSize(_ context.Context, in *server.UpdateMaxRecordSizeInput) (*server.UpdateMaxRecordSizeOutput, error) {
	if err := b.store.UpdateMaxRecordSize(in.StreamName, int(in.MaxRecordSizeInKiB)); err != nil {
		return nil, err
	}
	return &server.UpdateMaxRecordSizeOutput{}, nil
}

func (b *backend) UpdateStreamRecordDistributionStrategy(_ context.Context, in *server.UpdateStreamRecordDistributionStrategyInput) (*server.UpdateStreamRecordDistributionStrategyOutput, error) {
	strategy := stream.RecordDistributionStrategy(in.RecordDistributionStrategy)
	if err := b.store.UpdateStreamRecordDistributionStrategy(in.StreamName, strategy); err != nil {
		return nil, err
	}
	return &server.UpdateStreamRecordDistributionStrategyOutput{}, nil
}

func (b *backend) UpdateStreamWarmThroughput(_ context.Context, in *server.UpdateStreamWarmThroughputInput) (*server.UpdateStreamWarmThroughputOutput, error) {
	info, err := b.store.UpdateStreamWarmThroughput(in.StreamName, int(in.WarmThroughputMiBps))
	if err != nil {
		return nil, err
	}
	return &server.UpdateStreamWarmThroughputOutput{StreamARN: info.ARN(), StreamName: info.Name,
		WarmThroughput: warmThroughputOut(info.WarmThroughput)}, nil
}

func (b *backend) DescribeAccountSettings(context.Context, *server.DescribeAccountSettingsInput) (*server.DescribeAccountSettingsOutput, error) {
	a, err := b.store.DescribeAccountSettings()
	if err != nil {
		return nil, err
	}
	return &server.DescribeAccountSettingsOutput{MinimumThroughputBillingCommitment: commitmentOut(a)}, nil
}

func (b *backend) UpdateAccountSettings(_ context.Context, in *server.UpdateAccountSettingsInput) (*server.UpdateAccountSettingsOutput, error) {
	enable := in.MinimumThroughputBillingCommitment.Status == server.CommitmentStatusEnabled
	a, err := b.store.UpdateAccountSettings(enable)
	if err != nil {
		return nil, err
	}
	return &server.UpdateAccountSettingsOutput{MinimumThroughputBillingCommitment: commitmentOut(a)}, nil
}

// commitmentOut renders the commitment of a; a time the settings do not have is left out.
func commitmentOut(a stream.AccountSettings) *server.MinimumThroughputBillingCommitmentOutput {
	return &server.MinimumThroughputBillingCommitmentOutput{
		Status:               string(a.Commitment),
		StartedAt:            timeOrZero(a.StartedMs),
		EndedAt:              timeOrZero(a.EndedMs),
		EarliestAllowedEndAt: timeOrZero(a.EarliestAllowedEndMs),
	}
}

func timeOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// warmThroughputOut renders a stream's warm throughput.
func warmThroughputOut(w stream.WarmThroughput) *server.WarmThroughputObject {
	target, current := int32(w.TargetMiBps), int32(w.CurrentMiBps)
	return &server.WarmThroughputObject{TargetMiBps: &target, CurrentMiBps: &current}
}

// onDemandSettings fills the members of a DescribeStreamSummary that only an ON_DEMAND
// stream has: its RecordDistributionStrategy, and its WarmThroughput when the account's
// minimum throughput billing commitment is in force (AWS reports it only then).
func (b *backend) onDemandSettings(out *server.StreamDescriptionSummary, info *stream.StreamInfo) {
	if info.Mode != stream.ModeOnDemand {
		return
	}
	out.RecordDistributionStrategy = string(info.Distribution())
	if a, err := b.store.DescribeAccountSettings(); err == nil && a.Enabled() {
		out.WarmThroughput = warmThroughputOut(info.WarmThroughput)
	}
}
