//! asyncio.to_thread: a blocking function runs on a worker thread while
//! the loop goes on:
//!
//!     def blocking_function(duration):
//!         print(f"  Blocking function started for {duration}s")
//!         time.sleep(duration)  # This is a blocking call
//!         print(f"  Blocking function finished after {duration}s")
//!         return f"Blocking result after {duration}s"
//!
//!     task1 = asyncio.create_task(asyncio.sleep(0.5))
//!     blocking_result = await asyncio.to_thread(blocking_function, 2)
//!     await task1
//!
//! As in CPython (python/to_thread.py), main awaits the worker's result
//! before the sleep task, so the worker's lines come before "Non-blocking
//! task finished.". With --virtual-clock the sleep costs no real time, and
//! the blocking sleep none either, as time.sleep on a worker does in the
//! Python twin's virtual-clock run.
use std::time::Duration;

use asyncore::{sleep, spawn, to_thread, Result};

fn blocking_function(duration: u64, scale: f64) -> String {
    println!("  Blocking function started for {duration}s");
    std::thread::sleep(Duration::from_secs_f64(duration as f64 * scale)); // This is a blocking call
    println!("  Blocking function finished after {duration}s");
    format!("Blocking result after {duration}s")
}

fn main() {
    let scale = if std::env::args().any(|a| a == "--virtual-clock") { 0.0 } else { 1.0 };
    asyncore_examples::run(async move {
        println!("Main: Starting non-blocking operations");
        let task1 = spawn(sleep(Duration::from_millis(500))); // Non-blocking async operation
        println!("Main: Offloading blocking_function to a thread");
        let blocking_result: String = to_thread(move || Ok(blocking_function(2, scale))).await?;
        task1.await?; // Wait for the non-blocking task
        println!("Main: Non-blocking task finished.");
        println!("Main: Received blocking result: {blocking_result}");
        println!("Main: Finished");
        Result::Ok(())
    })
}
