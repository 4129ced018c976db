"""106 cancel() without a message gives an empty CancelledError

A task cancelled with no message sees a CancelledError whose str() is
empty; cancel('msg') gives one whose message is 'msg', also when the task
is cancelled before it starts; whoever awaits the task gets the same
message (asyncio docs, Task.cancel; test_tasks.py
test_cancel_with_message_then_future_result,
test_cancel_with_message_before_starting_task)."""
import asyncio
from harness import run, trace, say, describe


async def body(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        trace(f'{name}: sees {describe(e)} (str empty={int(str(e) == "")})')
        raise


async def never_runs():
    say('never printed')


async def main():
    for name, message in (('T1', None), ('T2', 'stop now')):
        t = asyncio.create_task(body(name))
        await asyncio.sleep(1)
        t.cancel(message)
        try:
            await t
        except asyncio.CancelledError as e:
            trace(f'main: {name} gave {describe(e)}')
    early = asyncio.create_task(never_runs())
    early.cancel('too early')
    try:
        await early
    except asyncio.CancelledError as e:
        trace(f'main: T3 gave {describe(e)}')

run(main())
