package stream

// StreamStatus is the state of a stream, as DescribeStream reports it.
type StreamStatus string

// Stream states. A stream is CREATING, then ACTIVE; resharding and other changes take it
// to UPDATING and back to ACTIVE; DeleteStream takes it to DELETING, after which it is gone.
const (
	StatusCreating StreamStatus = "CREATING"
	StatusActive   StreamStatus = "ACTIVE"
	StatusUpdating StreamStatus = "UPDATING"
	StatusDeleting StreamStatus = "DELETING"
)

// StreamMode is the capacity mode of a stream (StreamModeDetails.StreamMode).
type StreamMode string

// Stream modes.
const (
	ModeProvisioned StreamMode = "PROVISIONED"
	ModeOnDemand    StreamMode = "ON_DEMAND"
)

// EncryptionType is a stream's server-side encryption setting. shardlog stores and reports
// it; it does not encrypt.
type EncryptionType string

// Encryption types.
const (
	EncryptionNone EncryptionType = "NONE"
	EncryptionKMS  EncryptionType = "KMS"
)
