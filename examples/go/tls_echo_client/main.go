// tls_echo_client — asyncio's echo client with ssl= (open_connection with
// a TLS context and server_hostname), in Go; the C twin is
// c/tls_echo_client.c, with the same command line:
//
//	tls_echo_client CAFILE HOST:PORT NAME LINE...
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"libasyncore.org/go/asyncore"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: tls_echo_client CAFILE HOST:PORT NAME LINE...")
		os.Exit(2)
	}
	cafile, addr, name, lines := os.Args[1], os.Args[2], os.Args[3], os.Args[4:]
	_, err := asyncore.Run(func(co *asyncore.Co) (any, error) {
		i := strings.LastIndex(addr, ":")
		port, perr := strconv.Atoi(addr[i+1:])
		if i < 0 || perr != nil {
			return nil, fmt.Errorf("bad address %s", addr)
		}
		s, err := co.DialTLS(addr[:i], port, &asyncore.TLSConfig{RootCAFile: cafile, ServerName: name})
		if err != nil {
			return nil, fmt.Errorf("cannot connect: %w", err)
		}
		fmt.Printf("connected with %s\n", s.TLSVersion())
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
		s.Close() // close_notify, then the socket
		if err := s.WaitClosed(co); err != nil {
			return nil, err
		}
		fmt.Println("closed")
		return nil, nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "tls_echo_client: %v\n", err)
		os.Exit(1)
	}
}
