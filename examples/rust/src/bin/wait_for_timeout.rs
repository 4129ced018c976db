//! asyncio.wait_for: the task is cancelled at the deadline, runs its
//! cleanup, and the caller gets a timeout:
//!
//!     async def long_running_task():
//!         try:
//!             print("Long-running task: Starting...")
//!             for i in range(5):
//!                 await asyncio.sleep(1)
//!                 print(f"Long-running task: {i+1} second passed.")
//!             return "Task completed successfully"
//!         except asyncio.CancelledError:
//!             print("Long-running task: Was cancelled!")
//!             raise
//!         finally:
//!             print("Long-running task: Cleanup done.")
//!
//!     result = await asyncio.wait_for(long_running_task(), timeout=2.5)
use std::time::Duration;
use asyncore::{sleep, wait_for, Error, Result};

async fn long_running_task() -> Result<String> {
    println!("Long-running task: Starting...");
    let body = async {
        for i in 0..5 {
            sleep(Duration::from_secs(1)).await?;
            println!("Long-running task: {} second passed.", i + 1);
        }
        Ok("Task completed successfully".to_string())
    };
    let r = body.await;
    if matches!(r, Err(Error::Cancelled { .. })) {
        println!("Long-running task: Was cancelled!");
    }
    println!("Long-running task: Cleanup done.");
    r
}

fn main() {
    asyncore_examples::run(async {
        println!("Main: Starting task with a timeout...");
        match wait_for(Duration::from_millis(2500), long_running_task()).await {
            Ok(result) => println!("Main: Result: {result}"),
            Err(Error::Timeout { .. }) => println!("Main: Task timed out after 2.5 seconds!"),
            Err(Error::Cancelled { .. }) => {
                println!("Main: Task was explicitly cancelled outside of timeout (e.g., by another task).")
            }
            Err(e) => return Err(e),
        }
        println!("Main: Finished.");
        Ok(())
    })
}
