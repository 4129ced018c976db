# blocking_fetch.py — the crash course's example, as CPython runs it:
# Key Concepts, 4. Non-blocking I/O.
# examples/expected/blocking_fetch.txt is what this program prints.
import asyncio
import time # For demonstrating blocking vs non-blocking

async def non_blocking_fetch(url):
    print(f"Non-blocking: Requesting {url}...")
    await asyncio.sleep(2) # Simulates network I/O; yields control
    print(f"Non-blocking: Received data from {url}")
    return f"Data from {url}"

def blocking_fetch(url):
    print(f"Blocking: Requesting {url}...")
    time.sleep(2) # Blocks the entire thread
    print(f"Blocking: Received data from {url}")
    return f"Data from {url}"

async def run_non_blocking():
    start_time = time.perf_counter()
    await asyncio.gather(
        non_blocking_fetch("http://api.example.com/data1"),
        non_blocking_fetch("http://api.example.com/data2")
    )
    end_time = time.perf_counter()
    print(f"Non-blocking total time: {end_time - start_time:.2f} seconds\n")

def run_blocking():
    start_time = time.perf_counter()
    blocking_fetch("http://api.example.com/data1")
    blocking_fetch("http://api.example.com/data2")
    end_time = time.perf_counter()
    print(f"Blocking total time: {end_time - start_time:.2f} seconds\n")

async def main():
    print("--- Demonstrating Non-blocking I/O ---")
    await run_non_blocking()

    print("--- Demonstrating Blocking I/O (within an async context, still blocks) ---")
    # Even if called from async main, a synchronous blocking function blocks everything
    run_blocking()

if __name__ == "__main__":
    asyncio.run(main())
