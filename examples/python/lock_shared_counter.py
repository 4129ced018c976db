# lock_shared_counter.py — the crash course's example, as CPython runs it:
# Key Concepts, 5. Synchronization Primitives (asyncio.Lock).
# examples/expected/lock_shared_counter.txt is what this program prints.
import asyncio

shared_counter = 0
lock = asyncio.Lock()

async def increment_counter(task_id):
    global shared_counter
    print(f"Task {task_id}: Attempting to acquire lock...")
    async with lock: # Acquires the lock, ensuring exclusive access
        print(f"Task {task_id}: Lock acquired. Current counter: {shared_counter}")
        temp_counter = shared_counter
        await asyncio.sleep(0.1) # Simulate some work while holding the lock
        shared_counter = temp_counter + 1
        print(f"Task {task_id}: Lock released. New counter: {shared_counter}")

async def main_locks():
    print("Main: Running tasks with shared counter...")
    await asyncio.gather(
        increment_counter(1),
        increment_counter(2),
        increment_counter(3)
    )
    print(f"Main: Final shared counter value: {shared_counter}")

if __name__ == "__main__":
    asyncio.run(main_locks())
