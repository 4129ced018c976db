"""113 a task that awaits itself gets RuntimeError

A task awaiting its own Task object would wait forever; asyncio throws
RuntimeError('Task cannot await on itself: <task>') into it at that await
instead, and the task may catch it and go on. The trace prints the message
up to its first colon (the rest is the task's repr) (tasks.py
Task.__step, "cannot await on itself")."""
import asyncio
from harness import run, say, cls, msg


async def body():
    me = asyncio.current_task()
    try:
        await me
    except RuntimeError as e:
        say(f'T: {cls(e)}: {msg(e).split(":")[0]}')
    return 'recovered'


async def main():
    say(f'main: T returned {await asyncio.create_task(body())}')

run(main())
