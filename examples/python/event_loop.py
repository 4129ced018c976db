# event_loop.py — the crash course's example, as CPython runs it:
# Key Concepts, 2. The Event Loop.
# examples/expected/event_loop.txt is what this program prints.
import asyncio

async def task_a():
    print("Task A started")
    await asyncio.sleep(0.5)
    print("Task A finished")

async def task_b():
    print("Task B started")
    await asyncio.sleep(1)
    print("Task B finished")

async def main():
    print("Main routine starting tasks...")
    # The event loop schedules and runs these tasks
    await asyncio.gather(task_a(), task_b())
    print("Main routine all tasks completed.")

if __name__ == "__main__":
    # asyncio.run() is the recommended high-level entry point.
    # It manages the event loop lifecycle: creates it, runs the main coroutine,
    # and closes it.
    asyncio.run(main())
