//! asyncio.Semaphore lets two workers in at a time:
//!
//!     semaphore = asyncio.Semaphore(2)
//!     async def limited_worker(task_id):
//!         print(f"Task {task_id}: Waiting for semaphore")
//!         async with semaphore:
//!             print(f"Task {task_id}: Acquired semaphore, working...")
//!             await asyncio.sleep(1)
//!             print(f"Task {task_id}: Releasing semaphore")
use std::time::Duration;
use asyncore::{gather, sleep, Result, Semaphore};

async fn limited_worker(task_id: usize, semaphore: Semaphore) -> Result<()> {
    println!("Task {task_id}: Waiting for semaphore");
    let _permit = semaphore.acquire().await?;
    println!("Task {task_id}: Acquired semaphore, working...");
    sleep(Duration::from_secs(1)).await?;
    println!("Task {task_id}: Releasing semaphore");
    Ok(())
}

fn main() {
    asyncore_examples::run(async {
        println!("Starting main_semaphore");
        let semaphore = Semaphore::new(2)?;
        gather((0..5).map(|i| limited_worker(i, semaphore.clone()))).await?;
        println!("Finished main_semaphore");
        Ok(())
    })
}
