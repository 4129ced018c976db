"""15 sleep(0) yields to the other ready tasks: two spinners take turns.

asyncio.sleep(0) suspends for one loop iteration so every other ready task
runs before the caller resumes (asyncio docs, asyncio.sleep).
"""
import asyncio
from harness import run, say


async def spinner(name):
    for i in range(3):
        say(f'{name} {i}')
        await asyncio.sleep(0)


async def main():
    a = asyncio.create_task(spinner('A'))
    b = asyncio.create_task(spinner('B'))
    await a
    await b

run(main())
