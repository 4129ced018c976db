"""116 run() cancels leftovers; one failing on cancel is reported

When main returns, asyncio.run cancels the tasks still pending and runs
the loop until they finish. A leftover that raises another error while
being cancelled is reported to the exception handler with the message
'unhandled exception during asyncio.run() shutdown' and the context keys
'message', 'exception', 'task' (runners.py _cancel_all_tasks;
test_runners.py test_asyncio_run_reports_hanging_tasks_errors)."""
import asyncio
from harness import run, say, trace, describe


def handler(loop, context):
    say(f"handler: {context['message']}; keys={', '.join(sorted(context))}; "
        f"error={describe(context['exception'])}")


async def leftover():
    try:
        await asyncio.sleep(100)
    except asyncio.CancelledError:
        trace('L: cancelled, cleanup fails')
        raise ValueError('cleanup failed')


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    asyncio.create_task(leftover())
    await asyncio.sleep(1)
    trace('main: returns')
    return 7

run(main())
