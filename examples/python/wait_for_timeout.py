# wait_for_timeout.py — the crash course's example, as CPython runs it:
# Key Concepts, 6. Cancellation & Timeouts.
# examples/expected/wait_for_timeout.txt is what this program prints.
import asyncio

async def long_running_task():
    try:
        print("Long-running task: Starting...")
        for i in range(5):
            await asyncio.sleep(1) # This is a cancellation point
            print(f"Long-running task: {i+1} second passed.")
        return "Task completed successfully"
    except asyncio.CancelledError:
        print("Long-running task: Was cancelled!")
        raise # Re-raise to propagate the cancellation
    finally:
        print("Long-running task: Cleanup done.")

async def main_timeout():
    print("Main: Starting task with a timeout...")
    try:
        result = await asyncio.wait_for(long_running_task(), timeout=2.5)
        print(f"Main: Result: {result}")
    except asyncio.TimeoutError:
        print("Main: Task timed out after 2.5 seconds!")
    except asyncio.CancelledError:
        print("Main: Task was explicitly cancelled outside of timeout (e.g., by another task).")
    print("Main: Finished.")

if __name__ == "__main__":
    asyncio.run(main_timeout())
