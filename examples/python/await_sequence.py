# await_sequence.py — the async/await evolution guide's example, as CPython runs it:
# 3.2.1 Pausing for Awaitables.
# examples/expected/await_sequence.txt is what this program prints.
import asyncio

async def greet(name, delay):
    await asyncio.sleep(delay)
    print(f"Hello, {name} after {delay} seconds")

async def main_await():
    print("Starting main_await")
    await greet("Alice", 2) # This will block main_await for 2 seconds
    await greet("Bob", 1)  # This will block main_await for 1 second after Alice finishes
    print("Finished main_await")

if __name__ == "__main__":
    asyncio.run(main_await())
