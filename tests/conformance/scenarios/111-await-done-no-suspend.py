"""111 awaiting a future or task that is already done does not suspend

await on a done future or a done task returns its result at once: the
awaiting task keeps running, and tasks that are ready meanwhile do not
run in between; only a real suspension (here sleep(0)) lets them run
(asyncio docs, "Awaitables"; futures.py Future.__await__ yields only
while the future is pending)."""
import asyncio
from harness import run, say


async def quick():
    return 'quick result'


async def bystander():
    say('B: runs')


async def main():
    loop = asyncio.get_running_loop()
    q = asyncio.create_task(quick())
    say(f'main: awaited pending task: {await q}')
    b = asyncio.create_task(bystander())
    f = loop.create_future()
    f.set_result(11)
    say(f'main: done future: {await f}')
    say(f'main: done task: {await q}')
    say(f'main: done task again: {await q}')
    await asyncio.sleep(0)
    say('main: after sleep(0)')
    await b

run(main())
