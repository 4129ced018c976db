package asyncore

import (
	"fmt"
	"testing"
	"time"
)

func TestContextValuesAreTaskLocal(t *testing.T) {
	done := leakCheck(t)
	key, err := NewContextKey()
	if err != nil {
		t.Fatal(err)
	}
	var tr trace
	_, err = Run(func(co *Co) (any, error) {
		l := co.Loop()
		if _, ok := co.Value(key); ok {
			return nil, fmt.Errorf("set at start")
		}
		co.SetValue(key, "parent")
		child, _ := co.Go(func(co *Co) (any, error) {
			v, _ := co.Value(key)
			tr.add(fmt.Sprintf("child sees %v", v))
			co.SetValue(key, &struct{ S string }{"child's own"})
			co.Sleep(time.Second)
			return nil, nil
		})
		l.CallSoon(func() {
			v, _ := l.ContextValue(key)
			tr.add(fmt.Sprintf("callback sees %v", v))
		})
		co.SetValue(key, "parent, later")
		if _, err := co.Await(child); err != nil {
			return nil, err
		}
		v, _ := co.Value(key)
		tr.add(fmt.Sprintf("parent sees %v", v))
		if ok, err := l.DeleteContextValue(key); !ok || err != nil {
			return nil, fmt.Errorf("delete: %v %v", ok, err)
		}
		if ok, _ := l.DeleteContextValue(key); ok {
			return nil, fmt.Errorf("deleted twice")
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "child sees parent", "callback sees parent", "parent sees parent, later")
	done()
}
