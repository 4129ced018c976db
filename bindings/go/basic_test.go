package asyncore

import (
	"fmt"
	"testing"
	"time"
)

func TestRunHello(t *testing.T) {
	var lines []string
	v, err := Run(func(co *Co) (any, error) {
		lines = append(lines, "Hello")
		if err := co.Sleep(100 * time.Millisecond); err != nil {
			return nil, err
		}
		lines = append(lines, "World")
		return 42, nil
	}, WithVirtualClock())
	if err != nil || v != 42 {
		t.Fatalf("got %v %v", v, err)
	}
	if fmt.Sprint(lines) != "[Hello World]" {
		t.Fatalf("lines %v", lines)
	}
	if n := LiveHandles(); n != 0 {
		t.Fatalf("live handles %d", n)
	}
}
