package stream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shardlog/shardlog/internal/atomicfile"
)

// The catalog is one small file per stream in <data dir>/catalog, named <stream name>.json
// and replaced atomically on every change (write .tmp, fsync, rename, fsync the directory),
// so a crash leaves each stream as it was before or after a change, never between. A file is
// JSON that people can read, wrapped with a version and a checksum:
//
//	{"format": 1, "crc32c": "9c2f4a1e",
//	"stream": {
//	  "name": "orders",
//	  …
//	}}
//
// crc32c is the CRC-32C (Castagnoli), in hex, of the bytes of the "stream" value exactly as
// stored. Decoding is strict: an unknown field, a trailing byte, a checksum that does not
// match, or a stream that breaks its invariants (validate) is a *CatalogError naming the
// file; a file is never skipped.
//
// Format history: 1, the first. (A pending reshard's startedSec was added to format 1
// before any release; a build without it refuses a file written during a reshard. A
// stream's consumers were added to format 1 later, omitted when there are none, so that a
// file without consumers reads the same in every build.)
const (
	catalogFormat         = 1 // the format written
	minReadableCatalogFmt = 1 // the oldest format read

	catalogDirName = "catalog"
	catalogExt     = ".json"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Catalog is the directory of stream files, <data dir>/catalog. Save and Remove of one
// stream must not run concurrently with each other; different streams may be saved and
// removed at once. Load is meant for start-up, before any Save or Remove.
type Catalog struct {
	dir string
}

// OpenCatalog opens the catalog of a data directory, creating <dataDir>/catalog if needed,
// removes the .tmp files a crash may have left there (each is an unfinished replacement
// whose stream file is still the previous version), and syncs the directory, so that what
// Load reads is durable.
func OpenCatalog(dataDir string) (*Catalog, error) {
	dir := filepath.Join(dataDir, catalogDirName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("stream: open catalog: %w", err)
	}
	// The directory entry of a new catalog must be durable before the files in it are.
	if err := atomicfile.SyncDir(dataDir); err != nil {
		return nil, fmt.Errorf("stream: open catalog: %w", err)
	}
	if err := removeTmpFiles(dir); err != nil {
		return nil, fmt.Errorf("stream: open catalog %s: %w", dir, err)
	}
	// A process that crashed after replacing or removing a stream file (DeleteStream), before
	// syncing the directory, leaves a change that Load builds on but that a power loss could
	// still undo.
	if err := atomicfile.SyncDir(dir); err != nil {
		return nil, fmt.Errorf("stream: open catalog: %w", err)
	}
	return &Catalog{dir: dir}, nil
}

func removeTmpFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	removed := false
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), atomicfile.TmpSuffix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
			removed = true
		}
	}
	if removed {
		return atomicfile.SyncDir(dir)
	}
	return nil
}

// ReadCatalog reads every stream in the catalog of dataDir as Load does, without creating,
// removing or changing anything (for shardlog inspect, which may run beside a server).
func ReadCatalog(dataDir string) ([]StreamInfo, error) {
	return (&Catalog{dir: filepath.Join(dataDir, catalogDirName)}).Load()
}

// StreamDirName returns the name of a stream's directory under <data dir>/streams:
// <name>-<incarnation>.
func StreamDirName(info *StreamInfo) string {
	return info.Name + "-" + strconv.FormatInt(info.Incarnation, 10)
}

// Retention returns how long the stream keeps records.
func (s *StreamInfo) Retention() time.Duration { return s.retention() }

// Dir returns the catalog directory.
func (c *Catalog) Dir() string { return c.dir }

// path returns the file of a stream.
func (c *Catalog) path(name string) string { return filepath.Join(c.dir, name+catalogExt) }

// Load reads every stream in the catalog, sorted by name. Files that are not stream files
// (.tmp leftovers, anything without the .json extension) are ignored. If any stream file
// cannot be read back, Load returns every such failure, each a *CatalogError naming its
// file, joined (errors.Is(err, ErrCorruptCatalog) holds), and no streams: starting without a
// stream that exists on disk would lose it silently.
func (c *Catalog) Load() ([]StreamInfo, error) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, fmt.Errorf("stream: load catalog: %w", err)
	}
	var streams []StreamInfo
	var errs []error
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), catalogExt)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		s, err := c.load(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		streams = append(streams, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return streams, nil // ReadDir sorts by file name, which sorts by stream name
}

func (c *Catalog) load(name string) (StreamInfo, error) {
	path := c.path(name)
	data, err := os.ReadFile(path)
	if err != nil {
		return StreamInfo{}, fmt.Errorf("stream: load catalog: %w", err)
	}
	s, err := decodeStreamFile(data)
	if err != nil {
		var ce *CatalogError
		if errors.As(err, &ce) {
			ce.Path = path
		}
		return StreamInfo{}, err
	}
	if s.Name != name {
		return StreamInfo{}, &CatalogError{Path: path, Reason: fmt.Sprintf("holds stream %q", s.Name)}
	}
	return s, nil
}

// Save writes s to its file, replacing the previous version atomically and durably. It
// returns an error matching ErrInvalidStreamInfo, and writes nothing, if s breaks an
// invariant of the catalog.
func (c *Catalog) Save(s *StreamInfo) error {
	data, err := encodeStreamFile(s)
	if err != nil {
		return fmt.Errorf("stream: save %s: %w", s.Name, err)
	}
	if err := atomicfile.WriteFile(c.path(s.Name), data, 0o644); err != nil {
		return fmt.Errorf("stream: save %s: %w", s.Name, err)
	}
	return nil
}

// Remove deletes the file of the named stream, durably. Removing a stream that has no file
// is not an error: a crash may have come between the removal and its caller's next step.
func (c *Catalog) Remove(name string) error {
	if err := validStreamName(name); err != nil {
		return fmt.Errorf("stream: remove %q: %w", name, err)
	}
	if err := atomicfile.Remove(c.path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("stream: remove %s: %w", name, err)
	}
	return nil
}

// streamFile is the envelope of a catalog file.
type streamFile struct {
	Format int             `json:"format"`
	CRC32C string          `json:"crc32c"`
	Stream json.RawMessage `json:"stream"`
}

// encodeStreamFile returns the bytes of the catalog file of s.
func encodeStreamFile(s *StreamInfo) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	body, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\"format\": %d, \"crc32c\": \"%08x\",\n\"stream\": ", catalogFormat, crc32.Checksum(body, castagnoli))
	b.Write(body)
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// decodeStreamFile reads the bytes of a catalog file. Its errors are *CatalogError without
// a Path.
func decodeStreamFile(data []byte) (StreamInfo, error) {
	var f streamFile
	if err := decodeStrict(data, &f); err != nil {
		return StreamInfo{}, &CatalogError{Reason: "not a catalog file", Err: err}
	}
	if f.Format < minReadableCatalogFmt || f.Format > catalogFormat {
		return StreamInfo{}, &CatalogError{Reason: fmt.Sprintf("format %d, this build reads %d to %d",
			f.Format, minReadableCatalogFmt, catalogFormat)}
	}
	want, err := strconv.ParseUint(f.CRC32C, 16, 32)
	if err != nil || len(f.CRC32C) != 8 {
		return StreamInfo{}, &CatalogError{Reason: fmt.Sprintf("crc32c %q is not 8 hex digits", f.CRC32C)}
	}
	if got := crc32.Checksum(f.Stream, castagnoli); got != uint32(want) {
		return StreamInfo{}, &CatalogError{Reason: fmt.Sprintf("crc32c of the stream is %08x, the file says %08x", got, want)}
	}
	var s StreamInfo
	if err := decodeStrict(f.Stream, &s); err != nil {
		return StreamInfo{}, &CatalogError{Reason: "bad stream", Err: err}
	}
	if err := s.validate(); err != nil {
		return StreamInfo{}, &CatalogError{Reason: "bad stream", Err: err}
	}
	return s, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
