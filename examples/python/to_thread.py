# to_thread.py — the async/await evolution guide's example, as CPython runs it:
# 3.4.1 Offloading Blocking I/O or CPU-bound Tasks.
# examples/expected/to_thread.txt is what this program prints.
import asyncio
import time

def blocking_function(duration):
    print(f"  Blocking function started for {duration}s")
    time.sleep(duration) # This is a blocking call
    print(f"  Blocking function finished after {duration}s")
    return f"Blocking result after {duration}s"

async def main_to_thread():
    print("Main: Starting non-blocking operations")
    task1 = asyncio.create_task(asyncio.sleep(0.5)) # Non-blocking async operation

    print("Main: Offloading blocking_function to a thread")
    # Run blocking_function in a separate thread
    blocking_result = await asyncio.to_thread(blocking_function, 2)

    await task1 # Wait for the non-blocking task
    print(f"Main: Non-blocking task finished.")
    print(f"Main: Received blocking result: {blocking_result}")
    print("Main: Finished")

if __name__ == "__main__":
    asyncio.run(main_to_thread())
