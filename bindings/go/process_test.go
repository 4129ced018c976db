package asyncore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const python = "/usr/bin/python3"

// countFDs is the number of descriptors this process has open.
func countFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// noChildren reports whether this process has no child left (running or
// zombie).
func noChildren() bool {
	_, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
	return errors.Is(err, syscall.ECHILD)
}

// warmUp makes libuv open what it opens once per process and keeps (the
// pipes of its signal machinery, made by the first loop and the first
// watched signal: a child's SIGCHLD), so that tests can count
// descriptors.
var warmUp sync.Once

// procLoop starts a real-time loop for a test whose children, descriptors
// and goroutines are counted before and after it (the loop closed).
func procLoop(t *testing.T) *Loop {
	t.Helper()
	warmUp.Do(func() {
		l, err := StartLoop()
		if err != nil {
			t.Fatal(err)
		}
		err = l.Command("true").Run()
		l.Close()
		if err != nil {
			t.Fatal(err)
		}
	})
	leaks := leakCheck(t)
	runtime.GC()
	fds := countFDs(t)
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		// More after than before is a leak (fewer: earlier tests' files
		// closed meanwhile by the collector).
		if n := countFDs(t); n > fds {
			t.Errorf("descriptors: %d before, %d after", fds, n)
		}
		if !noChildren() {
			t.Errorf("a child is left behind")
		}
		leaks()
	})
	return l
}

func needPython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Skip(python + " is not installed")
	}
}

func TestCmdOutput(t *testing.T) {
	l := procLoop(t)
	out, err := l.Command("printf", `alpha\nbeta\n`).Output()
	if err != nil || string(out) != "alpha\nbeta\n" {
		t.Fatalf("%q %v", out, err)
	}
	// Path and Args as os/exec sets them.
	c := l.Command("echo", "a", "b")
	if c.Path != "echo" || strings.Join(c.Args, ",") != "echo,a,b" || c.String() != "echo a b" {
		t.Fatalf("%q %q", c.Path, c.Args)
	}
}

func TestCmdExitStatusAndStderr(t *testing.T) {
	l := procLoop(t)
	out, err := l.Shell("echo out; echo oops >&2; exit 3").Output()
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("%v", err)
	}
	if string(out) != "out\n" || string(ee.Stderr) != "oops\n" || ee.ExitCode() != 3 ||
		ee.ReturnCode != 3 || !ee.Exited() || ee.Error() != "exit status 3" {
		t.Fatalf("%q %q %d %q", out, ee.Stderr, ee.ExitCode(), ee.Error())
	}
}

func TestCmdKilledBySignal(t *testing.T) {
	l := procLoop(t)
	err := l.Shell("kill -TERM $$").Run()
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("%v", err)
	}
	// asyncio's returncode -15; os/exec's ExitCode -1.
	if ee.ReturnCode != -15 || ee.ExitCode() != -1 || ee.Signal() != syscall.SIGTERM ||
		ee.Exited() || ee.Error() != "signal: terminated" {
		t.Fatalf("%d %d %v %q", ee.ReturnCode, ee.ExitCode(), ee.Signal(), ee.Error())
	}
}

func TestCmdCombinedOutput(t *testing.T) {
	l := procLoop(t)
	out, err := l.Shell("echo 1; echo 2 >&2; echo 3").CombinedOutput()
	if err != nil || string(out) != "1\n2\n3\n" {
		t.Fatalf("%q %v", out, err)
	}
}

func TestCmdEnvAndDir(t *testing.T) {
	l := procLoop(t)
	c := l.Shell(`echo "$GREETING"; pwd`)
	c.Env = []string{"GREETING=hi there", "PATH=/usr/bin:/bin"}
	c.Dir = "/tmp"
	out, err := c.Output()
	if err != nil || string(out) != "hi there\n/tmp\n" {
		t.Fatalf("%q %v", out, err)
	}
}

func TestCmdNotFound(t *testing.T) {
	l := procLoop(t)
	err := l.Command("no-such-program-for-asyncore-tests").Start()
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("%v", err)
	}
	var pe *os.PathError
	if !errors.As(err, &pe) || pe.Path != "no-such-program-for-asyncore-tests" {
		t.Fatalf("%#v", err)
	}
	c := l.Command("/bin/true")
	c.Dir = "/no/such/dir"
	if err := c.Run(); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%v", err)
	}
	plain := t.TempDir() + "/not-executable"
	if err := os.WriteFile(plain, []byte("echo no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := l.Command(plain).Run(); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("%v", err)
	}
	if err := l.Command("echo", "a\x00b").Run(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("%v", err)
	}
}

func TestCmdPipes(t *testing.T) {
	l := procLoop(t)
	c := l.Command("cat")
	in, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StdoutPipe(); err == nil {
		t.Fatal("a second StdoutPipe")
	}
	if _, err := out.Read(make([]byte, 1)); !errors.Is(err, errNotStarted) {
		t.Fatalf("read before Start: %v", err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if c.Process.Pid <= 0 || c.Process.Stdin == nil || c.Process.Stdout == nil || c.Process.Stderr != nil {
		t.Fatalf("%+v", c.Process)
	}
	go func() {
		for i := 0; i < 3; i++ {
			if _, err := io.WriteString(in, "line\n"); err != nil {
				t.Error(err)
			}
		}
		in.Close()
	}()
	got, err := io.ReadAll(out)
	if err != nil || string(got) != "line\nline\nline\n" {
		t.Fatalf("%q %v", got, err)
	}
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); !errors.Is(err, errWaited) {
		t.Fatalf("second Wait: %v", err)
	}
	if code, ok := c.Process.ReturnCode(); !ok || code != 0 {
		t.Fatalf("%d %v", code, ok)
	}
}

// A reader and a writer copied by goroutines, a megabyte each way.
func TestCmdReaderWriter(t *testing.T) {
	l := procLoop(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	var out bytes.Buffer
	c := l.Command("cat")
	c.Stdin = bytes.NewReader(data)
	c.Stdout = &out
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("%d bytes back of %d", out.Len(), len(data))
	}
}

// Files are handed to the child as they are.
func TestCmdFiles(t *testing.T) {
	l := procLoop(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := l.Shell("echo to the file")
	c.Stdout = w
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != "to the file\n" {
		t.Fatalf("%q", got)
	}
}

// CommandContext kills the child when the context ends; the error says
// both what happened and why.
func TestCommandContextKills(t *testing.T) {
	l := procLoop(t)
	ctx, cancel := context.WithCancel(context.Background())
	c := l.CommandContext(ctx, "sleep", "30")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := c.Wait()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.ReturnCode != -9 || !errors.Is(err, context.Canceled) ||
		ee.Error() != "signal: killed" {
		t.Fatalf("%v", err)
	}
	// An ended context starts nothing.
	if err := l.CommandContext(ctx, "true").Start(); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
}

// A wait that gives up leaves the child running (asyncio's rule).
func TestProcessWaitContextDoesNotKill(t *testing.T) {
	l := procLoop(t)
	c := l.Command("sleep", "30")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	p := c.Process
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("%v", err)
	}
	if _, exited := p.ReturnCode(); exited {
		t.Fatal("the child was stopped")
	}
	if err := p.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(context.Background()); err != nil || code != -9 {
		t.Fatalf("%d %v", code, err)
	}
	// Signalling a child that exited does nothing.
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	var ee *ExitError
	if err := c.Wait(); !errors.As(err, &ee) || ee.ReturnCode != -9 {
		t.Fatalf("%v", err)
	}
}

func TestCommunicate(t *testing.T) {
	l := procLoop(t)
	out, errb, err := l.Command("cat").Communicate(context.Background(), []byte("to cat\n"))
	if err != nil || string(out) != "to cat\n" || len(errb) != 0 {
		t.Fatalf("%q %q %v", out, errb, err)
	}
	out, errb, err = l.Shell("cat; echo err >&2; exit 4").Communicate(context.Background(), []byte("x"))
	var ee *ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 4 || string(out) != "x" || string(errb) != "err\n" {
		t.Fatalf("%q %q %v", out, errb, err)
	}
}

// Misbehaving children (python3): one that never reads its input and
// exits early, one that floods stdout, one that ignores SIGTERM.
func TestMisbehavingChildren(t *testing.T) {
	needPython(t)
	l := procLoop(t)

	// Never reads stdin, exits at once: the input is dropped, no error.
	input := bytes.Repeat([]byte("y"), 4<<20)
	out, _, err := l.Command(python, "-c", "print('early')").Communicate(context.Background(), input)
	if err != nil || string(out) != "early\n" {
		t.Fatalf("%q %v", out, err)
	}

	// Floods stdout: 8 MiB arrive whole.
	out, err = l.Command(python, "-c", "import sys; sys.stdout.write('z' * (8 << 20))").Output()
	if err != nil || len(out) != 8<<20 || bytes.Count(out, []byte("z")) != 8<<20 {
		t.Fatalf("%d %v", len(out), err)
	}

	// Ignores SIGTERM: still running after it, ended by SIGKILL.
	c := l.Command(python, "-c",
		"import signal, sys, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\ntime.sleep(60)")
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("%q %v", line, err)
	}
	if err := c.Process.Terminate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Process.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	if err := c.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var ee *ExitError
	if err := c.Wait(); !errors.As(err, &ee) || ee.ReturnCode != -9 {
		t.Fatalf("%v", err)
	}
}

// Writing to a dead child's stdin: EPIPE (and no SIGPIPE).
func TestWriteToDeadChild(t *testing.T) {
	l := procLoop(t)
	c := l.Command("true")
	in, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if code, err := c.Process.Wait(context.Background()); err != nil || code != 0 {
		t.Fatalf("%d %v", code, err)
	}
	chunk := make([]byte, 1<<16)
	for i := 0; i < 64; i++ {
		if _, err = in.Write(chunk); err != nil {
			break
		}
	}
	if !errors.Is(err, syscall.EPIPE) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("%v", err)
	}
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
}

// A TaskFunc task reads the pipe as a Stream and awaits the child.
func TestProcessInTask(t *testing.T) {
	l := procLoop(t)
	f, err := l.Go(func(co *Co) (any, error) {
		c := l.Command("printf", `alpha\nbeta\n`)
		if _, err := c.StdoutPipe(); err != nil {
			return nil, err
		}
		if err := c.Start(); err != nil {
			return nil, err
		}
		var lines []string
		for {
			line, err := c.Process.Stdout.ReadLine(co)
			if err != nil {
				return nil, err
			}
			if len(line) == 0 {
				break
			}
			lines = append(lines, string(line))
		}
		code, err := c.Process.WaitCo(co)
		if err != nil {
			return nil, err
		}
		if err := c.Wait(); err != nil {
			return nil, err
		}
		p, err := l.Shell("cat; exit 2").StartWithPipes()
		if err != nil {
			return nil, err
		}
		out, _, err := p.CommunicateCo(co, []byte("fed"))
		if err != nil {
			return nil, err
		}
		rc, _ := p.ReturnCode()
		return strings.Join(lines, "") + "|" + string(rune('0'+code)) + "|" + string(out) +
			"|" + string(rune('0'+rc)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Wait(context.Background())
	if err != nil || v != "alpha\nbeta\n|0|fed|2" {
		t.Fatalf("%q %v", v, err)
	}
}

// Hundreds of short-lived children (fewer under the race detector), many at a time, half with pipes: no
// zombie, no descriptor left (procLoop counts them).
func TestManyChildren(t *testing.T) {
	l := procLoop(t)
	n := 200
	if raceEnabled {
		n = 50
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 50)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if i%2 == 0 {
				errs <- l.Command("true").Run()
				return
			}
			out, err := l.Command("echo", "x").Output()
			if err == nil && string(out) != "x\n" {
				err = errors.New("bad output " + string(out))
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Closing the loop while a child runs kills and reaps it.
func TestCloseKillsChild(t *testing.T) {
	fds := countFDs(t)
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	c := l.Command("sleep", "30")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); !errors.Is(err, ErrClosed) {
		t.Fatalf("%v", err)
	}
	if !noChildren() {
		t.Fatal("child left behind")
	}
	if n := countFDs(t); n != fds {
		t.Fatalf("descriptors: %d before, %d after", fds, n)
	}
}
