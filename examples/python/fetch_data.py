# fetch_data.py — the crash course's example, as CPython runs it:
# Key Concepts, 1. Coroutines.
# examples/expected/fetch_data.txt is what this program prints.
import asyncio

async def fetch_data(delay_seconds: int, item: str):
    """Simulates an I/O-bound operation like fetching data."""
    print(f"Start fetching {item}...")
    await asyncio.sleep(delay_seconds) # Yields control to the event loop
    print(f"Finished fetching {item}!")
    return f"Data for {item}"

async def main():
    print("Main started")
    # Calling fetch_data() returns coroutine objects
    coroutine1 = fetch_data(2, "user_profile")
    coroutine2 = fetch_data(1, "product_catalog")

    # To run them concurrently, we need to create tasks
    # or use asyncio.gather (which internally creates tasks)
    results = await asyncio.gather(coroutine1, coroutine2)
    print(f"Results: {results}")
    print("Main finished")

if __name__ == "__main__":
    asyncio.run(main())
