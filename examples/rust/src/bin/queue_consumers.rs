//! One producer, two consumers and join, on an asyncio.Queue (the Python
//! twin is python/queue_consumers.py, whose comments give the changes from
//! the guide: fixed delays instead of random ones, and one sentinel, None,
//! per consumer, since with the guide's single one the second consumer
//! waits forever).
use std::time::Duration;
use asyncore::{gather, sleep, spawn, Error, Queue, Result};

const PRODUCE_DELAY: [f64; 5] = [0.1, 0.25, 0.2, 0.25, 0.2]; // uniform(0.1, 0.5)
const CONSUME_DELAY: f64 = 0.3; // uniform(0.2, 0.6)

async fn producer(queue: Queue<Option<String>>, num_items: usize) -> Result<()> {
    for (i, delay) in PRODUCE_DELAY.iter().take(num_items).enumerate() {
        let item = format!("item-{i}");
        sleep(Duration::from_secs_f64(*delay)).await?; // Simulate work
        queue.put(Some(item.clone())).await?;
        println!("Producer: Put {item} into queue");
    }
    for _ in 0..2 {
        queue.put(None).await?; // Sentinel to signal consumer to stop
    }
    Ok(())
}

async fn consumer(queue: Queue<Option<String>>, consumer_id: usize) -> Result<()> {
    loop {
        match queue.get().await? {
            None => {
                queue.task_done()?;
                break;
            }
            Some(item) => {
                println!("Consumer {consumer_id}: Got {item} from queue");
                sleep(Duration::from_secs_f64(CONSUME_DELAY)).await?; // Simulate work
                queue.task_done()?;
            }
        }
    }
    println!("Consumer {consumer_id}: Finished");
    Ok::<(), Error>(())
}

fn main() {
    asyncore_examples::run(async {
        println!("Starting main_queue");
        let queue = Queue::new(0)?;
        let producer_task = spawn(producer(queue.clone(), 5));
        let consumers = gather((0..2).map(|i| consumer(queue.clone(), i)));
        producer_task.await?;
        consumers.await?;
        queue.join().await?;
        println!("Finished main_queue");
        Ok(())
    })
}
