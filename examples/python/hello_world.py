# hello_world.py — the async/await evolution guide's example, as CPython runs it:
# 3.1.2 Running the Event Loop.
# examples/expected/hello_world.txt is what this program prints.
import asyncio

async def main():
    print("Hello")
    await asyncio.sleep(0.1)
    print("World")

if __name__ == "__main__":
    asyncio.run(main())
