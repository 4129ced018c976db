package asyncore

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Addresses change from run to run: the test compares the rest.
var hexAddr = regexp.MustCompile(`0x[0-9a-f]+`)

func TestDumpShowsEveryTaskAndWhatItAwaits(t *testing.T) {
	var text, json string
	var st LoopStats
	var want []string
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		lk, _ := l.NewLock()
		ev, _ := l.NewEvent()
		q, _ := l.NewQueue(0)
		c, _ := co.Go(func(co *Co) (any, error) {
			if err := lk.Acquire(co); err != nil {
				return nil, err
			}
			return nil, ev.Wait(co)
		})
		_ = c.SetName("C")
		if err := co.Sleep(0); err != nil {
			return nil, err
		}
		b, _ := co.Go(func(co *Co) (any, error) { return nil, lk.Acquire(co) })
		_ = b.SetName("B")
		a, _ := co.Go(func(co *Co) (any, error) { return co.Await(b) })
		_ = a.SetName("A")
		d, _ := co.Go(func(co *Co) (any, error) { return nil, lk.Acquire(co) })
		_ = d.SetName("D")
		e, _ := co.Go(func(co *Co) (any, error) { return nil, co.Sleep(5 * time.Second) })
		_ = e.SetName("E")
		f, _ := co.Go(func(co *Co) (any, error) { return q.Get(co) })
		_ = f.SetName("F")
		_ = co.Task().SetName("main")
		if err := co.Sleep(2500 * time.Millisecond); err != nil {
			return nil, err
		}
		var err error
		if text, err = l.Dump(); err != nil {
			return nil, err
		}
		if json, err = l.DumpJSON(); err != nil {
			return nil, err
		}
		if st, err = l.Stats(); err != nil {
			return nil, err
		}
		want = []string{
			// A Go task's code runs between the steps of its library task,
			// which the library therefore sees ready.
			fmt.Sprintf("#%d main ready", co.Task().ID()),
			fmt.Sprintf("#%d C waiting: event ADDR position=1 waiters=1", c.ID()),
			fmt.Sprintf("#%d A waiting: task #%d B", a.ID(), b.ID()),
			fmt.Sprintf("  #%d B waiting: lock ADDR position=1 waiters=2 locked=yes", b.ID()),
			fmt.Sprintf("#%d D waiting: lock ADDR position=2 waiters=2 locked=yes", d.ID()),
			fmt.Sprintf("#%d E waiting: sleep left=2.500", e.ID()),
			fmt.Sprintf("#%d F waiting: queue_get ADDR position=1 waiters=1 size=0", f.ID()),
			fmt.Sprintf(`{"id":%d,"name":"B","state":"waiting","cancelling":0,"awaits":{"kind":"lock","object":"ADDR","position":1,"waiters":2,"locked":true},"awaited_by":[%d]}`, b.ID(), a.ID()),
		}
		_ = ev.Set()
		for _, tk := range []*Task{a, b, d, e, f} {
			tk.Cancel("")
		}
		for _, tk := range []*Task{a, b, d, e, f, c} {
			_, _ = co.Await(tk)
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if got, exp := hexAddr.ReplaceAllString(text, "ADDR"), strings.Join(want[:7], "\n")+"\n"; got != exp {
		t.Fatalf("text dump:\n%s\nwant:\n%s", got, exp)
	}
	lines := strings.Split(strings.TrimSuffix(hexAddr.ReplaceAllString(json, "ADDR"), "\n"), "\n")
	if len(lines) != 7 || lines[2] != want[7] {
		t.Fatalf("JSON dump:\n%s\nwant as line 3:\n%s", json, want[7])
	}
	// Ready: the main task (see above).
	if st.TasksAlive != 7 || st.TasksCreated != 7 || st.Timers != 1 || st.Ready != 1 || st.CallbacksRun == 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestDumpOfAnIdleAndAClosedLoop(t *testing.T) {
	l, err := NewLoop(WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if s, err := l.Dump(); err != nil || s != "" {
		t.Fatalf("idle dump %q %v", s, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Dump(); err == nil {
		t.Fatal("dump of a closed loop")
	}
	if _, err := l.Stats(); err == nil {
		t.Fatal("stats of a closed loop")
	}
}
