// tail_file — one task appends lines to a file, another follows the file
// ("tail -f") and prints each line as it appears (the Go twin of
// examples/c/tail_file.c).
//
// In asyncio's words (asyncio has no file objects of its own; this is the
// shape the library's files give):
//
//	async def follow(path):
//	    f = await open(path, "r")
//	    while True:
//	        line = await f.readline()
//	        if not line:                 # at the end for now: look again
//	            await asyncio.sleep(0.05)
//	            continue
//	        print("tail:", line.rstrip("\n"))
//	        if line == "done\n":
//	            return
//
//	async def main():
//	    f = await open(path, "w")
//	    follower = asyncio.create_task(follow(path))
//	    for i in range(1, 4):
//	        f.write(f"line {i}\n")
//	        await f.drain()
//	        await asyncio.sleep(0.2)
//	    f.write("done\n")
//	    await f.close()
//	    await follower
//
// Loop.Open and Loop.Create give files in os's shape whose calls, made in
// a task, are awaits: the loop runs the other task meanwhile. ReadLine at
// the end of the file gives io.EOF with what there is (nothing here); the
// end is not sticky, so the next call sees what the writer appended. Only
// the follower prints, so the output is the same on any clock.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

func follow(path string) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		f, err := co.Loop().Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		for {
			line, err := f.ReadLine()
			if err != nil && err != io.EOF {
				return nil, err
			}
			if len(line) == 0 {
				// At the end for now: look again.
				if err := co.Sleep(50 * time.Millisecond); err != nil {
					return nil, err
				}
				continue
			}
			fmt.Println("tail:", strings.TrimSuffix(string(line), "\n"))
			if string(line) == "done\n" {
				return nil, nil
			}
		}
	}
}

func main() {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("tail_file-%d.txt", os.Getpid()))
	cli.Run(func(co *asyncore.Co) (any, error) {
		l := co.Loop()
		defer l.Remove(path)
		f, err := l.Create(path)
		if err != nil {
			return nil, err
		}
		follower, err := co.Go(follow(path))
		if err != nil {
			return nil, err
		}
		for i := 1; i <= 3; i++ {
			// A write returns once the bytes are in the file.
			if _, err := fmt.Fprintf(f, "line %d\n", i); err != nil {
				return nil, err
			}
			if err := co.Sleep(200 * time.Millisecond); err != nil {
				return nil, err
			}
		}
		if _, err := f.WriteString("done\n"); err != nil {
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return co.Await(follower)
	})
}
