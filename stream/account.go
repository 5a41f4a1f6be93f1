package stream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/shardlog/shardlog/internal/atomicfile"
)

// The account settings of a data directory live in one small file beside the catalog,
// <data dir>/account-settings.json, replaced atomically on every change like a catalog file,
// in the same envelope: a format, the CRC-32C (Castagnoli, hex) of the "accounts" value
// exactly as stored, and the settings of each account by its 12-digit id:
//
//	{"format": 1, "crc32c": "5d0e91a7",
//	"accounts": {
//	  "000000000000": {"minimumThroughputBillingCommitment": "ENABLED", "startedMs": …}
//	}}
//
// A data directory without the file has every account at its defaults (the commitment
// DISABLED). A file that does not read back (a bad checksum, an unknown field, a status
// that is not one of AccountSettings's) fails Open, naming the file: starting with
// settings silently reset would change what a client was told.
//
// Format history: 1, the first.
const (
	accountSettingsName   = "account-settings.json"
	accountSettingsFormat = 1
)

// CommitmentStatus is the state of an account's minimum throughput billing commitment, as
// DescribeAccountSettings reports it.
type CommitmentStatus string

// Commitment states. An ENABLED commitment lasts at least MinCommitment; disabling it
// sooner leaves it ENABLED_UNTIL_EARLIEST_ALLOWED_END, and it becomes DISABLED by itself
// at that time, unless it is enabled again first (AWS's rules, documented with
// MinimumThroughputBillingCommitmentInput).
const (
	CommitmentEnabled                        CommitmentStatus = "ENABLED"
	CommitmentDisabled                       CommitmentStatus = "DISABLED"
	CommitmentEnabledUntilEarliestAllowedEnd CommitmentStatus = "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
)

// MinCommitment is how long an enabled minimum throughput billing commitment must last
// before it can end.
const MinCommitment = 24 * time.Hour

// AccountSettings is the account-level configuration of Kinesis: today, the minimum
// throughput billing commitment (On-demand Advantage), which UpdateStreamWarmThroughput
// needs. Times are epoch ms, 0 when unknown.
type AccountSettings struct {
	Commitment           CommitmentStatus `json:"minimumThroughputBillingCommitment"`
	StartedMs            int64            `json:"startedMs,omitempty"`            // when the commitment was last enabled
	EarliestAllowedEndMs int64            `json:"earliestAllowedEndMs,omitempty"` // StartedMs + MinCommitment
	EndedMs              int64            `json:"endedMs,omitempty"`              // when it ended, or, while ENABLED_UNTIL_EARLIEST_ALLOWED_END, will end
}

// defaultAccountSettings is an account's settings before any UpdateAccountSettings.
var defaultAccountSettings = AccountSettings{Commitment: CommitmentDisabled}

// Enabled reports whether the commitment is in force: ENABLED, or ending at its earliest
// allowed end.
func (a AccountSettings) Enabled() bool {
	return a.Commitment == CommitmentEnabled || a.Commitment == CommitmentEnabledUntilEarliestAllowedEnd
}

// at returns the settings as they are at nowMs: a commitment whose scheduled end has come
// is DISABLED.
func (a AccountSettings) at(nowMs int64) AccountSettings {
	if a.Commitment == CommitmentEnabledUntilEarliestAllowedEnd && nowMs >= a.EndedMs {
		a.Commitment = CommitmentDisabled
	}
	return a
}

// withCommitment returns the settings after a request to enable or disable the commitment
// at nowMs.
func (a AccountSettings) withCommitment(enable bool, nowMs int64) AccountSettings {
	a = a.at(nowMs)
	switch {
	case enable && a.Commitment == CommitmentDisabled:
		return AccountSettings{Commitment: CommitmentEnabled, StartedMs: nowMs,
			EarliestAllowedEndMs: nowMs + MinCommitment.Milliseconds()}
	case enable: // ENABLED, or a pending end that enabling again cancels
		a.Commitment, a.EndedMs = CommitmentEnabled, 0
	case a.Commitment == CommitmentDisabled:
	case nowMs < a.EarliestAllowedEndMs:
		a.Commitment, a.EndedMs = CommitmentEnabledUntilEarliestAllowedEnd, a.EarliestAllowedEndMs
	default:
		a.Commitment, a.EndedMs = CommitmentDisabled, nowMs
	}
	return a
}

func (a AccountSettings) validate() error {
	switch a.Commitment {
	case CommitmentEnabled, CommitmentDisabled, CommitmentEnabledUntilEarliestAllowedEnd:
	default:
		return fmt.Errorf("unknown commitment status %q", a.Commitment)
	}
	if a.Commitment != CommitmentDisabled && (a.StartedMs <= 0 || a.EarliestAllowedEndMs < a.StartedMs) {
		return fmt.Errorf("commitment %s started at %d, earliest end %d", a.Commitment, a.StartedMs, a.EarliestAllowedEndMs)
	}
	return nil
}

// accountFile is the account settings of a data directory and the file that keeps them.
type accountFile struct {
	path string
	mu   sync.Mutex                 // held while a change is written
	all  map[string]AccountSettings // by account id; replaced, never changed, under mu
}

// openAccountFile reads the account settings file of dataDir, if there is one.
func openAccountFile(dataDir string) (*accountFile, error) {
	f := &accountFile{path: filepath.Join(dataDir, accountSettingsName), all: map[string]AccountSettings{}}
	data, err := os.ReadFile(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return f, nil
	case err != nil:
		return nil, fmt.Errorf("stream: read account settings: %w", err)
	}
	if f.all, err = decodeAccountFile(data); err != nil {
		return nil, &CatalogError{Path: f.path, Reason: "bad account settings", Err: err}
	}
	return f, nil
}

// get returns the settings of account at nowMs.
func (f *accountFile) get(account string, nowMs int64) AccountSettings {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.all[account]
	if !ok {
		a = defaultAccountSettings
	}
	return a.at(nowMs)
}

// update applies fn to the settings of account and saves the result, durably, before
// returning it.
func (f *accountFile) update(account string, nowMs int64, fn func(AccountSettings) AccountSettings) (AccountSettings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.all[account]
	if !ok {
		a = defaultAccountSettings
	}
	a = fn(a.at(nowMs))
	next := maps.Clone(f.all)
	next[account] = a
	data, err := encodeAccountFile(next)
	if err == nil {
		err = atomicfile.WriteFile(f.path, data, 0o644)
	}
	if err != nil {
		return AccountSettings{}, fmt.Errorf("stream: save account settings: %w", err)
	}
	f.all = next
	return a, nil
}

// accountsEnvelope is the envelope of the account settings file.
type accountsEnvelope struct {
	Format   int             `json:"format"`
	CRC32C   string          `json:"crc32c"`
	Accounts json.RawMessage `json:"accounts"`
}

func encodeAccountFile(all map[string]AccountSettings) ([]byte, error) {
	for id, a := range all {
		if err := a.validate(); err != nil {
			return nil, fmt.Errorf("account %s: %w", id, err)
		}
	}
	body, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\"format\": %d, \"crc32c\": \"%08x\",\n\"accounts\": ", accountSettingsFormat, crc32.Checksum(body, castagnoli))
	b.Write(body)
	b.WriteString("}\n")
	return b.Bytes(), nil
}

func decodeAccountFile(data []byte) (map[string]AccountSettings, error) {
	var env accountsEnvelope
	if err := decodeStrict(data, &env); err != nil {
		return nil, err
	}
	if env.Format != accountSettingsFormat {
		return nil, fmt.Errorf("format %d, this build reads %d", env.Format, accountSettingsFormat)
	}
	want, err := strconv.ParseUint(env.CRC32C, 16, 32)
	if err != nil || len(env.CRC32C) != 8 {
		return nil, fmt.Errorf("crc32c %q is not 8 hex digits", env.CRC32C)
	}
	if got := crc32.Checksum(env.Accounts, castagnoli); got != uint32(want) {
		return nil, fmt.Errorf("crc32c of the accounts is %08x, the file says %08x", got, want)
	}
	all := map[string]AccountSettings{}
	if err := decodeStrict(env.Accounts, &all); err != nil {
		return nil, err
	}
	for id, a := range all {
		if err := a.validate(); err != nil {
			return nil, fmt.Errorf("account %s: %w", id, err)
		}
	}
	return all, nil
}

// DescribeAccountSettings returns the settings of the store's account.
func (s *Store) DescribeAccountSettings() (AccountSettings, error) {
	if s.closed.Load() {
		return AccountSettings{}, ErrClosed
	}
	return s.accounts.get(s.opts.Account, s.nowMs()), nil
}

// UpdateAccountSettings enables or disables the minimum throughput billing commitment of
// the store's account, durably, and returns the settings it leads to. Enabling an enabled
// commitment and disabling a disabled one change nothing; disabling one that has not lasted
// MinCommitment schedules its end (ENABLED_UNTIL_EARLIEST_ALLOWED_END).
func (s *Store) UpdateAccountSettings(enableCommitment bool) (AccountSettings, error) {
	if s.closed.Load() {
		return AccountSettings{}, ErrClosed
	}
	now := s.nowMs()
	return s.accounts.update(s.opts.Account, now, func(a AccountSettings) AccountSettings {
		return a.withCommitment(enableCommitment, now)
	})
}

// checkAccountSettings checks that the account settings file, if there is one, reads back.
func (c *checker) checkAccountSettings(dataDir string) {
	if _, err := openAccountFile(dataDir); err != nil {
		c.badErr(filepath.Join(dataDir, accountSettingsName), err)
	}
}
