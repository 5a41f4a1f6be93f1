package kinesis

// The names of an account and a region, as they appear in ARNs and in a request's SigV4
// credential scope. A server that keeps each account's streams in each region apart also
// names directories after them, so both are checked to be plain names first.

// MaxRegionLen bounds a region name; AWS's longest today is 14 characters.
const MaxRegionLen = 32

// IsAccountID reports whether s is an account id: exactly 12 ASCII digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsRegionName reports whether s has the shape of a region name: 1 to MaxRegionLen
// lower-case letters, digits and hyphens, starting with a letter and not ending with a
// hyphen ("us-east-1", "eu-central-2", "us-gov-west-1", "local").
func IsRegionName(s string) bool {
	if s == "" || len(s) > MaxRegionLen || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
