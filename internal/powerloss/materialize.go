//go:build linux

package powerloss

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
)

// Materialize writes the image into dst, which must not exist: the durable state only.
func (img *Image) Materialize(dst string) error {
	return img.write(dst, img.root, func(ino uint64) []byte { return img.files[ino] })
}

// WriteBack is how the sectors written since each file's last sync reach the disk before
// the power goes off.
type WriteBack int

const (
	NoWriteBack        WriteBack = iota // none of them: Materialize
	InOrderWriteBack                    // in file order, up to a random one: MaterializeTorn
	ReorderedWriteBack                  // any subset of them: MaterializeReordered
	writeBacks
)

// RandomWriteBack returns one of the WriteBacks, each as likely.
func RandomWriteBack(rng *rand.Rand) WriteBack { return WriteBack(rng.IntN(int(writeBacks))) }

func (w WriteBack) String() string {
	switch w {
	case NoWriteBack:
		return "none"
	case InOrderWriteBack:
		return "in order"
	case ReorderedWriteBack:
		return "reordered"
	}
	return fmt.Sprintf("WriteBack(%d)", int(w))
}

// MaterializeAs writes the image into dst, which must not exist, as w leaves it. Unless w
// is NoWriteBack, the image must have been taken with its current bytes.
func (img *Image) MaterializeAs(w WriteBack, dst string, rng *rand.Rand) error {
	switch w {
	case NoWriteBack:
		return img.Materialize(dst)
	case InOrderWriteBack:
		return img.MaterializeTorn(dst, rng)
	case ReorderedWriteBack:
		return img.MaterializeReordered(dst, rng)
	}
	return fmt.Errorf("powerloss: unknown %v", w)
}

// MaterializeTorn writes the image into dst, which must not exist, as a crash in the middle
// of an in-order write-back leaves it: in each file, the sectors written since its last sync
// reached the disk up to a random sector, and the ones after it hold their old bytes (the
// preallocated zeros of a segment). The image must have been taken with its current bytes.
func (img *Image) MaterializeTorn(dst string, rng *rand.Rand) error {
	if img.current == nil {
		return fmt.Errorf("powerloss: image taken without the current bytes")
	}
	return img.write(dst, img.root, func(ino uint64) []byte { return torn(img.files[ino], img.current[ino], rng) })
}

// MaterializeReordered writes the image into dst, which must not exist, as a crash during
// a write-back that reaches the disk out of order leaves it: in each file, each 512-byte
// sector written since its last sync holds its new bytes or its old ones, at random. The
// image must have been taken with its current bytes.
func (img *Image) MaterializeReordered(dst string, rng *rand.Rand) error {
	if img.current == nil {
		return fmt.Errorf("powerloss: image taken without the current bytes")
	}
	return img.write(dst, img.root, func(ino uint64) []byte { return reordered(img.files[ino], img.current[ino], rng) })
}

// SectorSize is the unit that MaterializeReordered writes whole or not at all.
const SectorSize = 512

// reordered returns synced with each sector that differs in current taken from current
// or not, at random.
func reordered(synced, current []byte, rng *rand.Rand) []byte {
	out := slices.Clone(synced)
	if len(current) > len(out) {
		out = append(out, make([]byte, len(current)-len(out))...)
	}
	for pos := 0; pos < len(current); pos += SectorSize {
		end := min(pos+SectorSize, len(current))
		if !bytes.Equal(out[pos:end], current[pos:end]) && rng.IntN(2) == 0 {
			copy(out[pos:end], current[pos:end])
		}
	}
	return out
}

// torn returns synced with the sectors of current that differ from it, up to a random one.
func torn(synced, current []byte, rng *rand.Rand) []byte {
	out := slices.Clone(synced)
	if len(current) > len(out) {
		out = append(out, make([]byte, len(current)-len(out))...)
	}
	var changed []int // the sectors that differ, in file order
	for pos := 0; pos < len(current); pos += SectorSize {
		end := min(pos+SectorSize, len(current))
		if !bytes.Equal(out[pos:end], current[pos:end]) {
			changed = append(changed, pos)
		}
	}
	for _, pos := range changed[:rng.IntN(len(changed)+1)] {
		end := min(pos+SectorSize, len(current))
		copy(out[pos:end], current[pos:end])
	}
	return out
}

// write creates dst as the directory ino, with its entries as last synced.
func (img *Image) write(dst string, ino uint64, content func(uint64) []byte) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	for name, e := range img.dirs[ino] {
		path := filepath.Join(dst, name)
		if e.dir {
			if err := img.write(path, e.ino, content); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(path, content(e.ino), 0o644); err != nil {
			return err
		}
	}
	return nil
}
