package server

import "context"

// Resource policies: PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy
// (KINESIS-API.md §2.9). The resource is a stream or a consumer, named by its ARN.

// PutResourcePolicyInput is the input of PutResourcePolicy.
type PutResourcePolicyInput struct {
	ResourceARN string `json:"ResourceARN"`
	Policy      string `json:"Policy"`
	StreamId    string `json:"StreamId,omitempty"`
}

// GetResourcePolicyInput is the input of GetResourcePolicy.
type GetResourcePolicyInput struct {
	ResourceARN string `json:"ResourceARN"`
	StreamId    string `json:"StreamId,omitempty"`
}

// DeleteResourcePolicyInput is the input of DeleteResourcePolicy.
type DeleteResourcePolicyInput struct {
	ResourceARN string `json:"ResourceARN"`
	StreamId    string `json:"StreamId,omitempty"`
}

// PutResourcePolicyOutput is the (empty) output of PutResourcePolicy.
type PutResourcePolicyOutput struct{}

// GetResourcePolicyOutput is the output of GetResourcePolicy: the policy, a JSON
// document in a string.
type GetResourcePolicyOutput struct {
	Policy string `json:"Policy"`
}

// DeleteResourcePolicyOutput is the (empty) output of DeleteResourcePolicy.
type DeleteResourcePolicyOutput struct{}

// The model puts no constraint on Policy: its rules (JSON, size) are the Backend's.
var (
	shapePolicy = stringShape(noBound, noBound, "")

	shapePutResourcePolicyInput = structShape("PutResourcePolicyInput",
		required("ResourceARN", shapeResourceARN),
		optional("StreamId", shapeStreamID),
		required("Policy", shapePolicy))

	shapeGetResourcePolicyInput = structShape("GetResourcePolicyInput",
		required("ResourceARN", shapeResourceARN),
		optional("StreamId", shapeStreamID))

	shapeDeleteResourcePolicyInput = structShape("DeleteResourcePolicyInput",
		required("ResourceARN", shapeResourceARN),
		optional("StreamId", shapeStreamID))
)

// PutResourcePolicy reports that PutResourcePolicy is not implemented.
func (UnimplementedBackend) PutResourcePolicy(context.Context, *PutResourcePolicyInput) (*PutResourcePolicyOutput, error) {
	return nil, notImplemented("PutResourcePolicy")
}

// GetResourcePolicy reports that GetResourcePolicy is not implemented.
func (UnimplementedBackend) GetResourcePolicy(context.Context, *GetResourcePolicyInput) (*GetResourcePolicyOutput, error) {
	return nil, notImplemented("GetResourcePolicy")
}

// DeleteResourcePolicy reports that DeleteResourcePolicy is not implemented.
func (UnimplementedBackend) DeleteResourcePolicy(context.Context, *DeleteResourcePolicyInput) (*DeleteResourcePolicyOutput, error) {
	return nil, notImplemented("DeleteResourcePolicy")
}
