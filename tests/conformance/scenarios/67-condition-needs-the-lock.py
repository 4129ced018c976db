"""67 wait(), notify() and notify_all() without the lock raise
RuntimeError; wait_for() whose predicate is already true returns at once,
lock or not

(asyncio docs: Condition.wait, Condition.notify; test_locks.py
ConditionTests.test_wait_unacquired, test_notify_unacquired,
test_notify_all_unacquired, test_wait_for_unacquired)."""
import asyncio
from harness import run, trace, describe


async def main():
    cond = asyncio.Condition()
    try:
        await cond.wait()
    except RuntimeError as e:
        trace(f'wait: {describe(e)}')
    try:
        cond.notify()
    except RuntimeError as e:
        trace(f'notify: {describe(e)}')
    try:
        cond.notify_all()
    except RuntimeError as e:
        trace(f'notify_all: {describe(e)}')
    r = await cond.wait_for(lambda: 3)
    trace(f'wait_for(true) returned {r}, locked={int(cond.locked())}')
    try:
        await cond.wait_for(lambda: 0)
    except RuntimeError as e:
        trace(f'wait_for(false): {describe(e)}')

run(main())
