//! asyncio.Lock protects a shared resource:
//!
//!     async def increment_with_lock(task_id):
//!         print(f"Task {task_id}: Trying to acquire lock")
//!         async with lock:
//!             print(f"Task {task_id}: Lock acquired, current resource: {shared_resource}")
//!             await asyncio.sleep(0.01)
//!             shared_resource += 1
//!             print(f"Task {task_id}: Resource incremented to {shared_resource}, releasing lock")
//!
//!     tasks = [asyncio.create_task(increment_with_lock(i)) for i in range(5)]
//!     await asyncio.gather(*tasks)
use std::time::Duration;
use std::cell::Cell;
use std::rc::Rc;

use asyncore::{sleep, spawn, Lock, Result};

async fn increment_with_lock(task_id: usize, lock: Lock, shared: Rc<Cell<i64>>) -> Result<()> {
    println!("Task {task_id}: Trying to acquire lock");
    let _guard = lock.lock().await?;
    println!("Task {task_id}: Lock acquired, current resource: {}", shared.get());
    sleep(Duration::from_millis(10)).await?;
    shared.set(shared.get() + 1);
    println!("Task {task_id}: Resource incremented to {}, releasing lock", shared.get());
    Ok(())
}

fn main() {
    asyncore_examples::run(async {
        println!("Starting main_lock");
        let lock = Lock::new()?;
        let shared = Rc::new(Cell::new(0));
        let tasks: Vec<_> = (0..5).map(|i| spawn(increment_with_lock(i, lock.clone(), shared.clone()))).collect();
        for t in tasks {
            t.await?;
        }
        println!("Final shared resource value: {}", shared.get());
        Ok(())
    })
}
