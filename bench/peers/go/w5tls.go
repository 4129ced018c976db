// The W5-TLS echo server on crypto/tls: the W5 echo (w5) behind
// tls.NewListener, with the certificate and key named by W5_TLS_CERT and
// W5_TLS_KEY. Run with -w5tls SECONDS.
package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

func w5tls(seconds float64) {
	cert, err := tls.LoadX509KeyPair(os.Getenv("W5_TLS_CERT"), os.Getenv("W5_TLS_KEY"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "w5tls:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "w5tls:", err)
		os.Exit(1)
	}
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
	tl := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	go func() {
		for {
			c, err := tl.Accept()
			if err != nil {
				return
			}
			go echo(c)
		}
	}()
	time.Sleep(time.Duration(seconds * float64(time.Second)))
	tl.Close()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Printf("cpu user %.3f s sys %.3f s\n",
			float64(ru.Utime.Nano())*1e-9, float64(ru.Stime.Nano())*1e-9)
	}
}
