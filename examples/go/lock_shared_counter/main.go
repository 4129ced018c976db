// lock_shared_counter — three tasks update a shared counter under a Lock.
//
// The Go twin of asyncio's shared-counter Lock example:
//
//	shared_counter = 0
//	lock = asyncio.Lock()
//
//	async def increment_counter(task_id):
//	    global shared_counter
//	    print(f"Task {task_id}: Attempting to acquire lock...")
//	    async with lock:
//	        print(f"Task {task_id}: Lock acquired. Current counter: {shared_counter}")
//	        temp_counter = shared_counter
//	        await asyncio.sleep(0.1)
//	        shared_counter = temp_counter + 1
//	        print(f"Task {task_id}: Lock released. New counter: {shared_counter}")
//
//	async def main_locks():
//	    print("Main: Running tasks with shared counter...")
//	    await asyncio.gather(increment_counter(1), increment_counter(2), increment_counter(3))
//	    print(f"Main: Final shared counter value: {shared_counter}")
//
// The read-sleep-write would lose updates without the lock; with it the
// counter ends at 3. In asyncio taking a free lock does not suspend, while
// awaiting in Go always takes one trip through the loop: so a task first
// tries to take the lock at once and awaits it only when that fails, and
// task 1 holds the lock before tasks 2 and 3 ask for it, as in CPython.
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

// withLock is `async with lock`: fn runs holding the lock, which is
// released however fn ends.
func withLock(co *asyncore.Co, lock *asyncore.Lock, fn func() error) error {
	if !lock.TryAcquire() {
		if err := lock.Acquire(co); err != nil {
			return err // not acquired: nothing to release
		}
	}
	defer lock.Release()
	return fn()
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		lock, err := co.Loop().NewLock()
		if err != nil {
			return nil, err
		}
		// Only one task runs at a time: the counter needs no Go mutex.
		sharedCounter := 0
		incrementCounter := func(taskID int) asyncore.TaskFunc {
			return func(co *asyncore.Co) (any, error) {
				fmt.Printf("Task %d: Attempting to acquire lock...\n", taskID)
				return nil, withLock(co, lock, func() error {
					fmt.Printf("Task %d: Lock acquired. Current counter: %d\n", taskID, sharedCounter)
					tempCounter := sharedCounter
					if err := co.Sleep(100 * time.Millisecond); err != nil {
						return err
					}
					sharedCounter = tempCounter + 1
					fmt.Printf("Task %d: Lock released. New counter: %d\n", taskID, sharedCounter)
					return nil
				})
			}
		}
		fmt.Println("Main: Running tasks with shared counter...")
		var tasks []asyncore.Awaitable
		for id := 1; id <= 3; id++ {
			t, err := co.Go(incrementCounter(id))
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, t)
		}
		if _, err := co.Gather(tasks...); err != nil {
			return nil, err
		}
		fmt.Printf("Main: Final shared counter value: %d\n", sharedCounter)
		return nil, nil
	})
}
