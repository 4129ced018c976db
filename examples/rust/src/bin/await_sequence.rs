//! Awaiting coroutines one after the other:
//!
//!     async def greet(name, delay):
//!         await asyncio.sleep(delay)
//!         print(f"Hello, {name} after {delay} seconds")
//!
//!     async def main_await():
//!         print("Starting main_await")
//!         await greet("Alice", 2)
//!         await greet("Bob", 1)
//!         print("Finished main_await")
use std::time::Duration;
use asyncore::{sleep, Result};

async fn greet(name: &str, delay: u32) -> Result<()> {
    sleep(Duration::from_secs(delay.into())).await?;
    println!("Hello, {name} after {delay} seconds");
    Ok(())
}

fn main() {
    asyncore_examples::run(async {
        println!("Starting main_await");
        greet("Alice", 2).await?;
        greet("Bob", 1).await?;
        println!("Finished main_await");
        Ok(())
    })
}
