# worker_gather.py — the crash course's example, as CPython runs it:
# Key Concepts, 3. Tasks & Concurrency (asyncio.gather).
# examples/expected/worker_gather.txt is what this program prints.
import asyncio

async def worker(name, delay):
    print(f"Worker {name}: Starting...")
    await asyncio.sleep(delay)
    print(f"Worker {name}: Finished after {delay} seconds.")
    return f"Result from {name}"

async def main_gather():
    print("Main: Scheduling workers with asyncio.gather...")
    results = await asyncio.gather(
        worker("Alpha", 2),
        worker("Beta", 1),
        worker("Gamma", 3)
    )
    print(f"Main: All workers finished. Results: {results}")

if __name__ == "__main__":
    asyncio.run(main_gather())
