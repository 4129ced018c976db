// sigint_server — a server that stops cleanly on Ctrl-C, in Go: SIGINT is
// relayed to a channel (os/signal's Notify, on the loop), and the main
// goroutine then closes the server and waits for it. The example has a
// child process send it SIGINT once a client was served, so that its
// output is always the same.
package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"

	"libasyncore.org/go/asyncore"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

func main() {
	l, err := asyncore.StartLoop()
	if err != nil {
		fail(err)
	}
	defer l.Close()
	sigint := make(chan os.Signal, 1)
	if err := l.Notify(sigint, os.Interrupt); err != nil {
		fail(err)
	}
	defer l.StopNotify(sigint)

	// Each connection: one line back, upper-cased.
	ln, err := asyncore.Listen(l, "tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				line, err := bufio.NewReader(c).ReadBytes('\n')
				if err == nil {
					c.Write(bytes.ToUpper(line))
				}
			}(c)
		}
	}()
	fmt.Println("serving")

	c, err := asyncore.Dial(context.Background(), l, "tcp", ln.Addr().String())
	if err != nil {
		fail(err)
	}
	c.Write([]byte("hello\n"))
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		fail(err)
	}
	fmt.Print("client got: ", reply)
	c.Close()

	// Ctrl-C, as a user would press it.
	fmt.Println("sending SIGINT")
	if err := l.Shell("kill -INT " + strconv.Itoa(os.Getpid())).Run(); err != nil {
		fail(err)
	}
	sig := <-sigint
	fmt.Printf("signal %d: closing the server\n", sig.(syscall.Signal))
	ln.Close()
	fmt.Println("server closed")
	fmt.Println("stopped cleanly")
}
