# lock_counter.py — the async/await evolution guide's example, as CPython runs it:
# 3.3.1 Locks.
# examples/expected/lock_counter.txt is what this program prints.
import asyncio

lock = asyncio.Lock()
shared_resource = 0

async def increment_with_lock(task_id):
    global shared_resource
    print(f"Task {task_id}: Trying to acquire lock")
    async with lock: # Acquire lock
        print(f"Task {task_id}: Lock acquired, current resource: {shared_resource}")
        await asyncio.sleep(0.01) # Simulate work
        shared_resource += 1
        print(f"Task {task_id}: Resource incremented to {shared_resource}, releasing lock")
    # Lock is automatically released here

async def main_lock():
    print("Starting main_lock")
    tasks = [asyncio.create_task(increment_with_lock(i)) for i in range(5)]
    await asyncio.gather(*tasks)
    print(f"Final shared resource value: {shared_resource}")

if __name__ == "__main__":
    asyncio.run(main_lock())
