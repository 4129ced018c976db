//! Non-blocking waits overlap; a blocking call stops the whole loop:
//!
//!     async def non_blocking_fetch(url): ... await asyncio.sleep(2) ...
//!     def blocking_fetch(url): ... time.sleep(2) ...
//!
//! Both halves are timed with perf_counter(), as the guide's are with
//! time.perf_counter: the real monotonic clock, where the blocking calls
//! block the thread, loop included, for 2 + 2 seconds. With --virtual-clock
//! nothing waits for real and the run is exact: perf_counter() is the
//! loop's virtual clock plus the time blocking calls have held the loop
//! still, and a blocking sleep adds to that time instead of sleeping (as
//! the Python twin's virtual-clock run moves the loop's clock for
//! time.sleep; see the C twin).
use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use asyncore::{gather, sleep, time, Result};

fn virtual_clock() -> bool {
    std::env::args().any(|a| a == "--virtual-clock")
}

thread_local! {
    /// Seconds blocking calls held the loop (virtual clock).
    static BLOCKED: Cell<f64> = const { Cell::new(0.0) };
}

/// time.perf_counter
fn perf_counter() -> f64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    if virtual_clock() {
        time() + BLOCKED.with(Cell::get)
    } else {
        ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64()
    }
}

/// time.sleep on the loop's thread: blocks it, loop included.
fn blocking_sleep(seconds: u64) {
    if virtual_clock() {
        BLOCKED.with(|b| b.set(b.get() + seconds as f64));
    } else {
        std::thread::sleep(Duration::from_secs(seconds));
    }
}

async fn non_blocking_fetch(url: &'static str) -> Result<String> {
    println!("Non-blocking: Requesting {url}...");
    sleep(Duration::from_secs(2)).await?;
    println!("Non-blocking: Received data from {url}");
    Ok(format!("Data from {url}"))
}

fn blocking_fetch(url: &str) -> String {
    println!("Blocking: Requesting {url}...");
    blocking_sleep(2); // Blocks the entire thread
    println!("Blocking: Received data from {url}");
    format!("Data from {url}")
}

async fn run_non_blocking() -> Result<()> {
    let start = perf_counter();
    gather(vec![
        non_blocking_fetch("http://api.example.com/data1"),
        non_blocking_fetch("http://api.example.com/data2"),
    ])
    .await?;
    let end = perf_counter();
    println!("Non-blocking total time: {:.2} seconds\n", end - start);
    Ok(())
}

fn run_blocking() {
    let start = perf_counter();
    blocking_fetch("http://api.example.com/data1");
    blocking_fetch("http://api.example.com/data2");
    let end = perf_counter();
    println!("Blocking total time: {:.2} seconds\n", end - start);
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
