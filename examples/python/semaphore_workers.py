# semaphore_workers.py — the async/await evolution guide's example, as CPython runs it:
# 3.3.2 Semaphores.
# examples/expected/semaphore_workers.txt is what this program prints.
import asyncio

semaphore = asyncio.Semaphore(2) # Allow only 2 concurrent tasks
async def limited_worker(task_id):
    print(f"Task {task_id}: Waiting for semaphore")
    async with semaphore:
        print(f"Task {task_id}: Acquired semaphore, working...")
        await asyncio.sleep(1) # Simulate work
        print(f"Task {task_id}: Releasing semaphore")

async def main_semaphore():
    print("Starting main_semaphore")
    tasks = [asyncio.create_task(limited_worker(i)) for i in range(5)]
    await asyncio.gather(*tasks)
    print("Finished main_semaphore")

if __name__ == "__main__":
    asyncio.run(main_semaphore())
