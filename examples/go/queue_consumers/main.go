// queue_consumers — one producer, two consumers and join, on a Queue of Go
// values.
//
// The Go twin of asyncio's Queue example (python/queue_consumers.py):
//
//	async def producer(queue, num_items):
//	    for i in range(num_items):
//	        item = f"item-{i}"
//	        await asyncio.sleep(random.uniform(0.1, 0.5)) # Simulate work
//	        await queue.put(item)
//	        print(f"Producer: Put {item} into queue")
//	    for _ in range(2):
//	        await queue.put(None) # Sentinel to signal consumer to stop
//
//	async def consumer(queue, consumer_id):
//	    while True:
//	        item = await queue.get()
//	        if item is None:
//	            queue.task_done()
//	            break
//	        print(f"Consumer {consumer_id}: Got {item} from queue")
//	        await asyncio.sleep(random.uniform(0.2, 0.6)) # Simulate work
//	        queue.task_done()
//	    print(f"Consumer {consumer_id}: Finished")
//
//	async def main_queue():
//	    print("Starting main_queue")
//	    queue = asyncio.Queue()
//	    producer_task = asyncio.create_task(producer(queue, 5))
//	    consumer_tasks = [asyncio.create_task(consumer(queue, i)) for i in range(2)]
//	    await asyncio.gather(producer_task, *consumer_tasks)
//	    await queue.join()
//	    print("Finished main_queue")
//
// As in the Python twin, the random delays are fixed draws from the same
// ranges, and the producer puts one sentinel per consumer (the guide's
// single one leaves the second consumer waiting forever). The items are Go
// strings and the sentinel is Go's nil.
package main

import (
	"fmt"
	"time"

	"asyncore-examples/internal/cli"
	"libasyncore.org/go/asyncore"
)

var produceDelay = []time.Duration{100, 250, 200, 250, 200} // uniform(0.1, 0.5), in ms

const consumeDelay = 300 * time.Millisecond // uniform(0.2, 0.6)

func producer(queue *asyncore.Queue, numItems int) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		for i := 0; i < numItems; i++ {
			item := fmt.Sprintf("item-%d", i)
			if err := co.Sleep(produceDelay[i] * time.Millisecond); err != nil {
				return nil, err
			}
			// The queue is unbounded, so a put never waits (in asyncio it
			// then does not suspend either): put without awaiting.
			if err := queue.PutNowait(item); err != nil {
				return nil, err
			}
			fmt.Printf("Producer: Put %s into queue\n", item)
		}
		for i := 0; i < 2; i++ {
			if err := queue.PutNowait(nil); err != nil { // Sentinel to signal consumer to stop
				return nil, err
			}
		}
		return nil, nil
	}
}

func consumer(queue *asyncore.Queue, consumerID int) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		for {
			item, err := queue.Get(co)
			if err != nil {
				return nil, err
			}
			if item == nil {
				queue.TaskDone()
				break
			}
			fmt.Printf("Consumer %d: Got %s from queue\n", consumerID, item)
			if err := co.Sleep(consumeDelay); err != nil {
				return nil, err
			}
			queue.TaskDone()
		}
		fmt.Printf("Consumer %d: Finished\n", consumerID)
		return nil, nil
	}
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Starting main_queue")
		queue, err := co.Loop().NewQueue(0)
		if err != nil {
			return nil, err
		}
		tasks := []asyncore.TaskFunc{producer(queue, 5), consumer(queue, 0), consumer(queue, 1)}
		var started []asyncore.Awaitable
		for _, fn := range tasks {
			t, err := co.Go(fn)
			if err != nil {
				return nil, err
			}
			started = append(started, t)
		}
		if _, err := co.Gather(started...); err != nil {
			return nil, err
		}
		if err := queue.Join(co); err != nil {
			return nil, err
		}
		fmt.Println("Finished main_queue")
		return nil, nil
	})
}
