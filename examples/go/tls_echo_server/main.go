// tls_echo_server — asyncio's echo server with ssl= (start_server with a
// TLS context), in Go; the C twin is c/tls_echo_server.c, with the same
// command line:
//
//	tls_echo_server CERT KEY [HOST [PORT]] [--connections N]
package main

import (
	"fmt"
	"os"
	"strconv"

	"libasyncore.org/go/asyncore"
)

func main() {
	var cert, key string
	host, port, connections := "127.0.0.1", 0, -1
	positional := 0
	for i := 1; i < len(os.Args); i++ {
		switch arg := os.Args[i]; {
		case arg == "--connections" && i+1 < len(os.Args):
			i++
			connections, _ = strconv.Atoi(os.Args[i])
		default:
			switch positional {
			case 0:
				cert = arg
			case 1:
				key = arg
			case 2:
				host = arg
			default:
				port, _ = strconv.Atoi(arg)
			}
			positional++
		}
	}
	if key == "" {
		fmt.Fprintln(os.Stderr, "usage: tls_echo_server CERT KEY [HOST [PORT]] [--connections N]")
		os.Exit(2)
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
					return nil // the client's close_notify, or a broken connection
				}
				if s.Write(line) != nil || s.Drain(co) != nil {
					return nil
				}
			}
		}
		cfg := &asyncore.TLSConfig{Certificates: []asyncore.TLSCertificate{{CertFile: cert, KeyFile: key}}}
		srv, err := l.StartTLSServer(host, port, cfg, handle)
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
		fmt.Fprintln(os.Stderr, "tls_echo_server:", err)
		os.Exit(1)
	}
}
