package server

import "time"

// DescribeAccountSettings and UpdateAccountSettings (KINESIS-API.md §2.3): the account's
// minimum throughput billing commitment (On-demand Advantage), which warm throughput needs.

// Values of MinimumThroughputBillingCommitment's Status.
const (
	CommitmentStatusEnabled                        = "ENABLED"
	CommitmentStatusDisabled                       = "DISABLED"
	CommitmentStatusEnabledUntilEarliestAllowedEnd = "ENABLED_UNTIL_EARLIEST_ALLOWED_END" // outputs only
)

// DescribeAccountSettingsInput is the (empty) input of DescribeAccountSettings.
type DescribeAccountSettingsInput struct{}

// DescribeAccountSettingsOutput is the output of DescribeAccountSettings.
type DescribeAccountSettingsOutput struct {
	MinimumThroughputBillingCommitment *MinimumThroughputBillingCommitmentOutput `json:"MinimumThroughputBillingCommitment,omitempty"`
}

// UpdateAccountSettingsInput is the input of UpdateAccountSettings.
type UpdateAccountSettingsInput struct {
	MinimumThroughputBillingCommitment *MinimumThroughputBillingCommitmentInput `json:"MinimumThroughputBillingCommitment"`
}

// UpdateAccountSettingsOutput is the output of UpdateAccountSettings: the settings the
// update led to.
type UpdateAccountSettingsOutput struct {
	MinimumThroughputBillingCommitment *MinimumThroughputBillingCommitmentOutput `json:"MinimumThroughputBillingCommitment,omitempty"`
}

// MinimumThroughputBillingCommitmentInput asks for the commitment ENABLED or DISABLED.
type MinimumThroughputBillingCommitmentInput struct {
	Status string `json:"Status"`
}

// MinimumThroughputBillingCommitmentOutput is the state of the commitment; a zero time is
// left out.
type MinimumThroughputBillingCommitmentOutput struct {
	Status               string    `json:"Status"`
	StartedAt            time.Time `json:"StartedAt,omitempty"`
	EndedAt              time.Time `json:"EndedAt,omitempty"`
	EarliestAllowedEndAt time.Time `json:"EarliestAllowedEndAt,omitempty"`
}

var (
	shapeDescribeAccountSettingsInput = structShape("DescribeAccountSettingsInput")

	shapeUpdateAccountSettingsInput = structShape("UpdateAccountSettingsInput",
		required("MinimumThroughputBillingCommitment", structShape("MinimumThroughputBillingCommitmentInput",
			required("Status", enumShape(CommitmentStatusEnabled, CommitmentStatusDisabled)))))
)
