package segment_test

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardlog/shardlog/segment"
)

func TestReader_MapsActiveSegmentToCapacity(t *testing.T) {
	w, path := mustCreate(t, 0, segment.WriterOptions{PreallocateBytes: 16 << 10})
	r := mustOpenReader(t, path, 4<<20)
	require.Equal(t, segment.Header{Version: segment.FormatVersion, FirstOffset: 0, CreatedMs: 1_700_000_000_000}, r.Header())

	var want []segment.Record
	var recs []segment.Record
	pos := int64(segment.HeaderSize)
	for i := range 40 {
		batch := makeRecords(30, 200, int64(i)*100)
		_, err := w.Append(batch)
		require.NoError(t, err)
		want = append(want, batch...)
		// Read what the writer has added since the last read, through the one mapping.
		for {
			info, got, err := r.ReadBatch(recs, pos, w.Size())
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			pos, recs = info.End(), got
		}
	}
	require.Greater(t, w.Size(), int64(16<<10), "the writer grew the file past its first chunk")
	got, _ := readAll(t, r, w.Size())
	requireSameRecords(t, want, got, 0)
}

func TestReader_ReadBatch_Limit(t *testing.T) {
	s := buildSmall(t, segment.CodecNone, 0, 2, 2)
	path := writeTemp(t, s.image)
	r := mustOpenReader(t, path, 0)
	b := s.batches
	tests := []struct {
		name       string
		pos, limit int64
		want       error
	}{
		{"at limit", b[1].Position, b[1].Position, io.EOF},
		{"past limit", b[1].End(), b[1].Position, io.EOF},
		{"limit inside the batch", b[1].Position, b[1].End() - 1, segment.ErrCorrupt},
		{"not a batch boundary", b[0].Position + 1, b[1].End(), segment.ErrCorrupt},
		{"limit past the mapping", b[1].End(), b[1].End() + 1<<20, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, recs, err := r.ReadBatch(nil, tt.pos, tt.limit)
			require.ErrorIs(t, err, tt.want)
			require.Empty(t, recs)
		})
	}
	_, _, err := r.ReadBatch(nil, 5, b[1].End())
	require.Error(t, err, "ReadBatch inside the header")

	info, _, err := r.ReadBatch(nil, b[1].Position, b[1].End())
	require.NoError(t, err, "ReadBatch with limit at the batch's end")
	require.Equal(t, b[1], info)
	var ce *segment.CorruptionError
	_, _, err = r.ReadBatch(nil, b[1].Position, b[1].End()-1)
	require.ErrorAs(t, err, &ce)
	require.Equal(t, path, ce.Path)
	require.Equal(t, b[1].Position, ce.Offset)
}

func TestReader_ReadBatch_FaultIsAnError(t *testing.T) {
	s := buildSmall(t, segment.CodecNone, 0, 1)
	path := writeTemp(t, s.image)
	// Map far past the end of the small file: pages beyond it fault when touched.
	r := mustOpenReader(t, path, 1<<20)
	_, _, err := r.ReadBatch(nil, 64<<10, 1<<20)
	require.ErrorIs(t, err, segment.ErrFault)
	_, recs, err := r.ReadBatch(nil, segment.HeaderSize, s.batches[0].End())
	require.NoError(t, err, "the reader still works after a fault")
	require.Len(t, recs, 1)
}

func TestReader_AfterClose(t *testing.T) {
	s := buildSmall(t, segment.CodecNone, 0, 1)
	r, err := segment.OpenReader(writeTemp(t, s.image), 0)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	_, _, err = r.ReadBatch(nil, segment.HeaderSize, 1000)
	require.ErrorIs(t, err, segment.ErrClosed)
	require.ErrorIs(t, r.Close(), segment.ErrClosed)
}

func TestOpenReader_Errors(t *testing.T) {
	good := buildSmall(t, segment.CodecNone, 0, 1).image
	badMagic := append([]byte("XX"), good[2:]...)
	tests := []struct {
		name  string
		image []byte
		want  error
	}{
		{"empty file", nil, segment.ErrShortHeader},
		{"short", good[:10], segment.ErrShortHeader},
		{"bad magic", badMagic, segment.ErrBadMagic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := segment.OpenReader(writeTemp(t, tt.image), 1<<20)
			require.ErrorIs(t, err, tt.want)
		})
	}
	_, err := segment.OpenReader(writeTemp(t, good)+".missing", 0)
	require.ErrorIs(t, err, os.ErrNotExist)
}
