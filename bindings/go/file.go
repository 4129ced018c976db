package asyncore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Files (fs.h) in the shape of package os: the requests run on the
// library's thread pool, so neither the loop nor a Go task waits in a
// system call. Every call may be made from any goroutine, where it blocks
// until the request is done, or from a Go task (TaskFunc), where it is an
// await: the loop runs other tasks meanwhile. Errors are *fs.PathError
// (*os.LinkError for Rename) holding the syscall.Errno, as os's are, so
// errors.Is(err, fs.ErrNotExist) and errors.Is(err, syscall.EISDIR) work.
//
// Buffers: what is written is copied when the request starts, what is read
// arrives in memory the loop owns until it is copied out. A request given
// up (its context ended, the task cancelled) is cancelled if it has not
// started and otherwise runs to its end with its result dropped; a file a
// cancelled open made is closed by the library.

// maxChunk is the largest single read request (the library's limit).
const maxChunk = 1 << 30

// ioWait starts a request on the loop's thread with mk and waits for its
// outcome (converted by post when it has a result, if post is not nil).
// From a goroutine, ctx (nil: none) ends the wait and cancels the request;
// from a Go task, the wait is an await.
func (l *Loop) ioWait(ctx context.Context, mk func(out *uintptr) int,
	post func(raw.SwigcptrFuture) (any, error)) (any, error) {
	return l.ioWaitDrop(ctx, mk, post, nil)
}

// ioWaitFD is ioWait for a request whose result is a descriptor the caller
// owns (open, accept): when ctx ends the wait after the request made one,
// the descriptor is closed.
func (l *Loop) ioWaitFD(ctx context.Context, mk func(out *uintptr) int) (any, error) {
	return l.ioWaitDrop(ctx, mk, nil, func(v any) {
		if fd, ok := v.(int64); ok && fd >= 0 {
			_ = syscall.Close(int(fd))
		}
	})
}

// ioWaitDrop is ioWait; drop (if not nil) gets a result that came too late
// for a wait its context ended.
func (l *Loop) ioWaitDrop(ctx context.Context, mk func(out *uintptr) int,
	post func(raw.SwigcptrFuture) (any, error), drop func(any)) (any, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return nil, ContextError(err)
		}
	}
	f, err := l.futureOp(func() (made, error) {
		var out uintptr
		m, err := opFuture(mk(&out), out)
		m.post = post
		return m, err
	})
	if err != nil {
		return nil, err
	}
	v, err := f.Wait(ctx)
	if err != nil && drop != nil && ctx != nil && ctx.Err() != nil {
		// The wait gave up: the request was cancelled, or had ended
		// already (then its result is dropped here).
		<-f.Done()
		if v, err := f.Result(); err == nil {
			drop(v)
		}
	}
	f.Release()
	return v, err
}

// osError gives an OS code of the library as the syscall.Errno os would
// hold; other errors stay as they are, and so do argument errors (their
// *Error has the library's reason, and matches syscall.EINVAL too).
func osError(err error) error {
	var e *Error
	if errors.As(err, &e) && e.isOS() && e.Code != codeInvalid && len(e.Children) == 0 {
		return syscall.Errno(-e.Code)
	}
	return err
}

func pathError(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: osError(err)}
}

func checkPath(op, name string) error {
	if strings.IndexByte(name, 0) >= 0 {
		return &fs.PathError{Op: op, Path: name, Err: syscall.EINVAL}
	}
	return nil
}

// File is an open file of a loop: an io.Reader, io.Writer, io.ReaderAt,
// io.WriterAt, io.Seeker and io.Closer, like *os.File. Read and Write use
// the file's position (O_APPEND files write at the end); ReadAt and
// WriteAt leave it alone. ReadLine and Lines read ahead into a buffer that
// Read then hands out first (Seek drops it): use one reader at a time on a
// file that is read by lines.
type File struct {
	loop *Loop
	name string

	mu      sync.Mutex // guards the fields below; never held while waiting
	fd      int        // -1 once closed
	users   int        // requests in flight
	closing bool       // Close was called; the last user closes fd
	buf     []byte     // read ahead by ReadLine
}

// OpenFile opens name with os's flags (os.O_RDONLY, os.O_CREATE ...;
// O_CLOEXEC is always added) and, for a created file, perm less the umask.
func (l *Loop) OpenFile(name string, flag int, perm fs.FileMode) (*File, error) {
	return l.openFile(nil, name, flag, perm)
}

// Open opens name for reading (os.Open).
func (l *Loop) Open(name string) (*File, error) { return l.OpenFile(name, os.O_RDONLY, 0) }

// Create creates or truncates name, open for reading and writing
// (os.Create).
func (l *Loop) Create(name string) (*File, error) {
	return l.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (l *Loop) openFile(ctx context.Context, name string, flag int, perm fs.FileMode) (*File, error) {
	if err := checkPath("open", name); err != nil {
		return nil, err
	}
	v, err := l.ioWaitFD(ctx, func(out *uintptr) int {
		return raw.Fs_open(l.c, name, flag|syscall.O_CLOEXEC, int(perm.Perm()), out)
	})
	if err != nil {
		return nil, pathError("open", name, err)
	}
	fd, _ := v.(int64)
	f := &File{loop: l, name: name, fd: int(fd)}
	runtime.SetFinalizer(f, func(f *File) {
		if f.fd >= 0 {
			_ = syscall.Close(f.fd)
		}
	})
	return f, nil
}

// Name is the name the file was opened with.
func (f *File) Name() string { return f.name }

// Fd is the descriptor (-1 once closed). It stays the file's: do not close
// it.
func (f *File) Fd() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closing {
		return -1
	}
	return f.fd
}

// use marks a request in flight and gives the descriptor, or fs.ErrClosed.
func (f *File) use(op string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closing {
		return -1, &fs.PathError{Op: op, Path: f.name, Err: fs.ErrClosed}
	}
	f.users++
	return f.fd, nil
}

// done ends a request; the last one of a closed file closes it.
func (f *File) done() {
	f.mu.Lock()
	f.users--
	last := f.closing && f.users == 0 && f.fd >= 0
	fd := f.fd
	if last {
		f.fd = -1
	}
	f.mu.Unlock()
	if last {
		_ = f.loop.closeFD(fd)
	}
}

// closeFD closes fd through the loop (a plain close(2) when the loop is
// closed already).
func (l *Loop) closeFD(fd int) error {
	_, err := l.ioWait(nil, func(out *uintptr) int { return raw.Fs_close(l.c, fd, out) }, nil)
	if err != nil && errors.Is(err, ErrClosed) {
		return syscall.Close(fd)
	}
	return err
}

// read is one read request of up to n bytes at off (-1: the position).
func (f *File) read(ctx context.Context, fd, n int, off int64) ([]byte, error) {
	if n > maxChunk {
		n = maxChunk
	}
	l := f.loop
	v, err := l.ioWait(ctx, func(out *uintptr) int { return raw.Fs_read(l.c, fd, int64(n), off, out) }, nil)
	if err != nil {
		return nil, err
	}
	return bytesOf(v), nil
}

// Read reads up to len(p) bytes at the position: at least one, or io.EOF
// at the end of the file. The end is not sticky: a later Read sees what
// was appended since.
func (f *File) Read(p []byte) (int, error) {
	return f.ReadContext(nil, p)
}

// ReadContext is Read bounded by ctx (from a goroutine).
func (f *File) ReadContext(ctx context.Context, p []byte) (int, error) {
	fd, err := f.use("read")
	if err != nil {
		return 0, err
	}
	defer f.done()
	if len(p) == 0 {
		return 0, nil
	}
	f.mu.Lock()
	if len(f.buf) > 0 {
		n := copy(p, f.buf)
		f.buf = f.buf[n:]
		f.mu.Unlock()
		return n, nil
	}
	f.mu.Unlock()
	b, err := f.read(ctx, fd, len(p), -1)
	if err != nil {
		return 0, pathError("read", f.name, err)
	}
	if len(b) == 0 {
		return 0, io.EOF
	}
	return copy(p, b), nil
}

// ReadAt reads len(p) bytes at off (fewer only at the end of the file,
// with io.EOF), without moving the position.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &fs.PathError{Op: "readat", Path: f.name, Err: errors.New("negative offset")}
	}
	fd, err := f.use("read")
	if err != nil {
		return 0, err
	}
	defer f.done()
	n := 0
	for n < len(p) {
		b, err := f.read(nil, fd, len(p)-n, off+int64(n))
		if err != nil {
			return n, pathError("read", f.name, err)
		}
		if len(b) == 0 {
			return n, io.EOF
		}
		n += copy(p[n:], b)
	}
	return n, nil
}

// write writes all of p at off (-1: the position).
func (f *File) write(op string, p []byte, off int64) (int, error) {
	fd, err := f.use(op)
	if err != nil {
		return 0, err
	}
	defer f.done()
	if len(p) == 0 {
		return 0, nil
	}
	l := f.loop
	v, err := l.ioWait(nil, func(out *uintptr) int { return raw.Fs_write(l.c, fd, p, off, out) }, nil)
	if err != nil {
		return 0, pathError(op, f.name, err)
	}
	n, _ := v.(int64)
	return int(n), nil
}

// Write writes p at the position (at the end for O_APPEND).
func (f *File) Write(p []byte) (int, error) { return f.write("write", p, -1) }

// WriteString writes s.
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// WriteAt writes p at off without moving the position.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &fs.PathError{Op: "writeat", Path: f.name, Err: errors.New("negative offset")}
	}
	return f.write("write", p, off)
}

// Seek sets the position for the next Read or Write (io.Seeker); what
// ReadLine read ahead is dropped.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	fd, err := f.use("seek")
	if err != nil {
		return 0, err
	}
	defer f.done()
	f.mu.Lock()
	ahead := int64(len(f.buf))
	f.buf = nil
	f.mu.Unlock()
	if whence == io.SeekCurrent {
		offset -= ahead // the position the reader sees
	}
	pos, err := syscall.Seek(fd, offset, whence)
	if err != nil {
		return 0, &fs.PathError{Op: "seek", Path: f.name, Err: err}
	}
	return pos, nil
}

// Sync commits the file to storage (fsync).
func (f *File) Sync() error {
	fd, err := f.use("sync")
	if err != nil {
		return err
	}
	defer f.done()
	l := f.loop
	_, err = l.ioWait(nil, func(out *uintptr) int { return raw.Fs_fsync(l.c, fd, out) }, nil)
	return pathError("sync", f.name, err)
}

// Stat describes the open file.
func (f *File) Stat() (fs.FileInfo, error) {
	fd, err := f.use("stat")
	if err != nil {
		return nil, err
	}
	defer f.done()
	l := f.loop
	v, err := l.ioWait(nil, func(out *uintptr) int { return raw.Fs_fstat(l.c, fd, out) }, readStat)
	if err != nil {
		return nil, pathError("stat", f.name, err)
	}
	fi := v.(*fileStat)
	fi.name = path.Base(f.name)
	return fi, nil
}

// Close closes the file. Requests still in flight end first; the
// descriptor is closed after the last one. A second Close gives an error
// matching fs.ErrClosed.
func (f *File) Close() error {
	f.mu.Lock()
	if f.closing {
		f.mu.Unlock()
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	f.closing = true
	f.buf = nil
	fd := f.fd
	now := f.users == 0
	if now {
		f.fd = -1
	}
	f.mu.Unlock()
	runtime.SetFinalizer(f, nil)
	if !now {
		return nil
	}
	return pathError("close", f.name, f.loop.closeFD(fd))
}

// ReadLine reads one line with its "\n". At the end of the file it gives
// the partial last line (maybe empty) and io.EOF; the end is not sticky,
// so a file that grows can be followed ("tail -f"). It reads ahead (see
// File).
func (f *File) ReadLine() ([]byte, error) {
	fd, err := f.use("read")
	if err != nil {
		return nil, err
	}
	defer f.done()
	// The bytes of f.buf searched already: each chunk read is searched
	// once, not the whole line again after every chunk.
	searched := 0
	for {
		f.mu.Lock()
		if searched > len(f.buf) {
			searched = 0 // the buffer was consumed meanwhile
		}
		if i := bytes.IndexByte(f.buf[searched:], '\n'); i >= 0 {
			i += searched
			line := append([]byte(nil), f.buf[:i+1]...)
			f.buf = f.buf[i+1:]
			f.mu.Unlock()
			return line, nil
		}
		searched = len(f.buf)
		f.mu.Unlock()
		b, err := f.read(nil, fd, 64<<10, -1)
		if err != nil {
			return nil, pathError("read", f.name, err)
		}
		f.mu.Lock()
		if len(b) == 0 {
			line := f.buf
			f.buf = nil
			f.mu.Unlock()
			return line, io.EOF
		}
		f.buf = append(f.buf, b...)
		f.mu.Unlock()
	}
}

// Lines gives the file's lines one by one, as a bufio.Scanner does:
//
//	for sc := f.Lines(); sc.Scan(); {
//		fmt.Println(sc.Text())
//	}
func (f *File) Lines() *LineScanner { return &LineScanner{f: f} }

// LineScanner reads a File line by line (Lines).
type LineScanner struct {
	f    *File
	line []byte
	err  error
	end  bool
}

// Scan reads the next line; false at the end of the file or on an error
// (Err).
func (s *LineScanner) Scan() bool {
	if s.end {
		return false
	}
	line, err := s.f.ReadLine()
	if err != nil && err != io.EOF {
		s.err, s.end = err, true
		return false
	}
	if err == io.EOF {
		s.end = true
	}
	s.line = line
	return len(line) > 0
}

// Bytes is the line Scan read, with its "\n" (valid until the next Scan).
func (s *LineScanner) Bytes() []byte { return s.line }

// Text is the line Scan read, without its "\n".
func (s *LineScanner) Text() string { return strings.TrimSuffix(string(s.line), "\n") }

// Err is the error that ended the scan (nil at the end of the file).
func (s *LineScanner) Err() error { return s.err }

// ---- File information ----

// fileStat is an fs.FileInfo from the library's stat record.
type fileStat struct {
	name string
	sys  syscall.Stat_t
}

func (fi *fileStat) Name() string       { return fi.name }
func (fi *fileStat) Size() int64        { return fi.sys.Size }
func (fi *fileStat) Mode() fs.FileMode  { return fileMode(fi.sys.Mode) }
func (fi *fileStat) ModTime() time.Time { return time.Unix(fi.sys.Mtim.Unix()) }
func (fi *fileStat) IsDir() bool        { return fi.Mode().IsDir() }

// Sys is the *syscall.Stat_t, as os's is.
func (fi *fileStat) Sys() any { return &fi.sys }

// fileMode turns st_mode into Go's fs.FileMode.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// readStat reads a stat future's record (loop thread).
func readStat(c raw.SwigcptrFuture) (any, error) {
	var n [14]uint64
	if rc := raw.Acgo_fs_stat_result(c, &n[0]); rc < 0 {
		return nil, codeError(rc)
	}
	fi := &fileStat{}
	s := &fi.sys
	s.Dev, s.Ino, s.Mode, s.Nlink = n[0], n[1], uint32(n[2]), n[3]
	s.Uid, s.Gid, s.Rdev, s.Size = uint32(n[4]), uint32(n[5]), n[6], int64(n[7])
	s.Blksize, s.Blocks = int64(n[8]), int64(n[9])
	s.Atim = syscall.NsecToTimespec(int64(n[10]))
	s.Mtim = syscall.NsecToTimespec(int64(n[11]))
	s.Ctim = syscall.NsecToTimespec(int64(n[12]))
	return fi, nil
}

func (l *Loop) stat(op, name string, call func(out *uintptr) int) (fs.FileInfo, error) {
	if err := checkPath(op, name); err != nil {
		return nil, err
	}
	v, err := l.ioWait(nil, call, readStat)
	if err != nil {
		return nil, pathError(op, name, err)
	}
	fi := v.(*fileStat)
	fi.name = path.Base(name)
	return fi, nil
}

// Stat describes the file name (following symbolic links), as os.Stat.
func (l *Loop) Stat(name string) (fs.FileInfo, error) {
	return l.stat("stat", name, func(out *uintptr) int { return raw.Fs_stat(l.c, name, out) })
}

// Lstat describes the file name; a symbolic link is described itself.
func (l *Loop) Lstat(name string) (fs.FileInfo, error) {
	return l.stat("lstat", name, func(out *uintptr) int { return raw.Fs_lstat(l.c, name, out) })
}

// ---- Directory and name operations ----

func (l *Loop) nameOp(op, name string, call func(out *uintptr) int) error {
	if err := checkPath(op, name); err != nil {
		return err
	}
	_, err := l.ioWait(nil, call, nil)
	return pathError(op, name, err)
}

// Rename renames (moves) oldpath to newpath, replacing a file there.
func (l *Loop) Rename(oldpath, newpath string) error {
	if strings.IndexByte(oldpath, 0) >= 0 || strings.IndexByte(newpath, 0) >= 0 {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: syscall.EINVAL}
	}
	_, err := l.ioWait(nil, func(out *uintptr) int { return raw.Fs_rename(l.c, oldpath, newpath, out) }, nil)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: osError(err)}
	}
	return nil
}

// Remove removes the file or empty directory name, as os.Remove.
func (l *Loop) Remove(name string) error {
	err := l.nameOp("remove", name, func(out *uintptr) int { return raw.Fs_unlink(l.c, name, out) })
	if err == nil || !(errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.EPERM)) {
		return err
	}
	err2 := l.nameOp("remove", name, func(out *uintptr) int { return raw.Fs_rmdir(l.c, name, out) })
	if err2 == nil {
		return nil
	}
	if errors.Is(err2, syscall.ENOTDIR) {
		return err
	}
	return err2
}

// Mkdir makes the directory name with perm (less the umask).
func (l *Loop) Mkdir(name string, perm fs.FileMode) error {
	return l.nameOp("mkdir", name, func(out *uintptr) int { return raw.Fs_mkdir(l.c, name, int(perm.Perm()), out) })
}

// dirEntry is an fs.DirEntry with its information read already.
type dirEntry struct{ info fs.FileInfo }

func (d dirEntry) Name() string               { return d.info.Name() }
func (d dirEntry) IsDir() bool                { return d.info.IsDir() }
func (d dirEntry) Type() fs.FileMode          { return d.info.Mode().Type() }
func (d dirEntry) Info() (fs.FileInfo, error) { return d.info, nil }

// ReadDir lists the directory name sorted by file name (os.ReadDir); each
// entry's information is read (Lstat) with the list.
func (l *Loop) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := checkPath("open", name); err != nil {
		return nil, err
	}
	v, err := l.ioWait(nil, func(out *uintptr) int { return raw.Fs_scandir(l.c, name, out) }, nil)
	if err != nil {
		return nil, pathError("open", name, err)
	}
	var out []fs.DirEntry
	for _, n := range bytes.Split(bytesOf(v), []byte{0}) {
		if len(n) == 0 {
			continue
		}
		info, err := l.Lstat(path.Join(name, string(n)))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since the listing
			}
			return out, err
		}
		out = append(out, dirEntry{info})
	}
	return out, nil
}

// ---- Whole files and copies ----

// ReadFile reads the whole file name (os.ReadFile). From a goroutine, ctx
// ends it early: the request in flight is given up and the file closed.
func (l *Loop) ReadFile(ctx context.Context, name string) ([]byte, error) {
	f, err := l.openFile(ctx, name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Requests of at most 4 MiB: larger ones were slower in our
	// measurements (the bytes cross from the loop's memory to Go's).
	const most = 4 << 20
	var data []byte
	chunk := 64 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() < maxChunk {
		data = make([]byte, 0, fi.Size()+1)
		chunk = int(fi.Size()) + 1 // to see the end in the same read
	}
	if chunk > most {
		chunk = most
	}
	for {
		fd, err := f.use("read")
		if err != nil {
			return data, err
		}
		b, err := f.read(ctx, fd, chunk, -1)
		f.done()
		if err != nil {
			return data, pathError("read", name, err)
		}
		if len(b) == 0 {
			if data == nil {
				data = []byte{}
			}
			return data, nil
		}
		data = append(data, b...)
		if chunk < most {
			chunk *= 2
		}
	}
}

// WriteFile writes data to name, created with perm (less the umask) or
// truncated (os.WriteFile). ctx as ReadFile's.
func (l *Loop) WriteFile(ctx context.Context, name string, data []byte, perm fs.FileMode) error {
	f, err := l.openFile(ctx, name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	fd, err := f.use("write")
	if err == nil {
		for off := 0; off < len(data) && err == nil; {
			end := off + maxChunk
			if end > len(data) {
				end = len(data)
			}
			part := data[off:end]
			_, err = l.ioWait(ctx, func(out *uintptr) int { return raw.Fs_write(l.c, fd, part, -1, out) }, nil)
			err = pathError("write", name, err)
			off = end
		}
		f.done()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Sendfile copies up to n bytes of the file inFD from offset to outFD (a
// file, a pipe or a socket, from its position) in the kernel (sendfile(2));
// fewer only at the end of inFD. It gives the count copied. ctx as
// ReadFile's (a copy under way runs to its end).
func (l *Loop) Sendfile(ctx context.Context, outFD, inFD int, offset, n int64) (int64, error) {
	v, err := l.ioWait(ctx, func(out *uintptr) int { return raw.Fs_sendfile(l.c, outFD, inFD, offset, n, out) }, nil)
	if err != nil {
		return 0, &os.SyscallError{Syscall: "sendfile", Err: osError(err)}
	}
	c, _ := v.(int64)
	return c, nil
}
