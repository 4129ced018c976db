package asyncore

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// closeWithin closes l on another goroutine and fails the test if Close
// has not returned after 10 s (a hang, not a timing assertion).
func closeWithin(t *testing.T, l *Loop) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- l.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
}

// reportLog collects "message (task name)" from the exception handler.
type reportLog struct {
	mu    sync.Mutex
	lines []string
}

func (r *reportLog) install(t *testing.T, l *Loop) {
	t.Helper()
	if err := l.SetExceptionHandler(func(c ExceptionContext) {
		who := c.TaskName
		if who == "" {
			who = "-"
		}
		r.mu.Lock()
		r.lines = append(r.lines, c.Message+" ("+who+")")
		r.mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
}

func (r *reportLog) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// stubborn swallows every cancellation: it waits again on a new future
// nobody completes (onFuture) or sleeps in a loop, whatever the error —
// ErrClosed included. Its goroutine returns only when stop is closed.
func stubborn(onFuture bool, cancels *int32, stop chan struct{}, gone chan error) TaskFunc {
	return func(co *Co) (any, error) {
		for {
			select {
			case <-stop:
				return nil, nil
			default:
			}
			var err error
			if onFuture {
				f, ferr := co.Loop().NewFuture()
				if ferr != nil {
					err = ferr
				} else {
					_, err = co.Await(f)
				}
			} else {
				err = co.Sleep(time.Second)
			}
			if errors.Is(err, ErrCancelled) {
				*cancels++
			} else if err != nil {
				// The loop is gone: wait to be told to stop, as a goroutine
				// stuck elsewhere would.
				gone <- err
				<-stop
				return nil, err
			}
		}
	}
}

func testCloseAbandons(t *testing.T, onFuture bool, opts ...Option) {
	l, err := StartLoop(append([]Option{WithShutdownGrace(100 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	var reports reportLog
	reports.install(t, l)
	var cancels int32
	stop := make(chan struct{})
	gone := make(chan error, 1)
	task, err := l.Go(stubborn(onFuture, &cancels, stop, gone))
	if err != nil {
		t.Fatal(err)
	}
	_ = task.SetName("stubborn")
	if err := l.Call(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	closeWithin(t, l)
	got := reports.get()
	if len(got) != 1 || got[0] != "Task was destroyed but it is pending (stubborn)" {
		t.Fatalf("reports %q", got)
	}
	if cancels < 1 {
		t.Fatalf("the task saw %d cancellations", cancels)
	}
	// Its goroutine was told the loop is gone, and Close did not wait for
	// it to return.
	select {
	case err := <-gone:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("abandoned goroutine got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the abandoned goroutine was not woken")
	}
	if _, err := l.NewFuture(); !errors.Is(err, ErrClosed) {
		t.Fatalf("a later call: %v", err)
	}
	close(stop)
}

func TestCloseAbandonsATaskWaitingAgainOnAFuture(t *testing.T) {
	testCloseAbandons(t, true, WithVirtualClock())
}

func TestCloseAbandonsATaskSleepingInALoop(t *testing.T) {
	testCloseAbandons(t, false)
}

func TestCloseAbandonsATaskSleepingInALoopVirtualClock(t *testing.T) {
	testCloseAbandons(t, false, WithVirtualClock())
}

func TestRunReturnsWhenATaskIgnoresCancellation(t *testing.T) {
	var cancels int32
	stop := make(chan struct{})
	defer close(stop)
	gone := make(chan error, 1)
	var reports reportLog
	done := make(chan error, 1)
	go func() {
		_, err := Run(func(co *Co) (any, error) {
			reports.install(t, co.Loop())
			task, err := co.Go(stubborn(false, &cancels, stop, gone))
			if err != nil {
				return nil, err
			}
			_ = task.SetName("stubborn")
			return nil, co.Sleep(0)
		}, WithShutdownGrace(100*time.Millisecond))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	if got := reports.get(); len(got) != 1 || !strings.HasPrefix(got[0], "Task was destroyed but it is pending (stubborn)") {
		t.Fatalf("reports %q", got)
	}
}

// spin takes at least d of real time.
func spin(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
	}
}

func TestTimeBudgetSpreadsABurstOverSteps(t *testing.T) {
	l, err := NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var order []int
	for i := 0; i < 1000; i++ {
		i := i
		if _, err := l.CallSoon(func() {
			spin(20 * time.Microsecond)
			order = append(order, i)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.SetTimeBudget(2 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	steps, most := 0, 0
	for len(order) < 1000 && steps < 5000 {
		info, err := l.Step(0)
		if err != nil {
			t.Fatal(err)
		}
		if info.Ran < 1 {
			t.Fatalf("step %d ran %d", steps, info.Ran)
		}
		if info.Ran > most {
			most = info.Ran
		}
		steps++
	}
	if len(order) != 1000 {
		t.Fatalf("%d callbacks ran", len(order))
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("order[%d] = %d", i, v)
		}
	}
	// Each callback takes at least 20 µs: a 2 ms budget is spent after 100.
	if most > 101 || steps < 10 {
		t.Fatalf("%d steps, at most %d callbacks in one", steps, most)
	}
	if err := l.SetTimeBudget(0); err != nil {
		t.Fatal(err)
	}
	count := 0
	for i := 0; i < 50; i++ {
		l.CallSoon(func() { count++ })
	}
	if info, _ := l.Step(0); info.Ran != 50 || count != 50 {
		t.Fatalf("ran %d, count %d", info.Ran, count)
	}
	if err := l.SetTimeBudget(-time.Millisecond); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative budget: %v", err)
	}
}

// A task that ignores every error, ErrClosed included, and goes on calling
// the loop: its goroutine spins once the loop has closed. Close returns
// all the same (it used to wait for that goroutine for ever).
func TestCloseAbandonsATaskThatIgnoresErrClosedToo(t *testing.T) {
	l, err := StartLoop(WithShutdownGrace(100 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var reports reportLog
	reports.install(t, l)
	stop := make(chan struct{})
	gone := make(chan error, 1)
	task, err := l.Go(func(co *Co) (any, error) {
		for {
			select {
			case <-stop:
				return nil, nil
			default:
			}
			if err := co.Sleep(time.Millisecond); err != nil && !errors.Is(err, ErrCancelled) {
				select {
				case gone <- err:
				default:
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = task.SetName("deaf")
	if err := l.Call(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	closeWithin(t, l)
	close(stop)
	if err := <-gone; !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v", err)
	}
	if got := reports.get(); len(got) != 1 || got[0] != "Task was destroyed but it is pending (deaf)" {
		t.Fatalf("reports %q", got)
	}
}
