//! Calling an async function returns a coroutine object; nothing runs yet:
//!
//!     coro_obj = my_coroutine()
//!     print(f"Type of coro_obj: {type(coro_obj)}")
//!
//! In Rust the call gives a future that does nothing until it is polled
//! (spawned or awaited). This program shows it, then drops it unrun.
use std::future::Future;

use asyncore::sleep;

async fn my_coroutine() -> asyncore::Result<()> {
    println!("Starting my_coroutine");
    sleep(1.0).await?;
    println!("Finished my_coroutine");
    Ok(())
}

fn kind_of<F: Future>(_: &F) -> &'static str {
    // Every async fn call is an (unstarted) future: Python's coroutine.
    "<class 'coroutine'>"
}

fn main() {
    let coro_obj = my_coroutine();
    println!("Type of coro_obj: {}", kind_of(&coro_obj));
    drop(coro_obj);
}
