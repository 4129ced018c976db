//! Non-blocking waits overlap; a blocking call stops the whole loop:
//!
//!     async def non_blocking_fetch(url): ... await asyncio.sleep(2) ...
//!     def blocking_fetch(url): ... time.sleep(2) ...
//!
//! The non-blocking part is timed with the loop's clock (virtual with
//! --virtual-clock); the blocking part really blocks the thread for 2 + 2
//! seconds and is timed with the real clock.
use std::time::{Duration, Instant};

use asyncore::{gather, sleep, time, Result};

async fn non_blocking_fetch(url: &'static str) -> Result<String> {
    println!("Non-blocking: Requesting {url}...");
    sleep(2.0).await?;
    println!("Non-blocking: Received data from {url}");
    Ok(format!("Data from {url}"))
}

fn blocking_fetch(url: &str) -> String {
    println!("Blocking: Requesting {url}...");
    std::thread::sleep(Duration::from_secs(2));
    println!("Blocking: Received data from {url}");
    format!("Data from {url}")
}

async fn run_non_blocking() -> Result<()> {
    let start = time();
    gather(vec![
        non_blocking_fetch("http://api.example.com/data1"),
        non_blocking_fetch("http://api.example.com/data2"),
    ])
    .await?;
    println!("Non-blocking total time: {:.2} seconds\n", time() - start);
    Ok(())
}

fn run_blocking() {
    let start = Instant::now();
    blocking_fetch("http://api.example.com/data1");
    blocking_fetch("http://api.example.com/data2");
    // Whole tenths: the real clock overshoots by a few milliseconds.
    let took = (start.elapsed().as_secs_f64() * 10.0).floor() / 10.0;
    println!("Blocking total time: {took:.2} seconds\n");
}

fn main() {
    asyncore_examples::run(async {
        println!("--- Demonstrating Non-blocking I/O ---");
        run_non_blocking().await?;
        println!("--- Demonstrating Blocking I/O (within an async context, still blocks) ---");
        run_blocking();
        Ok(())
    })
}
