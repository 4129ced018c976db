// Command w5 is the W5 server through the Go binding: StartServer with a
// Go task per connection, Read / Write / Drain (asyncio's streams echo).
// It prints "port N", serves for SECONDS, then prints its user and system
// CPU time, like the other W5 servers.
//
//	w5 [SECONDS=11]
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"libasyncore.org/go/asyncore"
)

func echo(co *asyncore.Co, s *asyncore.Stream) error {
	for {
		data, err := s.Read(co, 65536)
		if err != nil || len(data) == 0 {
			return nil // a reset, or the client is done
		}
		if s.Write(data) != nil || s.Drain(co) != nil {
			return nil
		}
	}
}

func main() {
	seconds := 11.0
	if len(os.Args) > 1 {
		if v, err := strconv.ParseFloat(os.Args[1], 64); err == nil {
			seconds = v
		}
	}
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		srv, err := co.Loop().StartServer("127.0.0.1", 0, echo)
		if err != nil {
			return nil, err
		}
		fmt.Printf("port %d\n", srv.Port())
		if err := co.Sleep(time.Duration(seconds * float64(time.Second))); err != nil {
			return nil, err
		}
		return nil, srv.Close()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "w5:", err)
		os.Exit(1)
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Printf("cpu user %.3f s sys %.3f s\n",
			float64(ru.Utime.Nano())*1e-9, float64(ru.Stime.Nano())*1e-9)
	}
}
