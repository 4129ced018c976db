//! One producer, two consumers and join, on an asyncio.Queue with 3.13's
//! shutdown. The random delays of the guide are fixed ones here so the run
//! is deterministic: the producer works 0.1 s then 0.2 s per item and
//! 0.3 s before the sentinel (None); each consumer works 0.3 s per item.
use asyncore::{gather, sleep, spawn, Error, Queue, Result};

const ITEMS: usize = 5;
const PRODUCE_DELAY: [f64; ITEMS + 1] = [0.1, 0.2, 0.2, 0.2, 0.2, 0.3];
const CONSUME_DELAY: f64 = 0.3;

async fn producer(queue: Queue<Option<String>>) -> Result<()> {
    for (i, delay) in PRODUCE_DELAY.iter().take(ITEMS).enumerate() {
        sleep(*delay).await?;
        let item = format!("item-{i}");
        queue.put(Some(item.clone())).await?;
        println!("Producer: Put {item} into queue");
    }
    sleep(PRODUCE_DELAY[ITEMS]).await?;
    queue.put(None).await?; // the sentinel
    println!("Producer: Put None into queue");
    queue.shutdown(false); // no more puts; gets drain what is left
    Ok(())
}

async fn consumer(queue: Queue<Option<String>>, consumer_id: usize) -> Result<()> {
    loop {
        let item = match queue.get().await {
            Err(e) if e.code() == asyncore::sys::AC_ESHUTDOWN => break,
            other => other?,
        };
        match item {
            None => {
                println!("Consumer {consumer_id}: Got None from queue");
                queue.task_done()?;
                break;
            }
            Some(item) => {
                println!("Consumer {consumer_id}: Got {item} from queue");
                sleep(CONSUME_DELAY).await?;
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
        let producer_task = spawn(producer(queue.clone()));
        let consumers = gather((0..2).map(|i| consumer(queue.clone(), i)));
        producer_task.await?;
        consumers.await?;
        queue.join().await?;
        println!("Finished main_queue");
        Ok(())
    })
}
