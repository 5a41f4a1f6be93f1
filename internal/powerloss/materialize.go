package powerloss

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Materialize writes the image into dst, which must not exist: the durable state only.
func (img *Image) Materialize(dst string) error {
	return img.write(dst, img.root, func(ino uint64) []byte { return img.files[ino] })
}

// MaterializeTorn writes the image into dst, which must not exist, as a crash in the middle
// of write-back leaves it: in each file, the bytes written since its last sync reached the
// disk up to a random point (a prefix, as write-back of an appended file goes), and a few
// bytes after that point may be garbage (a torn sector). The image must have been taken
// with its current bytes.
func (img *Image) MaterializeTorn(dst string, rng *rand.Rand) error {
	if img.current == nil {
		return fmt.Errorf("powerloss: image taken without the current bytes")
	}
	return img.write(dst, img.root, func(ino uint64) []byte { return torn(img.files[ino], img.current[ino], rng) })
}

// torn returns synced with a random prefix of what changed in current after it, and
// perhaps some garbage after that.
func torn(synced, current []byte, rng *rand.Rand) []byte {
	d := 0
	for d < len(synced) && d < len(current) && synced[d] == current[d] {
		d++
	}
	end := len(current)
	for end > d && current[end-1] == 0 {
		end--
	}
	if end <= d {
		return synced // nothing written since the sync, or only zeros
	}
	cut := d + rng.IntN(end-d+1)
	out := make([]byte, max(len(synced), cut))
	copy(out, synced)
	copy(out[d:cut], current[d:cut])
	if rng.IntN(2) == 0 && cut < len(out) {
		n := min(len(out)-cut, 1+rng.IntN(512))
		for i := range n {
			out[cut+i] = byte(rng.Uint32())
		}
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
