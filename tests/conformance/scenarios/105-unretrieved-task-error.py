"""105 a task that fails with nobody awaiting it is reported

A task whose error nobody retrieves is reported to the loop's exception
handler once it is released, with the message 'Task exception was never
retrieved' and the task under the 'future' key; a failed task that was
awaited is not reported (asyncio docs, "Detect never-retrieved
exceptions"; the rule of test_futures.py
test_future_exception_never_retrieved, for a task)."""
import asyncio
from harness import run, trace, code


def handler(loop, context):
    trace(f"handler: {context['message']}; keys={', '.join(sorted(context))}; "
          f"error={code(context['exception'])}")


async def fail(delay):
    await asyncio.sleep(delay)
    raise ConnectionResetError(104, 'peer reset')


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    awaited = asyncio.create_task(fail(1))
    asyncio.create_task(fail(2))
    try:
        await awaited
    except ConnectionResetError as e:
        trace(f'main: caught {code(e)}')
    awaited = None
    await asyncio.sleep(5)
    trace('main: done')

run(main())
