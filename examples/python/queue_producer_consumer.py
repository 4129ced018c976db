# queue_producer_consumer.py — the crash course's example, as CPython runs it:
# Key Concepts, 5. Synchronization Primitives (asyncio.Queue).
# examples/expected/queue_producer_consumer.txt is what this program prints.
import asyncio
import random

# Changed from the guide: random.uniform gives fixed draws from the guide's
# ranges (each range its own list, taken in call order), the same in every
# language's twin, so that every run prints the same lines.
_draws = {(0.1, 0.5): iter([0.2, 0.45, 0.15, 0.3, 0.4]),
          (0.5, 1.0): iter([0.6, 0.85, 0.55, 0.9, 0.7])}
random.uniform = lambda a, b: next(_draws[(a, b)])

async def producer(q: asyncio.Queue, num_items: int):
    for i in range(num_items):
        item = f"item_{i}"
        await q.put(item)
        print(f"Producer: Put {item} into queue")
        await asyncio.sleep(random.uniform(0.1, 0.5))
    await q.put(None) # Sentinel to signal consumer to stop

async def consumer(q: asyncio.Queue):
    while True:
        item = await q.get()
        if item is None:
            print("Consumer: Received stop signal. Exiting.")
            q.task_done() # Indicate completion of processing the sentinel
            break
        print(f"Consumer: Got {item} from queue, processing...")
        await asyncio.sleep(random.uniform(0.5, 1.0))
        print(f"Consumer: Finished processing {item}")
        q.task_done() # Indicate item processing is complete

async def main_queue():
    queue = asyncio.Queue()
    await asyncio.gather(
        producer(queue, 5),
        consumer(queue)
    )
    await queue.join() # Wait until all items in the queue have been processed
    print("Main: All producer/consumer tasks finished.")

if __name__ == "__main__":
    asyncio.run(main_queue())
