package wire

// The records of one GetRecords answer mostly share their arrival time: a shard stamps all
// the records of one append with one time. arrivalText keeps the text of the last time
// written, so that each record after the first of a batch copies it rather than formatting
// the number again (formatting was a tenth of the CPU of reading 100-byte records).

// arrivalText is the JSON text of the last arrival time appended.
type arrivalText struct {
	ms   int64
	n    int      // length of the text in buf; 0 before the first time
	text [24]byte // AppendEpochMillis(nil, ms)
}

// append appends AppendEpochMillis(nil, ms) to dst.
func (t *arrivalText) append(dst []byte, ms int64) []byte {
	if t.n == 0 || ms != t.ms {
		t.ms, t.n = ms, len(AppendEpochMillis(t.text[:0], ms))
	}
	return append(dst, t.text[:t.n]...)
}
