//! asyncio.gather keeps the order of its arguments in the results:
//!
//!     async def worker(name, delay):
//!         await asyncio.sleep(delay)
//!         return f"{name} finished after {delay}s"
//!
//!     results = await asyncio.gather(worker("Worker A", 3),
//!                                    worker("Worker B", 1),
//!                                    worker("Worker C", 2))
use std::time::Duration;
use asyncore::{gather, sleep, Result};

async fn worker(name: &'static str, delay: u32) -> Result<String> {
    sleep(Duration::from_secs(delay.into())).await?;
    Ok(format!("{name} finished after {delay}s"))
}

fn main() {
    asyncore_examples::run(async {
        println!("Starting main_gather");
        let results = gather(vec![worker("Worker A", 3), worker("Worker B", 1), worker("Worker C", 2)]).await?;
        println!("All workers finished.");
        for res in results {
            println!("{res}");
        }
        Ok(())
    })
}
