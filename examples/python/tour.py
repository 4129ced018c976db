# tour.py — the async/await evolution guide's example, as CPython runs it:
# 3.2.2 Running Tasks Concurrently.
# examples/expected/tour.txt is what this program prints.
import asyncio

async def greet_concurrent(name, delay):
    await asyncio.sleep(delay)
    print(f"Hello, {name} after {delay} seconds")

async def main_concurrent():
    print("Starting main_concurrent")
    task1 = asyncio.create_task(greet_concurrent("Alice", 2))
    task2 = asyncio.create_task(greet_concurrent("Bob", 1))

    # Await the tasks to ensure they complete
    await task1
    await task2
    print("Finished main_concurrent")

if __name__ == "__main__":
    asyncio.run(main_concurrent())
