"""129 current_task and all_tasks

current_task() is the task whose step is running, and None in a plain
callback; all_tasks() holds every task of the loop not yet done, the
running one included (asyncio docs, asyncio.current_task,
asyncio.all_tasks; test_tasks.py test_current_task)."""
import asyncio
from harness import run, trace


def cb():
    trace(f'callback: current is None={int(asyncio.current_task() is None)}')


async def child(delay):
    await asyncio.sleep(delay)
    return asyncio.current_task()


async def main():
    me = asyncio.current_task()
    asyncio.get_running_loop().call_soon(cb)
    a = asyncio.create_task(child(1))
    b = asyncio.create_task(child(2))
    tasks = asyncio.all_tasks()
    trace(f'main: all_tasks={len(tasks)}, main in it={int(me in tasks)}')
    trace(f'main: A saw itself={int((await a) is a)}')
    trace(f'main: all_tasks={len(asyncio.all_tasks())}')
    await b
    trace(f'main: all_tasks={len(asyncio.all_tasks())}, current is main={int(asyncio.current_task() is me)}')

run(main())
