// echo_server — asyncio's TCP echo server (start_server with a handler per
// connection), in Go.
//
//	echo_server [HOST [PORT]] [--unix PATH] [--connections N]
//
// Listens (default 127.0.0.1, port 0: any free port), prints
// "serving on ADDRESS", and echoes every line each client sends until the
// client ends its side. With --connections N it stops after N clients have
// come and gone. Each connection is a Go task; the loop runs one at a time.
package main

import (
	"fmt"
	"os"
	"strconv"

	"libasyncore.org/go/asyncore"
)

func main() {
	// Flags may come after the positional arguments, as in the C twin.
	host, port, unixPath, connections := "127.0.0.1", 0, "", -1
	positional := 0
	for i := 1; i < len(os.Args); i++ {
		switch arg := os.Args[i]; {
		case arg == "--unix" && i+1 < len(os.Args):
			i++
			unixPath = os.Args[i]
		case arg == "--connections" && i+1 < len(os.Args):
			i++
			connections, _ = strconv.Atoi(os.Args[i])
		case positional == 0:
			host = arg
			positional++
		default:
			port, _ = strconv.Atoi(arg)
		}
	}
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		l := co.Loop()
		allServed, err := l.NewFuture()
		if err != nil {
			return nil, err
		}
		left := connections
		handle := func(co *asyncore.Co, s *asyncore.Stream) error {
			defer func() {
				if left > 0 {
					if left--; left == 0 {
						allServed.SetResult(nil)
					}
				}
			}()
			for {
				line, err := s.ReadLine(co)
				if err != nil || len(line) == 0 {
					return nil // reset, a line over the limit, or the client is done
				}
				if s.Write(line) != nil || s.Drain(co) != nil {
					return nil
				}
			}
		}
		var srv *asyncore.Server
		if unixPath != "" {
			srv, err = l.StartUnixServer(unixPath, handle)
		} else {
			srv, err = l.StartServer(host, port, handle)
		}
		if err != nil {
			return nil, fmt.Errorf("cannot listen: %w", err)
		}
		if address, err := srv.Address(); err == nil {
			fmt.Printf("serving on %s\n", address)
		}
		if _, err := co.Await(allServed); err != nil {
			return nil, err
		}
		return nil, srv.Close()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo_server:", err)
		os.Exit(1)
	}
}
