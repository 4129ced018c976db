//! A producer and a consumer decoupled by an asyncio.Queue:
//!
//!     async def producer(q: asyncio.Queue, num_items: int):
//!         for i in range(num_items):
//!             item = f"item_{i}"
//!             await q.put(item)
//!             print(f"Producer: Put {item} into queue")
//!             await asyncio.sleep(random.uniform(0.1, 0.5))
//!         await q.put(None)  # Sentinel to signal consumer to stop
//!
//!     async def consumer(q: asyncio.Queue):
//!         while True:
//!             item = await q.get()
//!             if item is None:
//!                 print("Consumer: Received stop signal. Exiting.")
//!                 q.task_done()
//!                 break
//!             print(f"Consumer: Got {item} from queue, processing...")
//!             await asyncio.sleep(random.uniform(0.5, 1.0))
//!             print(f"Consumer: Finished processing {item}")
//!             q.task_done()
//!
//!     async def main_queue():
//!         queue = asyncio.Queue()
//!         await asyncio.gather(producer(queue, 5), consumer(queue))
//!         await queue.join()
//!         print("Main: All producer/consumer tasks finished.")
//!
//! The random delays are fixed draws from the same ranges, so the run is
//! deterministic and prints what CPython prints with those delays.
use std::time::Duration;
use asyncore::{sleep, spawn, Queue, Result};

const ITEMS: usize = 5;
const PRODUCE_DELAY: [f64; ITEMS] = [0.2, 0.45, 0.15, 0.3, 0.4]; // uniform(0.1, 0.5)
const CONSUME_DELAY: [f64; ITEMS] = [0.6, 0.85, 0.55, 0.9, 0.7]; // uniform(0.5, 1.0)

async fn producer(q: Queue<Option<String>>, num_items: usize) -> Result<()> {
    for (i, delay) in PRODUCE_DELAY.iter().take(num_items).enumerate() {
        let item = format!("item_{i}");
        q.put(Some(item.clone())).await?;
        println!("Producer: Put {item} into queue");
        sleep(Duration::from_secs_f64(*delay)).await?;
    }
    q.put(None).await // the sentinel to signal the consumer to stop
}

async fn consumer(q: Queue<Option<String>>) -> Result<()> {
    for delay in CONSUME_DELAY.iter().cycle() {
        let Some(item) = q.get().await? else {
            println!("Consumer: Received stop signal. Exiting.");
            q.task_done()?;
            break;
        };
        println!("Consumer: Got {item} from queue, processing...");
        sleep(Duration::from_secs_f64(*delay)).await?;
        println!("Consumer: Finished processing {item}");
        q.task_done()?;
    }
    Ok(())
}

fn main() {
    asyncore_examples::run(async {
        let queue = Queue::new(0)?;
        // gather(producer(queue, 5), consumer(queue)): both run as tasks.
        let producer_task = spawn(producer(queue.clone(), ITEMS));
        let consumer_task = spawn(consumer(queue.clone()));
        producer_task.await?;
        consumer_task.await?;
        queue.join().await?;
        println!("Main: All producer/consumer tasks finished.");
        Ok(())
    })
}
