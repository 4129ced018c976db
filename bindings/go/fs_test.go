package asyncore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fdCheck fails the test if descriptors were left open. (Fewer after than
// before is no leak: what earlier tests left to the garbage collector or
// to a loop closing in the background may close meanwhile.)
func fdCheck(t *testing.T) func() {
	t.Helper()
	before := countFDs(t)
	return func() {
		t.Helper()
		after := countFDs(t)
		for i := 0; i < 50 && after > before; i++ {
			time.Sleep(10 * time.Millisecond)
			after = countFDs(t)
		}
		if after > before {
			t.Errorf("descriptors: %d before, %d after", before, after)
		}
	}
}

// A file written, read back through io's interfaces and described, from a
// goroutine.
func TestFileReadWriteStat(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	name := filepath.Join(t.TempDir(), "data.txt")
	f, err := l.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.Write([]byte("hello ")); n != 6 || err != nil {
		t.Fatalf("write: %d %v", n, err)
	}
	if _, err := f.WriteString("world\nsecond line\n"); err != nil {
		t.Fatal(err)
	}
	if n, err := f.WriteAt([]byte("HELLO"), 0); n != 5 || err != nil {
		t.Fatalf("writeat: %d %v", n, err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if pos, err := f.Seek(0, io.SeekStart); pos != 0 || err != nil {
		t.Fatalf("seek: %d %v", pos, err)
	}
	all, err := io.ReadAll(f)
	if err != nil || string(all) != "HELLO world\nsecond line\n" {
		t.Fatalf("readall: %q %v", all, err)
	}
	buf := make([]byte, 5)
	if n, err := f.ReadAt(buf, 6); n != 5 || err != nil || string(buf) != "world" {
		t.Fatalf("readat: %d %v %q", n, err, buf)
	}
	if n, err := f.ReadAt(buf, 22); n != 2 || err != io.EOF {
		t.Fatalf("readat at the end: %d %v", n, err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Name() != "data.txt" || fi.Size() != 24 || !fi.Mode().IsRegular() || fi.IsDir() {
		t.Fatalf("stat: %s %d %v", fi.Name(), fi.Size(), fi.Mode())
	}
	want, _ := os.Stat(name)
	if fi.Mode() != want.Mode() || fi.ModTime().Sub(want.ModTime()).Abs() > time.Microsecond ||
		fi.Sys().(*syscall.Stat_t).Ino != want.Sys().(*syscall.Stat_t).Ino {
		t.Fatalf("stat: %v %v, os: %v %v", fi.Mode(), fi.ModTime(), want.Mode(), want.ModTime())
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("second close: %v", err)
	}
	if _, err := f.Read(buf); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
	// Append mode writes at the end.
	f, err = l.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("third\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	data, err := l.ReadFile(context.Background(), name)
	if err != nil || string(data) != "HELLO world\nsecond line\nthird\n" {
		t.Fatalf("readfile: %q %v", data, err)
	}
}

// Errors are *fs.PathError holding the errno, as os's.
func TestFileErrors(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.txt")
	_, err := l.Open(missing)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "open" || pe.Path != missing || pe.Err != syscall.ENOENT {
		t.Fatalf("open missing: %#v", err)
	}
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != "open "+missing+": no such file or directory" {
		t.Fatalf("open missing: %v", err)
	}
	// /proc/sys refuses writes to a read-only entry, to root as well.
	_, err = l.OpenFile("/proc/sys/kernel/version", os.O_WRONLY, 0)
	if !errors.Is(err, fs.ErrPermission) || !errors.Is(err, syscall.EACCES) {
		t.Fatalf("open read-only: %v", err)
	}
	_, err = l.OpenFile(dir, os.O_WRONLY, 0)
	if !errors.Is(err, syscall.EISDIR) {
		t.Fatalf("open a directory to write: %v", err)
	}
	d, err := l.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Read(make([]byte, 10)); !errors.Is(err, syscall.EISDIR) || !errors.As(err, &pe) || pe.Op != "read" {
		t.Fatalf("read a directory: %v", err)
	}
	d.Close()
	if _, err := l.Stat(missing); !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) || pe.Op != "stat" {
		t.Fatalf("stat: %v", err)
	}
	if err := l.Remove(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("remove: %v", err)
	}
	if err := l.Mkdir(dir, 0o755); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("mkdir: %v", err)
	}
	if err := l.Rename(missing, missing+".2"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("rename: %v", err)
	} else if le, ok := err.(*os.LinkError); !ok || le.Old != missing {
		t.Fatalf("rename: %#v", err)
	}
	if _, err := l.Open("bad\x00name"); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("NUL in a name: %v", err)
	}
	if _, err := l.ReadDir(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("readdir: %v", err)
	}
	// Writing to a file open for reading.
	f, err := l.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("x")); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("write to a read-only file: %v", err)
	}
	f.Close()
}

// A sparse file above 1 GiB: read and written at offsets past 4 GiB's
// half, nothing read in between.
func TestFileSparseLarge(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	name := filepath.Join(t.TempDir(), "sparse.bin")
	f, err := l.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const size = 3 << 30 // 3 GiB
	if err := syscall.Ftruncate(f.Fd(), size); err != nil {
		t.Skipf("cannot make a sparse file here: %v", err)
	}
	off := int64(size - 4096 + 7)
	if n, err := f.WriteAt([]byte("far away"), off); n != 8 || err != nil {
		t.Fatalf("writeat: %d %v", n, err)
	}
	buf := make([]byte, 12)
	if n, err := f.ReadAt(buf, off-2); n != 12 || err != nil || string(buf) != "\x00\x00far away\x00\x00" {
		t.Fatalf("readat: %d %v %q", n, err, buf)
	}
	if n, err := f.ReadAt(buf, size-6); n != 6 || err != io.EOF {
		t.Fatalf("readat at the end: %d %v", n, err)
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() != size {
		t.Fatalf("stat: %v %v", fi, err)
	}
	if blocks := fi.Sys().(*syscall.Stat_t).Blocks; blocks > 1024 {
		t.Fatalf("not sparse: %d blocks", blocks)
	}
}

// Directory operations, as os's.
func TestFileDirectories(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := l.Mkdir(sub, 0o750); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"b.txt", "a.txt"} {
		if err := l.WriteFile(context.Background(), filepath.Join(dir, n), []byte(n), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	ents, err := l.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name()+":"+e.Type().String())
	}
	if strings.Join(got, " ") != "a.txt:---------- b.txt:---------- link:L--------- sub:d---------" {
		t.Fatalf("readdir: %v", got)
	}
	if fi, err := l.Lstat(filepath.Join(dir, "link")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("lstat: %v %v", fi, err)
	}
	if fi, err := l.Stat(filepath.Join(dir, "link")); err != nil || !fi.Mode().IsRegular() || fi.Size() != 5 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stat: %v %v", fi, err)
	}
	if err := l.Rename(filepath.Join(dir, "b.txt"), filepath.Join(sub, "c.txt")); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(sub, "c.txt")); err != nil || string(data) != "b.txt" {
		t.Fatalf("renamed: %q %v", data, err)
	}
	if err := l.Remove(sub); !errors.Is(err, syscall.ENOTEMPTY) {
		t.Fatalf("remove a full directory: %v", err)
	}
	if err := l.Remove(filepath.Join(sub, "c.txt")); err != nil {
		t.Fatal(err)
	}
	if err := l.Remove(sub); err != nil {
		t.Fatalf("remove an empty directory: %v", err)
	}
	if _, err := os.Stat(sub); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("still there: %v", err)
	}
	ents, err = l.ReadDir(dir)
	if err != nil || len(ents) != 2 || ents[1].Name() != "link" {
		t.Fatalf("after: %v %v", ents, err)
	}
}

// Files in Go tasks: each call is an await, the other tasks run meanwhile.
func TestFileInTasks(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	name := filepath.Join(t.TempDir(), "lines.txt")
	var seen []string
	ticks := 0
	task, err := l.Go(func(co *Co) (any, error) {
		ticker, err := co.Go(func(co *Co) (any, error) {
			for i := 0; i < 1000; i++ {
				ticks++
				if err := co.Yield(); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		if err != nil {
			return nil, err
		}
		f, err := l.Create(name)
		if err != nil {
			return nil, err
		}
		for i := 0; i < 3; i++ {
			if _, err := f.WriteString(strings.Repeat("x", i) + "\n"); err != nil {
				return nil, err
			}
		}
		if _, err := f.WriteString("no newline"); err != nil {
			return nil, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		sc := f.Lines()
		for sc.Scan() {
			seen = append(seen, sc.Text())
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		fi, err := l.Stat(name)
		if err != nil {
			return nil, err
		}
		seen = append(seen, fi.Name())
		ticker.Cancel("")
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := task.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, "|") != "|x|xx|no newline|lines.txt" {
		t.Fatalf("lines: %q", seen)
	}
	if ticks == 0 {
		t.Fatal("the other task never ran while the file was read")
	}
}

// ReadFile given up by its context: the file is closed, nothing leaks,
// and a context that ended already never starts it.
func TestReadFileContext(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	name := filepath.Join(t.TempDir(), "big.bin")
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.ReadFile(ctx, name); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		var got []byte
		var err error
		go func() {
			got, err = l.ReadFile(ctx, name)
			close(done)
		}()
		if i%2 == 0 {
			cancel()
		}
		<-done
		cancel()
		if err == nil && !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes", len(got))
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("readfile: %v", err)
		}
	}
	got, err := l.ReadFile(nil, name)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("readfile: %d %v", len(got), err)
	}
}

// Sendfile copies a file into a socket in the kernel.
func TestSendfile(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	name := filepath.Join(t.TempDir(), "src.txt")
	if err := os.WriteFile(name, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(sp[0])
	defer syscall.Close(sp[1])
	f, err := l.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := l.Sendfile(context.Background(), sp[0], f.Fd(), 3, 100)
	if err != nil || n != 7 {
		t.Fatalf("sendfile: %d %v", n, err)
	}
	buf := make([]byte, 16)
	m, _ := syscall.Read(sp[1], buf)
	if string(buf[:m]) != "3456789" {
		t.Fatalf("received %q", buf[:m])
	}
	if _, err := l.Sendfile(context.Background(), sp[0], 999, 0, 1); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("bad descriptor: %v", err)
	}
}

// ReadLine over lines longer than a read (64 KiB): the long line comes back
// whole (each chunk is searched once, not the whole line after every
// chunk), then the short ones, then the partial last line with io.EOF.
func TestFileReadLineLongLines(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	name := filepath.Join(t.TempDir(), "lines.txt")
	long := strings.Repeat("a", 16<<20) + "\n"
	if err := os.WriteFile(name, []byte(long+"two\nthree\npartial"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := l.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	for {
		line, err := f.ReadLine()
		if err == io.EOF {
			got = append(got, "EOF:"+string(line))
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(line) > 100 {
			if string(line) != long {
				t.Fatalf("long line: %d bytes", len(line))
			}
			got = append(got, "long")
			continue
		}
		got = append(got, string(line))
	}
	want := []string{"long", "two\n", "three\n", "EOF:partial"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}
