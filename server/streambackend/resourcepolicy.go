package streambackend

import (
	"context"

	"github.com/shardlog/shardlog/server"
)

func (b *backend) PutResourcePolicy(_ context.Context, in *server.PutResourcePolicyInput) (*server.PutResourcePolicyOutput, error) {
	if err := b.store.PutResourcePolicy(in.ResourceARN, in.Policy); err != nil {
		return nil, err
	}
	return &server.PutResourcePolicyOutput{}, nil
}

func (b *backend) GetResourcePolicy(_ context.Context, in *server.GetResourcePolicyInput) (*server.GetResourcePolicyOutput, error) {
	policy, err := b.store.GetResourcePolicy(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return &server.GetResourcePolicyOutput{Policy: policy}, nil
}

func (b *backend) DeleteResourcePolicy(_ context.Context, in *server.DeleteResourcePolicyInput) (*server.DeleteResourcePolicyOutput, error) {
	if err := b.store.DeleteResourcePolicy(in.ResourceARN); err != nil {
		return nil, err
	}
	return &server.DeleteResourcePolicyOutput{}, nil
}
