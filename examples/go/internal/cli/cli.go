// Package cli is what every example's main shares: the --virtual-clock
// flag and running the main task.
package cli

import (
	"flag"
	"fmt"
	"os"

	"libasyncore.org/go/asyncore"
)

var virtual = flag.Bool("virtual-clock", false, "run on the loop's virtual clock: same output, no waiting")

// Virtual reports whether the example runs on the virtual clock (after Run
// parsed the flags).
func Virtual() bool { return *virtual }

// Run parses the flags and runs main as the loop's main task
// (asyncio.run(main())); it exits with 1 if main fails.
func Run(main asyncore.TaskFunc) {
	flag.Parse()
	if _, err := asyncore.Run(main, asyncore.VirtualClockIf(*virtual)); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
