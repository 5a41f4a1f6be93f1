package testutil

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// RequireE2EEnv is the environment variable that turns a skipped end-to-end test (a tool or a
// permission is missing) into a failure. CI sets it to 1.
const RequireE2EEnv = "SHARDLOG_REQUIRE_E2E"

// SkipOrFail skips the test because of why, or fails it if RequireE2EEnv is set to 1.
func SkipOrFail(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireE2EEnv) == "1" {
		t.Fatalf("%s, and %s=1 requires this test to run", why, RequireE2EEnv)
	}
	t.Skipf("%s; set %s=1 to make this a failure", why, RequireE2EEnv)
}

// MountSmallFS mounts a file system of size bytes on a new directory and unmounts it when the
// test ends: ext4 on a loop device if mkfs.ext4 and loop devices work here, else tmpfs. It
// skips the test (fails it under SHARDLOG_REQUIRE_E2E=1) when neither can be mounted: not
// root, or no mount permission.
func MountSmallFS(t testing.TB, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(t, "mounting a small file system needs root")
	}
	mnt := t.TempDir()
	if mkfs, err := exec.LookPath("mkfs.ext4"); err == nil {
		img := filepath.Join(t.TempDir(), "fs.img")
		if err := os.WriteFile(img, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(img, size); err != nil {
			t.Fatal(err)
		}
		if exec.Command(mkfs, "-q", "-F", img).Run() == nil &&
			exec.Command("mount", "-o", "loop", img, mnt).Run() == nil {
			t.Cleanup(func() { exec.Command("umount", mnt).Run() })
			t.Logf("small file system: ext4 on a loop device, %d bytes", size)
			return mnt
		}
	}
	if exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.FormatInt(size, 10), "tmpfs", mnt).Run() == nil {
		t.Cleanup(func() { exec.Command("umount", mnt).Run() })
		t.Logf("small file system: tmpfs, %d bytes", size)
		return mnt
	}
	SkipOrFail(t, "cannot mount a small file system here (neither an ext4 loop device nor tmpfs)")
	return ""
}

// FillDisk writes the file at path until its file system has no space left, and returns how
// many bytes it wrote. Removing the file gives the space back.
func FillDisk(t testing.TB, path string) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4<<10)
	var n int64
	for {
		w, err := f.Write(chunk)
		n += int64(w)
		if err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", path, err)
			}
			break
		}
	}
	for _, size := range []int{512, 1} { // the last blocks, in smaller pieces
		for {
			w, err := f.Write(chunk[:size])
			n += int64(w)
			if err != nil {
				break
			}
		}
	}
	return n
}
