//! The event loop interleaves two tasks:
//!
//!     async def task_a(): print("Task A started"); await asyncio.sleep(0.5); print("Task A finished")
//!     async def task_b(): print("Task B started"); await asyncio.sleep(1);   print("Task B finished")
//!     await asyncio.gather(task_a(), task_b())
use std::time::Duration;
use std::future::Future;
use std::pin::Pin;

use asyncore::{gather, sleep, Result};

type Job = Pin<Box<dyn Future<Output = Result<()>>>>;

async fn task_a() -> Result<()> {
    println!("Task A started");
    sleep(Duration::from_millis(500)).await?;
    println!("Task A finished");
    Ok(())
}

async fn task_b() -> Result<()> {
    println!("Task B started");
    sleep(Duration::from_secs(1)).await?;
    println!("Task B finished");
    Ok(())
}

fn main() {
    asyncore_examples::run(async {
        println!("Main routine starting tasks...");
        let jobs: Vec<Job> = vec![Box::pin(task_a()), Box::pin(task_b())];
        gather(jobs).await?;
        println!("Main routine all tasks completed.");
        Ok(())
    })
}
