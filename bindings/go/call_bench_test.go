package asyncore

import (
	"sync"
	"testing"
)

// The goroutine→loop round trip: Call of an empty function from a
// goroutine that does not hold the loop (posted, run on the loop's
// thread, waited for).
func BenchmarkCallRoundTrip(b *testing.B) {
	l, err := StartLoop()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := l.Call(func() error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// The same from 8 goroutines at once: the requests that meet may share a
// wake-up of the loop.
func BenchmarkCallRoundTripParallel(b *testing.B) {
	l, err := StartLoop()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	const g = 8
	b.ResetTimer()
	var wg sync.WaitGroup
	for j := 0; j < g; j++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			for i := 0; i < n; i++ {
				if err := l.Call(func() error { return nil }); err != nil {
					b.Error(err)
					return
				}
			}
		}((b.N + g - 1) / g)
	}
	wg.Wait()
}
