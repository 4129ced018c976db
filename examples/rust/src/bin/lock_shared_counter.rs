//! Three tasks update a shared counter under an asyncio.Lock:
//!
//!     shared_counter = 0
//!     lock = asyncio.Lock()
//!
//!     async def increment_counter(task_id):
//!         global shared_counter
//!         print(f"Task {task_id}: Attempting to acquire lock...")
//!         async with lock:
//!             print(f"Task {task_id}: Lock acquired. Current counter: {shared_counter}")
//!             temp_counter = shared_counter
//!             await asyncio.sleep(0.1)
//!             shared_counter = temp_counter + 1
//!             print(f"Task {task_id}: Lock released. New counter: {shared_counter}")
//!
//!     async def main_locks():
//!         print("Main: Running tasks with shared counter...")
//!         await asyncio.gather(increment_counter(1), increment_counter(2), increment_counter(3))
//!         print(f"Main: Final shared counter value: {shared_counter}")
//!
//! The read-sleep-write would lose updates without the lock; with it the
//! counter ends at 3. As in asyncio, taking a free lock does not suspend, so
//! task 1 holds it before tasks 2 and 3 ask for it, as in CPython's output.
use std::time::Duration;
use std::cell::Cell;
use std::rc::Rc;

use asyncore::{gather, sleep, Lock, Result};

async fn increment_counter(task_id: usize, lock: Lock, shared_counter: Rc<Cell<i64>>) -> Result<()> {
    println!("Task {task_id}: Attempting to acquire lock...");
    // The guard gives the lock back when dropped, also on cancellation:
    // "async with".
    let _guard = lock.lock().await?;
    println!("Task {task_id}: Lock acquired. Current counter: {}", shared_counter.get());
    let temp_counter = shared_counter.get();
    sleep(Duration::from_millis(100)).await?;
    shared_counter.set(temp_counter + 1);
    println!("Task {task_id}: Lock released. New counter: {}", shared_counter.get());
    Ok(())
}

fn main() {
    asyncore_examples::run(async {
        let lock = Lock::new()?;
        let shared_counter = Rc::new(Cell::new(0));
        println!("Main: Running tasks with shared counter...");
        gather((1..=3).map(|i| increment_counter(i, lock.clone(), shared_counter.clone()))).await?;
        println!("Main: Final shared counter value: {}", shared_counter.get());
        Ok(())
    })
}
