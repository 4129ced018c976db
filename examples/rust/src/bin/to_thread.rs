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
//! The 0.5 s sleep ends while the 2 s function still blocks its worker.
//! With --virtual-clock the sleep costs no time and the function blocks
//! for a tenth of its duration (the printed durations stay the guide's);
//! main first waits until the worker has started, so the story prints in
//! the same order either way.
use std::time::Duration;

use asyncore::{sleep, spawn, to_thread, Result, TsFuture};

fn blocking_function(duration: u64, scale: f64, started: TsFuture<()>) -> String {
    println!("  Blocking function started for {duration}s");
    let _ = started.set_result(());
    std::thread::sleep(Duration::from_secs_f64(duration as f64 * scale)); // This is a blocking call
    println!("  Blocking function finished after {duration}s");
    format!("Blocking result after {duration}s")
}

fn main() {
    let scale = if std::env::args().any(|a| a == "--virtual-clock") { 0.1 } else { 1.0 };
    asyncore_examples::run(async move {
        println!("Main: Starting non-blocking operations");
        let task1 = spawn(sleep(0.5));
        println!("Main: Offloading blocking_function to a thread");
        let started = TsFuture::<()>::new()?;
        let s = started.clone();
        let blocking = to_thread(move || Ok(blocking_function(2, scale, s)));
        started.wait_async().await?;
        task1.await?;
        println!("Main: Non-blocking task finished.");
        let blocking_result: String = blocking.await?;
        println!("Main: Received blocking result: {blocking_result}");
        println!("Main: Finished");
        Result::Ok(())
    })
}
