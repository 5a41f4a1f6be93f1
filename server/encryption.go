package server

import "context"

// StartStreamEncryption and StopStreamEncryption turn a stream's server-side encryption
// with a KMS key on and off (KINESIS-API.md §2.9).

// StartStreamEncryptionInput is the input of StartStreamEncryption.
type StartStreamEncryptionInput struct {
	StreamName     string `json:"StreamName,omitempty"`
	EncryptionType string `json:"EncryptionType"`
	KeyId          string `json:"KeyId"`
	StreamARN      string `json:"StreamARN,omitempty"`
	StreamId       string `json:"StreamId,omitempty"`
}

// StartStreamEncryptionOutput is the (empty) output of StartStreamEncryption.
type StartStreamEncryptionOutput struct{}

// StopStreamEncryptionInput is the input of StopStreamEncryption.
type StopStreamEncryptionInput struct {
	StreamName     string `json:"StreamName,omitempty"`
	EncryptionType string `json:"EncryptionType"`
	KeyId          string `json:"KeyId"`
	StreamARN      string `json:"StreamARN,omitempty"`
	StreamId       string `json:"StreamId,omitempty"`
}

// StopStreamEncryptionOutput is the (empty) output of StopStreamEncryption.
type StopStreamEncryptionOutput struct{}

var (
	shapeEncryptionType = enumShape(EncryptionTypeNone, EncryptionTypeKMS)
	shapeKeyID          = stringShape(1, 2048, "")

	shapeStartStreamEncryptionInput = encryptionInputShape("StartStreamEncryptionInput")
	shapeStopStreamEncryptionInput  = encryptionInputShape("StopStreamEncryptionInput")
)

func encryptionInputShape(name string) *shape {
	return structShape(name,
		streamNameMember(),
		required("EncryptionType", shapeEncryptionType),
		required("KeyId", shapeKeyID),
		optional("StreamARN", shapeStreamARN),
		optional("StreamId", shapeStreamID))
}

// StartStreamEncryption reports that StartStreamEncryption is not implemented.
func (UnimplementedBackend) StartStreamEncryption(context.Context, *StartStreamEncryptionInput) (*StartStreamEncryptionOutput, error) {
	return nil, notImplemented("StartStreamEncryption")
}

// StopStreamEncryption reports that StopStreamEncryption is not implemented.
func (UnimplementedBackend) StopStreamEncryption(context.Context, *StopStreamEncryptionInput) (*StopStreamEncryptionOutput, error) {
	return nil, notImplemented("StopStreamEncryption")
}
