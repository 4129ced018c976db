// run_command — run a command and read its output, then run a shell
// command and collect what it wrote (asyncio's create_subprocess_exec with
// stdout=PIPE, then create_subprocess_shell with communicate()), in Go.
// The commands are os/exec-shaped (Loop.Command, Loop.Shell); their pipes
// are read from this goroutine while the loop runs on its own.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"

	"libasyncore.org/go/asyncore"
)

func main() {
	l, err := asyncore.StartLoop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	defer l.Close()

	fmt.Println(`$ printf 'alpha\nbeta\ngamma\n'`)
	cmd := l.Command("printf", `alpha\nbeta\ngamma\n`)
	stdout, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	lines := bufio.NewScanner(stdout)
	for n := 1; lines.Scan(); n++ {
		fmt.Printf("line %d: %s\n", n, lines.Text())
	}
	if err := cmd.Wait(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println("exit status 0")

	fmt.Println("$ echo out; echo oops >&2; exit 3")
	out, errOut, err := l.Shell("echo out; echo oops >&2; exit 3").Communicate(context.Background(), nil)
	code := 0
	var exit *asyncore.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Printf("stdout: %s", out)
	fmt.Printf("stderr: %s", errOut)
	fmt.Printf("exit status %d\n", code)
}
