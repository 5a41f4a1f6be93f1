package stream

import (
	"regexp"
	"strings"
)

// MaxEncryptionChangesPerDay is how many times Start/StopStreamEncryption may change a
// stream's encryption in a rolling 24 hours (AWS's quota of 25 key changes).
const MaxEncryptionChangesPerDay = 25

// StartStreamEncryption records that a stream is encrypted with the KMS key keyID: a key id
// (a UUID, or a multi-Region key's mrk- id), a key ARN, an alias name (alias/..., such as
// AWS's managed key alias/aws/kinesis) or an alias ARN. encryptionType must be KMS. An
// encrypted stream may be given another key. The stream must be ACTIVE; it is UPDATING for
// Options.UpdateDelay. The key is not looked up: any well-formed one is taken.
func (s *Store) StartStreamEncryption(name string, encryptionType EncryptionType, keyID string) error {
	return s.update(name, func(info *StreamInfo) error {
		if err := s.checkEncryptionChange(info, encryptionType, keyID); err != nil {
			return err
		}
		info.Encryption, info.KeyID = EncryptionKMS, keyID
		return nil
	})
}

// StopStreamEncryption records that a stream is no longer encrypted. encryptionType must be
// KMS and keyID the key the stream is encrypted with, as given to StartStreamEncryption.
func (s *Store) StopStreamEncryption(name string, encryptionType EncryptionType, keyID string) error {
	return s.update(name, func(info *StreamInfo) error {
		if err := s.checkEncryptionChange(info, encryptionType, keyID); err != nil {
			return err
		}
		switch {
		case info.Encryption != EncryptionKMS:
			return streamNotEncrypted(info.Name, info.Account)
		case info.KeyID != keyID:
			return keyIDMismatch(keyID, info.Name, info.Account)
		}
		info.Encryption, info.KeyID = EncryptionNone, ""
		return nil
	})
}

// checkEncryptionChange checks the arguments common to Start and StopStreamEncryption, then
// the stream's status and its quota of changes, which it counts.
func (s *Store) checkEncryptionChange(info *StreamInfo, encryptionType EncryptionType, keyID string) error {
	if err := checkKeyID(keyID); err != nil {
		return err
	}
	if encryptionType != EncryptionKMS {
		return encryptionTypeNotKMS()
	}
	if err := requireActive(info); err != nil {
		return err
	}
	now := s.nowMs()
	info.EncryptionChangedMs = lastDay(info.EncryptionChangedMs, now)
	if len(info.EncryptionChangedMs) >= MaxEncryptionChangesPerDay {
		return encryptionChangesExceeded(info.Name, info.Account)
	}
	info.EncryptionChangedMs = append(info.EncryptionChangedMs, now)
	return nil
}

// The forms of a KMS key identifier. A key id is a UUID, or mrk- and 32 hex digits for a
// multi-Region key; an alias name is alias/ and letters, digits, '/', '_' and '-', 256
// characters at most in all (KMS's rule); an ARN names the partition, Region and 12-digit
// account, then key/<key id> or alias/<name>.
const (
	kmsKeyID     = `(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})`
	kmsAliasName = `alias/[a-zA-Z0-9/_-]{1,250}`
	kmsARNPrefix = `arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:`
)

var (
	kmsKeyIDRE     = regexp.MustCompile(`^` + kmsKeyID + `$`)
	kmsAliasNameRE = regexp.MustCompile(`^` + kmsAliasName + `$`)
	kmsARNRE       = regexp.MustCompile(`^` + kmsARNPrefix + `(?:key/` + kmsKeyID + `|` + kmsAliasName + `)$`)
)

// checkKeyID returns the error for a KeyId that is none of the forms of a KMS key
// identifier.
func checkKeyID(keyID string) error {
	switch {
	case strings.HasPrefix(keyID, "arn:"):
		if !kmsARNRE.MatchString(keyID) {
			return keyIDNotARN()
		}
	case !kmsKeyIDRE.MatchString(keyID) && !kmsAliasNameRE.MatchString(keyID):
		return keyIDNotAliasOrGUID()
	}
	return nil
}
