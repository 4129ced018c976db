//! Workers that report as they go, gathered:
//!
//!     async def worker(name, delay):
//!         print(f"Worker {name}: Starting...")
//!         await asyncio.sleep(delay)
//!         print(f"Worker {name}: Finished after {delay} seconds.")
//!         return f"Result from {name}"
use std::time::Duration;
use asyncore::{gather, sleep, Result};
use asyncore_examples::py_list;

async fn worker(name: &'static str, delay: u32) -> Result<String> {
    println!("Worker {name}: Starting...");
    sleep(Duration::from_secs(delay.into())).await?;
    println!("Worker {name}: Finished after {delay} seconds.");
    Ok(format!("Result from {name}"))
}

fn main() {
    asyncore_examples::run(async {
        println!("Main: Scheduling workers with asyncio.gather...");
        let results = gather(vec![worker("Alpha", 2), worker("Beta", 1), worker("Gamma", 3)]).await?;
        println!("Main: All workers finished. Results: {}", py_list(&results));
        Ok(())
    })
}
