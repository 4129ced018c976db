// queue_producer_consumer — a producer and a consumer decoupled by a Queue.
//
// The Go twin of asyncio's producer/consumer Queue example:
//
//	async def producer(q: asyncio.Queue, num_items: int):
//	    for i in range(num_items):
//	        item = f"item_{i}"
//	        await q.put(item)
//	        print(f"Producer: Put {item} into queue")
//	        await asyncio.sleep(random.uniform(0.1, 0.5))
//	    await q.put(None)  # Sentinel to signal consumer to stop
//
//	async def consumer(q: asyncio.Queue):
//	    while True:
//	        item = await q.get()
//	        if item is None:
//	            print("Consumer: Received stop signal. Exiting.")
//	            q.task_done()
//	            break
//	        print(f"Consumer: Got {item} from queue, processing...")
//	        await asyncio.sleep(random.uniform(0.5, 1.0))
//	        print(f"Consumer: Finished processing {item}")
//	        q.task_done()
//
//	async def main_queue():
//	    queue = asyncio.Queue()
//	    await asyncio.gather(producer(queue, 5), consumer(queue))
//	    await queue.join()
//	    print("Main: All producer/consumer tasks finished.")
//
// The random delays are fixed draws from the same ranges, as in the C
// twin, so the run is deterministic. In asyncio a put on an unbounded
// queue and a get of a queued item do not suspend, while awaiting in Go
// always takes one trip through the loop: so the producer puts without
// waiting, and the consumer takes a queued item at once and awaits the
// queue only when it is empty. The items are Go strings; the sentinel is
// Go's nil.
package main

import (
	"errors"
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

var produceDelay = []time.Duration{200, 450, 150, 300, 400} // uniform(0.1, 0.5), in ms
var consumeDelay = []time.Duration{600, 850, 550, 900, 700} // uniform(0.5, 1.0), in ms

func producer(q *asyncore.Queue, numItems int) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		for i := 0; i < numItems; i++ {
			item := fmt.Sprintf("item_%d", i)
			// Unbounded: the put never waits.
			if err := q.PutNowait(item); err != nil {
				return nil, err
			}
			fmt.Printf("Producer: Put %s into queue\n", item)
			if err := co.Sleep(produceDelay[i] * time.Millisecond); err != nil {
				return nil, err
			}
		}
		return nil, q.PutNowait(nil) // the sentinel
	}
}

// get is `await q.get()`: a queued item without suspending, else a wait.
func get(co *asyncore.Co, q *asyncore.Queue) (any, error) {
	item, err := q.GetNowait()
	if errors.Is(err, asyncore.ErrEmpty) {
		return q.Get(co)
	}
	return item, err
}

func consumer(q *asyncore.Queue) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		for n := 0; ; n++ {
			item, err := get(co, q)
			if err != nil {
				return nil, err
			}
			if item == nil {
				fmt.Println("Consumer: Received stop signal. Exiting.")
				return nil, q.TaskDone()
			}
			fmt.Printf("Consumer: Got %s from queue, processing...\n", item)
			if err := co.Sleep(consumeDelay[n] * time.Millisecond); err != nil {
				return nil, err
			}
			fmt.Printf("Consumer: Finished processing %s\n", item)
			if err := q.TaskDone(); err != nil {
				return nil, err
			}
		}
	}
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		queue, err := co.Loop().NewQueue(0)
		if err != nil {
			return nil, err
		}
		var tasks []asyncore.Awaitable
		for _, fn := range []asyncore.TaskFunc{producer(queue, 5), consumer(queue)} {
			t, err := co.Go(fn)
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, t)
		}
		if _, err := co.Gather(tasks...); err != nil {
			return nil, err
		}
		if err := queue.Join(co); err != nil {
			return nil, err
		}
		fmt.Println("Main: All producer/consumer tasks finished.")
		return nil, nil
	})
}
