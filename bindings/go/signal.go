package asyncore

import (
	"os"
	"sync"
	"syscall"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Unix signals delivered on the loop (signal.h), in two shapes: os/signal's
// Notify/StopNotify (the signal is sent to a channel) and asyncio's
// add_signal_handler/remove_signal_handler (a function runs on the loop).
// Both may be used for the same signal on one loop: the loop holds one
// handler per signal in the library, which feeds both.
//
// The library's handler replaces the process's disposition of the signal
// while a loop watches it (the Go runtime's own handling of that signal
// included: os/signal.Notify for the same signal in the same program does
// not see it then), and puts back the default when the last loop stops
// watching it. Closing the loop removes its handlers.

// sigEntry is a loop's handling of one signal (touched on the loop's
// thread only).
type sigEntry struct {
	loop  *Loop
	sig   syscall.Signal
	fn    func()
	chans []chan<- os.Signal
	gone  bool // the library dropped the registration
}

func (e *sigEntry) freed() {
	e.gone = true
	sigLoops.mu.Lock()
	if m := sigLoops.m[e.loop]; m != nil && m[e.sig] == e {
		delete(m, e.sig)
		if len(m) == 0 {
			delete(sigLoops.m, e.loop)
		}
	}
	sigLoops.mu.Unlock()
}

// sigLoops holds each loop's signal entries.
var sigLoops struct {
	mu sync.Mutex
	m  map[*Loop]map[syscall.Signal]*sigEntry
}

func sigEntryOf(l *Loop, sig syscall.Signal) *sigEntry {
	sigLoops.mu.Lock()
	defer sigLoops.mu.Unlock()
	return sigLoops.m[l][sig]
}

// arrived runs on the loop when the signal arrived (acgoSignal).
func (e *sigEntry) arrived() {
	cb := &callback{loop: e.loop, where: "signal handler", fn: func() { e.deliver() }}
	if e.loop.deferCallback(cb) {
		return
	}
	cb.run()
}

// deliver sends the signal to the channels (never blocking: a full
// channel misses it, as with os/signal) and runs the handler function.
func (e *sigEntry) deliver() {
	for _, ch := range e.chans {
		select {
		case ch <- e.sig:
		default:
		}
	}
	if e.fn != nil {
		e.fn()
	}
}

// fixSignalStack makes the handler in place for sig run on the signal
// stack, as the Go runtime requires of handlers installed by C code.
func fixSignalStack(sig int) { raw.Acgo_signal_onstack(sig) }

func toSignal(sig os.Signal) (syscall.Signal, error) {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return 0, newError(codeInvalid, "invalid argument: not a syscall.Signal")
	}
	return s, nil
}

// entry finds or installs the loop's entry for sig (loop thread).
func (l *Loop) sigEntry(sig syscall.Signal) (*sigEntry, error) {
	if e := sigEntryOf(l, sig); e != nil && !e.gone {
		return e, nil
	}
	e := &sigEntry{loop: l, sig: sig}
	h := newHandle(e)
	// On failure the library ran free_ud (the handle is gone).
	if rc := raw.Loop_add_signal_handler(l.c, int(sig), fnSignal, uintptr(h), fnFreeHandle); rc < 0 {
		return nil, codeError(rc)
	}
	fixSignalStack(int(sig))
	sigLoops.mu.Lock()
	if sigLoops.m == nil {
		sigLoops.m = map[*Loop]map[syscall.Signal]*sigEntry{}
	}
	if sigLoops.m[l] == nil {
		sigLoops.m[l] = map[syscall.Signal]*sigEntry{}
	}
	sigLoops.m[l][sig] = e
	sigLoops.mu.Unlock()
	return e, nil
}

// drop removes the library's handler when nothing uses the entry.
func (e *sigEntry) drop() {
	if e.fn == nil && len(e.chans) == 0 && !e.gone {
		raw.Loop_remove_signal_handler(e.loop.c, int(e.sig))
	}
}

// AddSignalHandler runs fn on the loop each time sig arrives (asyncio's
// add_signal_handler), replacing the function set before for that signal.
// fn runs as a loop callback, never in signal context: it may use the
// loop. Signals that arrive before it ran may be merged into one call.
// SIGKILL and SIGSTOP are refused with an error matching ErrMisuse ("sig
// 9 cannot be caught"), a number out of range with one matching ErrValue.
func (l *Loop) AddSignalHandler(sig os.Signal, fn func()) error {
	s, err := toSignal(sig)
	if err != nil {
		return err
	}
	if fn == nil {
		return newError(codeInvalid, "invalid argument: nil handler")
	}
	return l.Call(func() error {
		e, err := l.sigEntry(s)
		if err != nil {
			return err
		}
		e.fn = fn
		return nil
	})
}

// RemoveSignalHandler removes the function AddSignalHandler set for sig:
// true when there was one (asyncio's remove_signal_handler).
func (l *Loop) RemoveSignalHandler(sig os.Signal) (bool, error) {
	s, err := toSignal(sig)
	if err != nil {
		return false, err
	}
	removed := false
	err = l.Call(func() error {
		e := sigEntryOf(l, s)
		if e == nil || e.gone || e.fn == nil {
			return nil
		}
		e.fn = nil
		removed = true
		e.drop()
		return nil
	})
	return removed, err
}

// Notify relays the signals sigs to ch (os/signal's Notify, on this
// loop): each arrival is sent on the loop without blocking it, so a full
// channel misses it (give ch room for the signals it must not miss).
// Unlike os/signal, at least one signal must be named, and the refusals
// are errors (SIGKILL, SIGSTOP: matching ErrMisuse). Calling it again
// with the same channel adds signals.
func (l *Loop) Notify(ch chan<- os.Signal, sigs ...os.Signal) error {
	if ch == nil {
		panic("asyncore: Notify using nil channel")
	}
	if len(sigs) == 0 {
		return newError(codeInvalid, "invalid argument: Notify needs at least one signal")
	}
	list := make([]syscall.Signal, 0, len(sigs))
	for _, sig := range sigs {
		s, err := toSignal(sig)
		if err != nil {
			return err
		}
		list = append(list, s)
	}
	return l.Call(func() error {
		for _, s := range list {
			e, err := l.sigEntry(s)
			if err != nil {
				return err
			}
			found := false
			for _, c := range e.chans {
				if c == ch {
					found = true
				}
			}
			if !found {
				e.chans = append(e.chans, ch)
			}
		}
		return nil
	})
}

// StopNotify stops relaying signals to ch; when it returns, ch receives
// no more from this loop.
func (l *Loop) StopNotify(ch chan<- os.Signal) {
	_ = l.Call(func() error {
		sigLoops.mu.Lock()
		var entries []*sigEntry
		for _, e := range sigLoops.m[l] {
			entries = append(entries, e)
		}
		sigLoops.mu.Unlock()
		for _, e := range entries {
			kept := e.chans[:0]
			for _, c := range e.chans {
				if c != ch {
					kept = append(kept, c)
				}
			}
			for i := len(kept); i < len(e.chans); i++ {
				e.chans[i] = nil
			}
			e.chans = kept
			e.drop()
		}
		return nil
	})
}
