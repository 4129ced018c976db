// echo_client — asyncio's TCP echo client (open_connection, write,
// readline, close, wait_closed), in Go.
//
//	echo_client ADDRESS LINE...
//
// ADDRESS is HOST:PORT or the path of a Unix socket (anything with a '/').
// Sends each LINE, prints what comes back, then ends its side and closes.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"libasyncore.org/go/asyncore"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: echo_client ADDRESS LINE...")
		os.Exit(2)
	}
	addr, lines := os.Args[1], os.Args[2:]
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		var s *asyncore.Stream
		var err error
		if strings.Contains(addr, "/") {
			s, err = co.OpenUnixConnection(addr)
		} else {
			i := strings.LastIndex(addr, ":")
			port, perr := strconv.Atoi(addr[i+1:])
			if i < 0 || perr != nil {
				return nil, fmt.Errorf("bad address %s", addr)
			}
			s, err = co.OpenConnection(addr[:i], port)
		}
		if err != nil {
			return nil, fmt.Errorf("cannot connect: %w", err)
		}
		fmt.Println("connected")
		for _, line := range lines {
			if err := s.Write([]byte(line + "\n")); err != nil {
				return nil, err
			}
			echoed, err := s.ReadLine(co)
			if err != nil {
				return nil, err
			}
			fmt.Printf("echo: %s", echoed)
		}
		// Our side is done; the server closes when it sees that.
		if err := s.WriteEOF(); err != nil {
			return nil, err
		}
		if _, err := s.ReadAll(co); err != nil {
			return nil, err
		}
		s.Close()
		if err := s.WaitClosed(co); err != nil {
			return nil, err
		}
		fmt.Println("closed")
		return nil, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo_client:", err)
		os.Exit(1)
	}
}
