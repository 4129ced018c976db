//! Tasks run concurrently (asyncio.create_task):
//!
//!     async def main_concurrent():
//!         print("Starting main_concurrent")
//!         task1 = asyncio.create_task(greet_concurrent("Alice", 2))
//!         task2 = asyncio.create_task(greet_concurrent("Bob", 1))
//!         await task1
//!         await task2
//!         print("Finished main_concurrent")
//!
//! Bob greets first although Alice's task was created first.
use std::time::Duration;
use asyncore::{sleep, spawn, Result};

async fn greet_concurrent(name: &'static str, delay: u32) -> Result<()> {
    sleep(Duration::from_secs(delay.into())).await?;
    println!("Hello, {name} after {delay} seconds");
    Ok(())
}

fn main() {
    asyncore_examples::run(async {
        println!("Starting main_concurrent");
        let task1 = spawn(greet_concurrent("Alice", 2));
        let task2 = spawn(greet_concurrent("Bob", 1));
        task1.await?;
        task2.await?;
        println!("Finished main_concurrent");
        Ok(())
    })
}
