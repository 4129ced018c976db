"""125 an eager task that finishes in its first step is done at creation

With eager start (3.12's eager_task_factory), create_task runs the first
step at once; a coroutine that returns without suspending leaves the task
done before create_task returns, and awaiting it does not suspend. Its
done-callbacks are still scheduled through the loop, never run inline
(asyncio docs, asyncio.eager_task_factory; test_eager_task_factory.py
test_eager_completion; gh-97696 added eager tasks)."""
import asyncio
from harness import run, say


async def quick():
    say('E: runs')
    return 5


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(getattr(asyncio, 'eager_task_factory', None))
    t = asyncio.create_task(quick())
    say(f'main: created, done={int(t.done())}')
    t.add_done_callback(lambda _: say('E: callback'))
    say(f'main: awaited {await t}')
    await asyncio.sleep(0)
    say('main: after sleep(0)')

run(main())
