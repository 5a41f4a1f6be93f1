package server

import "context"

// UpdateStreamMode switches a stream between the PROVISIONED and ON_DEMAND capacity modes
// (KINESIS-API.md §2.3). The stream is named by its ARN only.

// UpdateStreamModeInput is the input of UpdateStreamMode. StreamName is no member of the
// model: the server fills it in from StreamARN, as for the other stream-scoped inputs. The
// stream backend does not keep WarmThroughputMiBps.
type UpdateStreamModeInput struct {
	StreamARN           string             `json:"StreamARN"`
	StreamModeDetails   *StreamModeDetails `json:"StreamModeDetails"`
	WarmThroughputMiBps *int32             `json:"WarmThroughputMiBps,omitempty"`
	StreamId            string             `json:"StreamId,omitempty"`
	StreamName          string             `json:"-"`
}

// UpdateStreamModeOutput is the (empty) output of UpdateStreamMode.
type UpdateStreamModeOutput struct{}

var shapeUpdateStreamModeInput = structShape("UpdateStreamModeInput",
	required("StreamARN", shapeStreamARN),
	required("StreamModeDetails", shapeStreamModeDetails),
	optional("WarmThroughputMiBps", shapeNaturalInt),
	optional("StreamId", shapeStreamID))

// UpdateStreamMode reports that UpdateStreamMode is not implemented.
func (UnimplementedBackend) UpdateStreamMode(context.Context, *UpdateStreamModeInput) (*UpdateStreamModeOutput, error) {
	return nil, notImplemented("UpdateStreamMode")
}
