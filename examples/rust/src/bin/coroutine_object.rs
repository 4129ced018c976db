//! Calling an async function returns a coroutine object; nothing runs yet:
//!
//!     async def my_coroutine():
//!         print("Starting my_coroutine")
//!         await asyncio.sleep(1)
//!         print("Finished my_coroutine")
//!
//!     coro_obj = my_coroutine()
//!     print(f"Type of coro_obj: {type(coro_obj)}")
//!
//! In Rust the call gives a future that does nothing until it is polled,
//! and a bare future has nothing to say of itself. So coro_obj here is the
//! future spawned as a task on a loop that never runs: it is never polled,
//! "Starting my_coroutine" is never printed. The line shows what the task
//! says of itself, its type's name, its name and its state (pending), not
//! CPython's "<class 'coroutine'>": this twin's output is its own
//! (examples/expected/coroutine_object.rust.txt). Dropping the loop drops
//! the task unrun.
use std::time::Duration;
use asyncore::{sleep, Loop};

async fn my_coroutine() -> asyncore::Result<()> {
    println!("Starting my_coroutine");
    sleep(Duration::from_secs(1)).await?;
    println!("Finished my_coroutine");
    Ok(())
}

fn type_name_of<T>(_: &T) -> &'static str {
    std::any::type_name::<T>()
}

fn main() {
    let lp = Loop::new().expect("loop");
    let coro_obj = lp.spawn(my_coroutine()); // never run: the loop does not run
    let state = if coro_obj.is_finished() { "done" } else { "pending" };
    println!("Type of coro_obj: {} {} ({state})", type_name_of(&coro_obj), coro_obj.name());
    drop(coro_obj);
    drop(lp);
}
