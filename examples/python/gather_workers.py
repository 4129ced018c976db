# gather_workers.py — the async/await evolution guide's example, as CPython runs it:
# 3.2.3 Waiting for Multiple Tasks.
# examples/expected/gather_workers.txt is what this program prints.
import asyncio

async def worker(name, delay):
    await asyncio.sleep(delay)
    return f"{name} finished after {delay}s"

async def main_gather():
    print("Starting main_gather")
    results = await asyncio.gather(
        worker("Worker A", 3),
        worker("Worker B", 1),
        worker("Worker C", 2)
    )
    print("All workers finished.")
    for res in results:
        print(res)

if __name__ == "__main__":
    asyncio.run(main_gather())
