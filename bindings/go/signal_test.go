package asyncore

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// waitSignal receives from ch, failing the test if nothing comes within a
// generous bound (a lost signal, not a slow one).
func waitSignal(t *testing.T, ch <-chan os.Signal) os.Signal {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no signal arrived")
		return nil
	}
}

func sigCount(l *Loop) int {
	sigLoops.mu.Lock()
	defer sigLoops.mu.Unlock()
	return len(sigLoops.m[l])
}

func TestNotify(t *testing.T) {
	l := procLoop(t)
	ch := make(chan os.Signal, 4)
	if err := l.Notify(ch, syscall.SIGUSR1, syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if s := waitSignal(t, ch); s != syscall.SIGUSR1 {
		t.Fatalf("%v", s)
	}
	// From another process.
	if err := l.Shell("kill -USR2 " + strconv.Itoa(os.Getpid())).Run(); err != nil {
		t.Fatal(err)
	}
	if s := waitSignal(t, ch); s != syscall.SIGUSR2 {
		t.Fatalf("%v", s)
	}
	l.StopNotify(ch)
	if n := sigCount(l); n != 0 {
		t.Fatalf("%d handlers left", n)
	}
}

// A full channel misses the signal; the loop does not wait for it.
func TestNotifyFullChannel(t *testing.T) {
	l := procLoop(t)
	full := make(chan os.Signal) // nobody receives
	room := make(chan os.Signal, 1)
	if err := l.Notify(full, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if err := l.Notify(room, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	if s := waitSignal(t, room); s != syscall.SIGUSR1 {
		t.Fatalf("%v", s)
	}
	// The loop still serves.
	if err := l.Call(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	l.StopNotify(full)
	l.StopNotify(room)
}

func TestAddSignalHandler(t *testing.T) {
	l := procLoop(t)
	got := make(chan bool, 4)
	if err := l.AddSignalHandler(syscall.SIGUSR2, func() {
		// A loop callback: it holds the loop.
		got <- l.onOwnerThread()
	}); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	select {
	case onLoop := <-got:
		if !onLoop {
			t.Fatal("the handler ran off the loop")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no signal arrived")
	}
	if ok, err := l.RemoveSignalHandler(syscall.SIGUSR2); !ok || err != nil {
		t.Fatalf("%v %v", ok, err)
	}
	if ok, err := l.RemoveSignalHandler(syscall.SIGUSR2); ok || err != nil {
		t.Fatalf("second remove: %v %v", ok, err)
	}
	if n := sigCount(l); n != 0 {
		t.Fatalf("%d handlers left", n)
	}
}

// A handler that panics is reported to the exception handler; the loop
// goes on.
func TestSignalHandlerPanics(t *testing.T) {
	l := procLoop(t)
	reported := make(chan string, 1)
	l.SetExceptionHandler(func(c ExceptionContext) { reported <- c.Message })
	if err := l.AddSignalHandler(syscall.SIGUSR1, func() { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case m := <-reported:
		if m != "Exception in signal handler: boom" {
			t.Fatalf("%q", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing reported")
	}
	if _, err := l.RemoveSignalHandler(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
}

func TestSignalRefused(t *testing.T) {
	l := procLoop(t)
	for _, s := range []syscall.Signal{syscall.SIGKILL, syscall.SIGSTOP} {
		err := l.AddSignalHandler(s, func() {})
		if !errors.Is(err, ErrMisuse) || err.Error() != "sig "+strconv.Itoa(int(s))+" cannot be caught" {
			t.Fatalf("%v: %v", s, err)
		}
		if err := l.Notify(make(chan os.Signal, 1), s); !errors.Is(err, ErrMisuse) {
			t.Fatalf("%v: %v", s, err)
		}
	}
	if err := l.AddSignalHandler(syscall.Signal(1000), func() {}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("%v", err)
	}
	if err := l.Notify(make(chan os.Signal, 1)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("%v", err)
	}
	if n := sigCount(l); n != 0 {
		t.Fatalf("%d handlers left", n)
	}
}

// Each loop sees its own signals; closing a loop removes its handlers.
func TestSignalsPerLoop(t *testing.T) {
	a := procLoop(t)
	b, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	cha := make(chan os.Signal, 2)
	chb := make(chan os.Signal, 2)
	if err := a.Notify(cha, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if err := b.Notify(chb, syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	waitSignal(t, cha)
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	waitSignal(t, chb)
	if len(cha) != 0 || len(chb) != 0 {
		t.Fatal("a signal reached the other loop")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if n := sigCount(b); n != 0 {
		t.Fatalf("%d handlers left after close", n)
	}
	a.StopNotify(cha)
}

// saOnStack is SA_ONSTACK in the kernel's sigaction flags.
const saOnStack = 0x08000000

// The library's handler (libuv's) runs on the signal stack, as the Go
// runtime requires of handlers installed by C code.
func TestSignalHandlerOnSignalStack(t *testing.T) {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("reads the kernel's sigaction layout of linux/amd64 and arm64")
	}
	l := procLoop(t)
	ch := make(chan os.Signal, 1)
	if err := l.Notify(ch, syscall.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	defer l.StopNotify(ch)
	check := func(sig syscall.Signal) {
		t.Helper()
		var sa struct{ handler, flags, restorer, mask uint64 }
		if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), 0,
			uintptr(unsafe.Pointer(&sa)), 8, 0, 0); e != 0 {
			t.Fatal(e)
		}
		if sa.handler <= 1 || sa.flags&saOnStack == 0 {
			t.Fatalf("%v: handler %#x flags %#x", sig, sa.handler, sa.flags)
		}
	}
	check(syscall.SIGWINCH)
	// libuv's SIGCHLD handler, while a child runs.
	c := l.Command("sleep", "30")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	check(syscall.SIGCHLD)
	c.Process.Kill()
	c.Wait()
	// And it works: SIGWINCH, whose default is to be ignored.
	syscall.Kill(os.Getpid(), syscall.SIGWINCH)
	if s := waitSignal(t, ch); s != syscall.SIGWINCH {
		t.Fatalf("%v", s)
	}
}
