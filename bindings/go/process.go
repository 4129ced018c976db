package asyncore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Child processes (process.h) in the shape of os/exec: a Cmd describes
// the command (Path, Args, Env, Dir, Stdin, Stdout, Stderr), Start runs
// it, Wait waits for it; Run, Output and CombinedOutput do both. The
// child runs under the loop (libuv reaps it as soon as it exits, so no
// zombie is left whether or not anyone waits), and its pipes are the
// loop's streams: a Cmd's pipes (StdinPipe, StdoutPipe, StderrPipe) are
// io.Reader/io.Writer for ordinary goroutines (posted to the loop and
// awaited through channels, as Conn), and the Process's Stdin, Stdout and
// Stderr are the same pipes as Streams for TaskFunc tasks (ReadLine(co),
// Drain(co) ...). asyncio's create_subprocess_exec/shell, wait,
// communicate, send_signal, terminate and kill are the Process's methods.

// How a standard stream of the child is connected (process.h).
const (
	procPipe    = -1
	procStdout  = -2
	procDevNull = -3
)

// Process is a child process started by Cmd.Start: asyncio's
// asyncio.subprocess.Process. Its methods may be called from any
// goroutine; those taking a Co are for TaskFunc tasks.
type Process struct {
	// Pid is the child's process id (it stays set after the child exited).
	Pid int
	// Stdin, Stdout and Stderr are the parent's ends of the child's pipes,
	// as Streams, or nil for a stream that is not a pipe. Cmd.Wait closes
	// them.
	Stdin, Stdout, Stderr *Stream

	loop *Loop
	c    raw.SwigcptrProcess
}

func unrefProcess(p uintptr) { raw.Process_unref(raw.SwigcptrProcess(p)) }

// joinStrings makes a list of NUL-terminated strings; false when one of
// them holds a NUL.
func joinStrings(list []string) ([]byte, bool) {
	var b []byte
	for _, s := range list {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, false
		}
		b = append(b, s...)
		b = append(b, 0)
	}
	return b, true
}

// boolInt: a Go bool as the C API's int flag.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// spawnProcess starts a child (loop thread, through Call).
func (l *Loop) spawnProcess(shell bool, argv []string, env []string, dir string, modes [3]int) (*Process, error) {
	args, ok := joinStrings(argv)
	if !ok || len(argv) == 0 {
		return nil, newError(codeInvalid, "invalid argument: empty command or a NUL byte in an argument")
	}
	envb, ok := joinStrings(env)
	if !ok || strings.IndexByte(dir, 0) >= 0 {
		return nil, newError(codeInvalid, "invalid argument: a NUL byte in the environment or directory")
	}
	var p *Process
	err := l.Call(func() error {
		var out uintptr
		rc := raw.Acgo_process_spawn(l.c, boolInt(shell), args, boolInt(env != nil), envb, dir,
			modes[0], modes[1], modes[2], &out)
		if rc < 0 {
			return codeError(rc)
		}
		c := raw.SwigcptrProcess(out)
		p = &Process{loop: l, c: c, Pid: raw.Process_pid(c)}
		holdObject(l, p, out, unrefProcess)
		if s := raw.Process_stdin(c).Swigcptr(); s != 0 {
			p.Stdin = l.wrapStream(raw.SwigcptrStream(s), false)
		}
		if s := raw.Process_stdout(c).Swigcptr(); s != 0 {
			p.Stdout = l.wrapStream(raw.SwigcptrStream(s), false)
		}
		if s := raw.Process_stderr(c).Swigcptr(); s != 0 {
			p.Stderr = l.wrapStream(raw.SwigcptrStream(s), false)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ReturnCode is asyncio's returncode: the exit status, or -N when signal
// N ended the child; ok is false while the child runs.
func (p *Process) ReturnCode() (code int, ok bool) {
	_ = p.loop.Call(func() error {
		var c int32
		if raw.Process_returncode(p.c, &c) == 1 {
			code, ok = int(c), true
		}
		return nil
	})
	return code, ok
}

func (p *Process) waitOp() (made, error) {
	var out uintptr
	return opFuture(raw.Process_wait(p.c, &out), out)
}

func returnCode(v any, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, _ := v.(int64)
	return int(n), nil
}

// Wait waits for the child to exit and returns its returncode (asyncio's
// wait()). A context that ends first gives its error and leaves the child
// running, as a cancelled wait() does in asyncio (Cmd's context is the
// one that kills). On the loop's thread (a TaskFunc task) use WaitCo.
func (p *Process) Wait(ctx context.Context) (int, error) {
	f, err := p.loop.futureOp(p.waitOp)
	if err != nil {
		return 0, err
	}
	defer f.Release()
	return returnCode(f.Wait(ctx))
}

// WaitCo is Wait for a TaskFunc task: cancelling the task stops the
// wait, not the child.
func (p *Process) WaitCo(co *Co) (int, error) {
	return returnCode(co.awaitOp(p.loop, p.waitOp))
}

func (p *Process) communicateOp(input []byte) func() (made, error) {
	return func() (made, error) {
		if input == nil {
			input = []byte{}
		}
		var out uintptr
		return opFuture(raw.Process_communicate(p.c, input, &out), out)
	}
}

// takeOutput moves out what the last communicate read (loop thread).
func (p *Process) takeOutput() (stdout, stderr []byte, err error) {
	err = p.loop.Call(func() error {
		var ob, eb uintptr
		var on, en int64
		if rc := raw.Acgo_process_take_output(p.c, &ob, &on, &eb, &en); rc < 0 {
			return codeError(rc)
		}
		stdout, stderr = goBytes(ob, on), goBytes(eb, en)
		cFree(ob)
		cFree(eb)
		return nil
	})
	return stdout, stderr, err
}

// Communicate is asyncio's communicate(input): it writes input to the
// child's stdin (when it is a pipe) and closes it, reads stdout and stderr
// (those that are pipes) to their end, and waits for the child. A child
// that exits without reading its input is no error. A context that ends
// first stops reading and waiting and gives its error; the child runs on
// and the bytes read so far stay in the streams (asyncio's cancelled
// communicate). The returncode is then ReturnCode's.
func (p *Process) Communicate(ctx context.Context, input []byte) (stdout, stderr []byte, err error) {
	f, err := p.loop.futureOp(p.communicateOp(input))
	if err != nil {
		return nil, nil, err
	}
	_, err = f.Wait(ctx)
	f.Release()
	if err != nil {
		return nil, nil, err
	}
	return p.takeOutput()
}

// CommunicateCo is Communicate for a TaskFunc task (a timeout scope or
// WaitFor bounds it).
func (p *Process) CommunicateCo(co *Co, input []byte) (stdout, stderr []byte, err error) {
	if _, err := co.awaitOp(p.loop, p.communicateOp(input)); err != nil {
		return nil, nil, err
	}
	return p.takeOutput()
}

// Signal sends sig (a syscall.Signal, such as os.Interrupt or
// syscall.SIGTERM) to the child: asyncio's send_signal. Once the child has
// exited it does nothing (its pid may belong to another process by then).
func (p *Process) Signal(sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return newError(codeInvalid, "invalid argument: not a syscall.Signal")
	}
	return p.loop.errCall(func() int { return raw.Process_send_signal(p.c, int(s)) })
}

// Terminate sends SIGTERM.
func (p *Process) Terminate() error {
	return p.loop.errCall(func() int { return raw.Process_terminate(p.c) })
}

// Kill sends SIGKILL.
func (p *Process) Kill() error { return p.loop.errCall(func() int { return raw.Process_kill(p.c) }) }

// closePipes closes the parent's ends of the child's pipes.
func (p *Process) closePipes() {
	for _, s := range []*Stream{p.Stdin, p.Stdout, p.Stderr} {
		if s != nil {
			_ = s.Close()
		}
	}
}

// ---- Exit status ----

// ExitError is a child that did not exit with status 0. Its ExitCode is
// os/exec's (the status, or -1 when a signal ended the child); its
// ReturnCode is asyncio's (the status, or -N for signal N).
type ExitError struct {
	// ReturnCode is asyncio's returncode (not 0).
	ReturnCode int
	// Stderr holds what the child wrote to stderr, when Output collected
	// it.
	Stderr []byte
	// ctxErr is the error of the Cmd's context when it killed the child.
	ctxErr error
}

// ExitCode is the exit status, or -1 when a signal ended the child.
func (e *ExitError) ExitCode() int {
	if e.ReturnCode < 0 {
		return -1
	}
	return e.ReturnCode
}

// Exited reports whether the child exited (rather than being ended by a
// signal).
func (e *ExitError) Exited() bool { return e.ReturnCode >= 0 }

// Signal is the signal that ended the child, 0 when it exited.
func (e *ExitError) Signal() syscall.Signal {
	if e.ReturnCode < 0 {
		return syscall.Signal(-e.ReturnCode)
	}
	return 0
}

// Error reads as os/exec's: "exit status 3", "signal: killed".
func (e *ExitError) Error() string {
	if e.ReturnCode < 0 {
		return "signal: " + e.Signal().String()
	}
	return "exit status " + strconv.Itoa(e.ReturnCode)
}

// Unwrap gives the context's error when the Cmd's context killed the
// child (so errors.Is matches context.Canceled or DeadlineExceeded).
func (e *ExitError) Unwrap() error { return e.ctxErr }

// ---- Cmd ----

// Cmd is a command to run, os/exec's Cmd over the loop. Set its fields
// before Start.
//
// Stdin, Stdout and Stderr: nil connects the child's stream to the null
// device (os/exec's rule; asyncio's default would be to inherit: set
// os.Stdin, os.Stdout, os.Stderr for that). An *os.File is handed to the
// child as it is. Any other io.Reader or io.Writer is fed from or filled
// by a goroutine through a pipe, and Wait waits for that goroutine. When
// Stdout and Stderr are the same writer, both streams share one pipe
// (asyncio's stderr=STDOUT). StdinPipe, StdoutPipe and StderrPipe give
// the pipe itself instead.
//
// Wait, Run, Output and CombinedOutput block the calling goroutine; in a
// TaskFunc task they await (the loop runs meanwhile) as long as the Cmd
// has no Reader or Writer to copy (pipes and files only); otherwise they
// would block the loop and return an error.
type Cmd struct {
	// Path is the program: a name without "/" is looked up in PATH when
	// the child starts. The child sees it as its argv[0].
	Path string
	// Args holds the command line, Args[0] included (Command sets it to
	// the name).
	Args []string
	// Env is the child's whole environment ("NAME=value"); nil: the
	// parent's.
	Env []string
	// Dir is the child's working directory; "": the parent's.
	Dir string

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	// Process is the child once started.
	Process *Process

	loop     *Loop
	ctx      context.Context
	shell    string
	isShell  bool
	pipes    [3]*pipeEnd
	copiers  sync.WaitGroup
	copyMu   sync.Mutex
	copyErr  error
	waitFut  *Future
	killed   chan error // the context's error once it killed the child
	waitDone chan struct{}
	waited   bool
	closers  []func()
}

// Command describes name run with args (os/exec's Command): name
// without "/" is looked up in PATH when the child starts.
func (l *Loop) Command(name string, args ...string) *Cmd {
	return &Cmd{Path: name, Args: append([]string{name}, args...), loop: l}
}

// CommandContext is Command whose child is killed (SIGKILL) if ctx ends
// before it exited (os/exec's CommandContext; Wait then returns an
// ExitError that matches the context's error). An ended context makes
// Start fail without starting anything.
func (l *Loop) CommandContext(ctx context.Context, name string, args ...string) *Cmd {
	c := l.Command(name, args...)
	c.ctx = ctx
	return c
}

// Shell describes command run by /bin/sh -c (asyncio's
// create_subprocess_shell).
func (l *Loop) Shell(command string) *Cmd {
	return &Cmd{Path: "/bin/sh", Args: []string{"/bin/sh", "-c", command}, loop: l,
		shell: command, isShell: true}
}

// ShellContext is Shell with CommandContext's context.
func (l *Loop) ShellContext(ctx context.Context, command string) *Cmd {
	c := l.Shell(command)
	c.ctx = ctx
	return c
}

// String is the command line.
func (c *Cmd) String() string { return strings.Join(c.Args, " ") }

var (
	errAlreadyStarted = errors.New("asyncore: process already started")
	errNotStarted     = errors.New("asyncore: process not started")
	errWaited         = errors.New("asyncore: Wait was already called")
	errStdinSet       = errors.New("asyncore: Stdin already set")
	errStdoutSet      = errors.New("asyncore: Stdout already set")
	errStderrSet      = errors.New("asyncore: Stderr already set")
)

// pipeEnd is the parent's end of one of the child's pipes, as handed out
// by StdinPipe, StdoutPipe and StderrPipe: a Conn once the child started.
type pipeEnd struct {
	mu   sync.Mutex
	conn *Conn
}

func (pp *pipeEnd) get() (*Conn, error) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.conn == nil {
		return nil, errNotStarted
	}
	return pp.conn, nil
}

// pipeError gives a pipe's errors without Conn's network wrapping.
func pipeError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Err
	}
	return err
}

func (pp *pipeEnd) Read(b []byte) (int, error) {
	c, err := pp.get()
	if err != nil {
		return 0, err
	}
	n, err := c.Read(b)
	if err == io.EOF {
		return n, err
	}
	return n, pipeError(err)
}

func (pp *pipeEnd) Write(b []byte) (int, error) {
	c, err := pp.get()
	if err != nil {
		return 0, err
	}
	n, err := c.Write(b)
	return n, pipeError(err)
}

// Close closes the pipe (for stdin: the child reads EOF once the bytes
// written are sent).
func (pp *pipeEnd) Close() error {
	c, err := pp.get()
	if err != nil {
		return err
	}
	if err := c.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return pipeError(err)
	}
	return nil
}

func (c *Cmd) newPipe(i int) (*pipeEnd, error) {
	if c.Process != nil {
		return nil, errAlreadyStarted
	}
	if c.pipes[i] != nil {
		return nil, []error{errStdinSet, errStdoutSet, errStderrSet}[i]
	}
	c.pipes[i] = &pipeEnd{}
	return c.pipes[i], nil
}

// StdinPipe is the pipe to the child's stdin, for writing from any
// goroutine; close it to give the child EOF (Wait closes it too).
// Writing to a child that is gone fails with an error matching
// syscall.EPIPE (never SIGPIPE).
func (c *Cmd) StdinPipe() (io.WriteCloser, error) {
	if c.Stdin != nil {
		return nil, errStdinSet
	}
	return c.newPipe(0)
}

// StdoutPipe is the pipe from the child's stdout, for reading from any
// goroutine. Wait closes it once the child exited: read to EOF first.
func (c *Cmd) StdoutPipe() (io.ReadCloser, error) {
	if c.Stdout != nil {
		return nil, errStdoutSet
	}
	return c.newPipe(1)
}

// StderrPipe is StdoutPipe for stderr.
func (c *Cmd) StderrPipe() (io.ReadCloser, error) {
	if c.Stderr != nil {
		return nil, errStderrSet
	}
	return c.newPipe(2)
}

// sameWriter compares two writers, false for types Go cannot compare.
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a != nil && a == b
}

// modes chooses how each stream is connected; files are kept alive by
// the caller until the child started.
func (c *Cmd) modes(forCommunicate bool) (m [3]int, files []*os.File) {
	fd := func(f *os.File) int {
		files = append(files, f)
		return int(f.Fd())
	}
	switch r := c.Stdin.(type) {
	case nil:
		m[0] = procDevNull
		if c.pipes[0] != nil || forCommunicate {
			m[0] = procPipe
		}
	case *os.File:
		m[0] = fd(r)
	default:
		m[0] = procPipe
	}
	for i, w := range []io.Writer{c.Stdout, c.Stderr} {
		switch f := w.(type) {
		case nil:
			m[i+1] = procDevNull
			if c.pipes[i+1] != nil || forCommunicate {
				m[i+1] = procPipe
			}
		case *os.File:
			m[i+1] = fd(f)
		default:
			m[i+1] = procPipe
		}
	}
	if sameWriter(c.Stdout, c.Stderr) {
		m[2] = procStdout
	}
	return m, files
}

// Start starts the command; Wait waits for it and releases what Start
// set up. The program not found gives an error matching fs.ErrNotExist
// (and syscall.ENOENT), a program that cannot be executed one matching
// fs.ErrPermission; nothing is left open then.
func (c *Cmd) Start() error { return c.start(false) }

func (c *Cmd) start(forCommunicate bool) error {
	if c.Process != nil {
		return errAlreadyStarted
	}
	if c.loop == nil {
		return errors.New("asyncore: Cmd not made by Loop.Command or Loop.Shell")
	}
	if c.ctx != nil {
		if err := c.ctx.Err(); err != nil {
			return ContextError(err)
		}
	}
	m, files := c.modes(forCommunicate)
	argv := append([]string{c.Path}, c.Args[1:]...)
	if c.isShell {
		argv = []string{c.shell}
	}
	p, err := c.loop.spawnProcess(c.isShell, argv, c.Env, c.Dir, m)
	runtime.KeepAlive(files)
	if err != nil {
		return &os.PathError{Op: "exec", Path: c.Path, Err: err}
	}
	c.Process = p
	c.closers = append(c.closers, p.closePipes)
	streams := []*Stream{p.Stdin, p.Stdout, p.Stderr}
	for i, pp := range c.pipes {
		if pp != nil && streams[i] != nil {
			pp.mu.Lock()
			pp.conn = streams[i].Conn()
			pp.mu.Unlock()
		}
	}
	c.startCopiers(streams)
	f, err := c.loop.futureOp(p.waitOp)
	if err != nil {
		return err
	}
	c.waitFut = f
	c.waitDone = make(chan struct{})
	if c.ctx != nil && c.ctx.Done() != nil {
		c.killed = make(chan error, 1)
		go func(ctx context.Context, done <-chan struct{}) {
			select {
			case <-ctx.Done():
				if _, exited := p.ReturnCode(); !exited {
					_ = p.Kill()
					c.killed <- ctx.Err()
				}
			case <-f.Done():
			case <-done:
			}
		}(c.ctx, c.waitDone)
	}
	return nil
}

func (c *Cmd) copyFailed(err error) {
	c.copyMu.Lock()
	if c.copyErr == nil {
		c.copyErr = err
	}
	c.copyMu.Unlock()
}

// startCopiers starts the goroutines between the child's pipes and the
// Cmd's Readers and Writers.
func (c *Cmd) startCopiers(streams []*Stream) {
	if r := c.Stdin; r != nil && streams[0] != nil {
		if _, isFile := r.(*os.File); !isFile {
			conn := streams[0].Conn()
			c.copiers.Add(1)
			go func() {
				defer c.copiers.Done()
				_, err := io.Copy(conn, r)
				// A child that exits without reading all its input is no
				// error (os/exec and asyncio agree).
				if err != nil && !errors.Is(err, syscall.EPIPE) && !errors.Is(err, syscall.ECONNRESET) {
					c.copyFailed(pipeError(err))
				}
				_ = conn.Close()
			}()
		}
	}
	for i, w := range []io.Writer{c.Stdout, c.Stderr} {
		s := streams[i+1]
		if w == nil || s == nil {
			continue
		}
		if _, isFile := w.(*os.File); isFile {
			continue
		}
		conn := s.Conn()
		c.copiers.Add(1)
		go func(w io.Writer) {
			defer c.copiers.Done()
			if _, err := io.Copy(w, conn); err != nil {
				c.copyFailed(pipeError(err))
			}
		}(w)
	}
}

// StartWithPipes starts the command with a pipe for each of Stdin,
// Stdout and Stderr left nil (asyncio's PIPE), and returns the Process,
// whose Stdin, Stdout and Stderr Streams are the pipes: the shape of
// create_subprocess_exec(..., stdin=PIPE, stdout=PIPE, stderr=PIPE) for a
// TaskFunc task (ReadLine(co), WaitCo, CommunicateCo). Wait must still be
// called, or the pipes closed.
func (c *Cmd) StartWithPipes() (*Process, error) {
	if err := c.start(true); err != nil {
		return nil, err
	}
	return c.Process, nil
}

// hasCopiers reports whether Start started copying goroutines.
func (c *Cmd) hasCopiers() bool {
	if c.Stdin != nil {
		if _, f := c.Stdin.(*os.File); !f {
			return true
		}
	}
	for _, w := range []io.Writer{c.Stdout, c.Stderr} {
		if w != nil {
			if _, f := w.(*os.File); !f {
				return true
			}
		}
	}
	return false
}

// Wait waits for the child to exit and for the copying to and from its
// Reader and Writers to end, then closes the pipes. It returns nil for
// status 0, an *ExitError otherwise (matching the context's error when
// CommandContext's context killed the child), or the first copying error.
func (c *Cmd) Wait() error {
	if c.Process == nil {
		return errNotStarted
	}
	if c.waited {
		return errWaited
	}
	if c.loop.onOwnerThread() && c.hasCopiers() {
		return errBlockLoop
	}
	c.waited = true
	defer close(c.waitDone)
	v, err := c.waitFut.Wait(context.Background())
	c.waitFut.Release()
	if err != nil {
		c.release()
		return err
	}
	c.copiers.Wait()
	c.release()
	return c.exitError(v)
}

func (c *Cmd) release() {
	for _, fn := range c.closers {
		fn()
	}
	c.closers = nil
}

func (c *Cmd) exitError(v any) error {
	code, _ := returnCode(v, nil)
	var ctxErr error
	if c.killed != nil {
		select {
		case ctxErr = <-c.killed:
		default:
		}
	}
	if code != 0 {
		return &ExitError{ReturnCode: code, ctxErr: ctxErr}
	}
	c.copyMu.Lock()
	defer c.copyMu.Unlock()
	return c.copyErr
}

// Run starts the command and waits for it.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Output runs the command and returns its stdout. When Stderr is nil, an
// *ExitError holds what the child wrote to stderr.
func (c *Cmd) Output() ([]byte, error) {
	if c.Stdout != nil {
		return nil, errStdoutSet
	}
	var out, errb bytes.Buffer
	c.Stdout = &out
	captured := c.Stderr == nil
	if captured {
		c.Stderr = &errb
	}
	err := c.Run()
	var ee *ExitError
	if captured && errors.As(err, &ee) {
		ee.Stderr = errb.Bytes()
	}
	return out.Bytes(), err
}

// CombinedOutput runs the command and returns its stdout and stderr
// together, through one pipe (the child's writes in their order).
func (c *Cmd) CombinedOutput() ([]byte, error) {
	if c.Stdout != nil {
		return nil, errStdoutSet
	}
	if c.Stderr != nil {
		return nil, errStderrSet
	}
	var b bytes.Buffer
	c.Stdout = &b
	c.Stderr = &b
	err := c.Run()
	return b.Bytes(), err
}

// Communicate is asyncio's communicate(input) on a command not started
// yet: it starts it with a pipe for each of Stdin, Stdout and Stderr left
// nil, writes input to the child's stdin and closes it, reads stdout and
// stderr to their end, and waits for the child; err is an *ExitError for
// a status other than 0, as Wait's. ctx ending first gives its error and
// leaves the child running (asyncio's rule; a CommandContext context
// still kills it); Wait must then still be called.
func (c *Cmd) Communicate(ctx context.Context, input []byte) (stdout, stderr []byte, err error) {
	if c.Process != nil {
		return nil, nil, errAlreadyStarted
	}
	if c.Stdin != nil || c.Stdout != nil || c.Stderr != nil {
		return nil, nil, errors.New("asyncore: Communicate takes pipes only: leave Stdin, Stdout and Stderr nil")
	}
	if err := c.start(true); err != nil {
		return nil, nil, err
	}
	stdout, stderr, err = c.Process.Communicate(ctx, input)
	if err != nil {
		return nil, nil, err
	}
	return stdout, stderr, c.Wait()
}
