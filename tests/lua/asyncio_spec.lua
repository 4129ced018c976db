-- asyncio's rules as the binding raises and reports them: the exception
-- class and message of each condition, cancel messages, awaiting done
-- futures, a closed loop, done-callbacks, run()'s shutdown, what the
-- exception handler's context holds, and scheduling Lua from other
-- threads. Every expectation is what CPython's asyncio does.
local ac = require "asyncore"
local H = require "helper"

-- The error `fn(...)` raises.
local function raised(fn, ...)
  local ok, e = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  return e
end

local function keys(t)
  local list = {}
  for k in pairs(t) do list[#list + 1] = k end
  table.sort(list)
  return table.concat(list, ", ")
end

describe("an error of the library", function()
  it("is an object of asyncio's class, with class, message, code and 'Class: message'", function()
    H.run(function()
      local lock = ac.Lock()
      local e = raised(lock.release, lock)
      assert.are.equal("RuntimeError", e.class)
      assert.are.equal("Lock is not acquired.", e.message)
      assert.are.equal(ac.core.EMISUSE, e.code)
      assert.are.equal("AC_EMISUSE", e.errname)
      assert.are.equal("RuntimeError: Lock is not acquired.", tostring(e))
      assert.is_true(ac.is(e, "RuntimeError"))
      assert.is_true(ac.is(e, ac.RuntimeError))
      assert.is_true(ac.is(e, "Exception"))
      assert.is_false(ac.is(e, "ValueError"))
    end)
  end)

  it("follows asyncio's hierarchy", function()
    local reset = ac.Error("peer reset", ac.core.ECONNRESET)
    assert.are.equal("ConnectionResetError", reset.class)
    assert.are.equal("ConnectionResetError: peer reset", tostring(reset))
    assert.is_true(ac.is(reset, "ConnectionError"))
    assert.is_true(ac.is(reset, "OSError"))
    assert.is_true(ac.is(reset, ac.OSError))
    assert.is_true(ac.is(ac.TimeoutError(), "OSError"))
    assert.is_true(ac.is(ac.Error("", ac.core.EBROKEN), "RuntimeError"))
    -- A cancellation is not an Exception (BaseException only).
    assert.is_false(ac.is(ac.CancelledError(), "Exception"))
    assert.is_true(ac.is(ac.CancelledError(), ac.Error))
    assert.are.equal("CancelledError", tostring(ac.CancelledError()))
    assert.are.equal("ValueError: bad", tostring(ac.ValueError("bad")))
  end)

  it("is RuntimeError for misuse, with asyncio's words", function()
    H.run(function()
      local cond = ac.Condition()
      assert.are.equal("RuntimeError: cannot wait on un-acquired lock", tostring(raised(cond.wait, cond)))
      assert.are.equal("RuntimeError: cannot notify on un-acquired lock", tostring(raised(cond.notify, cond)))
      assert.are.equal("RuntimeError: cannot notify on un-acquired lock",
        tostring(raised(cond.notify_all, cond)))
      local scope = ac.timeout(5)
      assert.are.equal("RuntimeError: Timeout has not been entered",
        tostring(raised(scope.reschedule, scope, 1)))
      scope:run(function()
        assert.are.equal("RuntimeError: Timeout has already been entered",
          tostring(raised(scope.run, scope, function() end)))
      end)
      local self_await = raised(ac.await, ac.current_task())
      assert.are.equal("RuntimeError", self_await.class)
      assert.is_truthy(self_await.message:match("^Task cannot await on itself"))
      local loop = ac.get_running_loop()
      assert.are.equal("RuntimeError: This event loop is already running",
        tostring(raised(loop.run_until_complete, loop, loop:create_future())))
      assert.are.equal("RuntimeError: asyncio.run() cannot be called from a running event loop",
        tostring(raised(ac.run, function() end)))
      local other = ac.new_loop()
      assert.are.equal("RuntimeError: Cannot run the event loop while another loop is running",
        tostring(raised(other.run_until_complete, other, other:create_future())))
      other:close()
    end)
  end)

  it("is ValueError for bad values", function()
    H.run(function()
      assert.are.equal("ValueError: Semaphore initial value must be >= 0", tostring(raised(ac.Semaphore, -1)))
      assert.are.equal("ValueError: parties must be >= 1", tostring(raised(ac.Barrier, 0)))
      local sem = ac.BoundedSemaphore(1)
      assert.are.equal("ValueError: BoundedSemaphore released too many times", tostring(raised(sem.release, sem)))
      local q = ac.Queue()
      assert.are.equal("ValueError: task_done() called too many times", tostring(raised(q.task_done, q)))
    end)
  end)

  it("is InvalidStateError for a future done or not ready", function()
    H.run(function()
      local f = ac.Future()
      assert.are.equal("InvalidStateError: Result is not set.", tostring(raised(f.result, f)))
      assert.are.equal("InvalidStateError: Exception is not set.", tostring(raised(f.exception, f)))
      f:set_result(1)
      assert.are.equal("InvalidStateError: invalid state", tostring(raised(f.set_result, f, 2)))
      assert.are.equal("InvalidStateError", raised(f.set_exception, f, ac.ValueError("x")).class)
    end)
  end)

  it("of the queues and barriers carries asyncio's class and no message", function()
    H.run(function()
      local q = ac.Queue(1)
      assert.are.equal("QueueEmpty", tostring(raised(q.get_nowait, q)))
      q:put_nowait(1)
      assert.are.equal("QueueFull", tostring(raised(q.put_nowait, q, 2)))
      q:shutdown()
      assert.are.equal("QueueShutDown", tostring(raised(q.put_nowait, q, 2)))
      local b = ac.Barrier(2)
      b:abort()
      assert.are.equal("BrokenBarrierError: Barrier aborted", tostring(raised(b.wait, b)))
    end)
  end)

  it("is TimeoutError with an empty message, whose cause is the CancelledError", function()
    H.run(function()
      local e = raised(ac.timeout, 1, function() ac.sleep(5) end)
      assert.are.equal("TimeoutError", e.class)
      assert.are.equal("", e.message)
      assert.are.equal("TimeoutError", tostring(e))
      assert.are.equal("CancelledError", e.cause.class)
      e = raised(ac.wait_for, function() ac.sleep(5) end, 1)
      assert.are.equal("TimeoutError", tostring(e))
      assert.are.equal("CancelledError", e.cause.class)
      e = raised(ac.wait_for, function() ac.sleep(5) end, 0)
      assert.are.equal("TimeoutError", tostring(e))
      assert.are.equal("CancelledError", e.cause.class)
    end)
  end)

  it("of a group is an ExceptionGroup of its children's errors", function()
    H.run(function()
      local e = raised(ac.task_group, function(tg)
        tg:create_task(function() error(ac.ValueError("child failed")) end)
      end)
      assert.are.equal("ExceptionGroup", e.class)
      assert.are.equal("ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)", tostring(e))
      assert.are.equal("ValueError: child failed", tostring(e.exceptions[1]))
    end)
  end)
end)

describe("cancel", function()
  it("without a message gives a CancelledError with none; a value is kept as it is", function()
    H.run(function()
      for _, case in ipairs({ { nil, "" }, { "stop", "stop" }, { 5, 5 } }) do
        local t = ac.create_task(function() ac.sleep(10) end)
        ac.sleep(0)
        t:cancel(case[1])
        local e = raised(ac.await, t)
        assert.are.equal("CancelledError", e.class)
        assert.are.equal(case[2], e.message)
      end
      local f = ac.Future()
      f:cancel(5)
      assert.are.equal(5, raised(f.result, f).message)
      f = ac.Future()
      f:cancel()
      assert.are.equal("CancelledError", tostring(raised(f.result, f)))
    end)
  end)
end)

describe("awaiting a done future", function()
  it("does not suspend, and a cancellation requested meanwhile waits for the next suspension", function()
    local trace, log = H.trace()
    H.run(function()
      local done = ac.Future()
      done:set_result(7)
      local t = ac.create_task(function()
        ac.current_task():cancel()
        log("done gave", ac.await(done))
        local ok, e = pcall(ac.sleep, 1)
        log("sleep cancelled", not ok and e.class)
        return "survived"
      end)
      ac.create_task(function() log("bystander") end)
      log("T returned", ac.await(t))
    end)
    -- The cancelled sleep wakes T behind the bystander, already ready.
    assert.are.same({ "done gave 7", "bystander", "sleep cancelled CancelledError", "T returned survived" },
      trace)
  end)

  it("of a gather of done children returns at once", function()
    local trace, log = H.trace()
    H.run(function()
      local a = ac.create_task(function() return 1 end)
      local b = ac.create_task(function() return 2 end)
      ac.sleep(0)
      ac.create_task(function() log("bystander") end)
      local g = ac.gather_future(a, b)
      log("done", g:done())
      log("results", ac.await(g))
      ac.sleep(0)
    end)
    assert.are.same({ "done true", "results 1 2", "bystander" }, trace)
  end)
end)

describe("a closed loop", function()
  it("refuses new work with RuntimeError 'Event loop is closed'", function()
    local loop = ac.new_loop()
    local f = loop:create_future()
    loop:close()
    local calls = {
      function() loop:call_soon(print) end,
      function() loop:call_later(1, print) end,
      function() loop:call_at(1, print) end,
      function() loop:create_task(print) end,
      function() loop:create_future() end,
      function() loop:run_until_complete(f) end,
      function() loop:run_forever() end,
      function() loop:stop() end,
      function() loop:step() end,
      function() loop:set_exception_handler(print) end,
      function() loop:threadsafe_callback(print) end,
      function() f:add_done_callback(print) end,
    }
    for i, call in ipairs(calls) do
      local e = raised(call)
      assert.are.equal("RuntimeError: Event loop is closed", tostring(e), "call " .. i)
    end
    loop:close() -- again: nothing
    assert.is_true(loop:is_closed())
  end)

  it("fails the primitives made on it", function()
    local loop = ac.new_loop()
    ac.set_event_loop(loop)
    local lock, q, ev = ac.Lock(), ac.Queue(), ac.Event()
    ac.set_event_loop(nil)
    loop:close()
    for _, call in ipairs({ function() lock:try_acquire() end, function() q:put_nowait(1) end,
                            function() ev:set() end }) do
      assert.are.equal("RuntimeError: Event loop is closed", tostring(raised(call)))
    end
  end)
end)

describe("remove_done_callback", function()
  it("removes every registration of the function and counts them", function()
    local trace, log = H.trace()
    H.run(function()
      local f = ac.Future()
      local function a() log("A") end
      local function b() log("B") end
      for _, cb in ipairs({ a, b, a, b, a }) do f:add_done_callback(cb) end
      log("removed", f:remove_done_callback(a))
      log("again", f:remove_done_callback(a))
      f:set_result()
      log("after done", f:remove_done_callback(b))
      ac.sleep(0)
    end)
    assert.are.same({ "removed 3", "again 0", "after done 0", "B", "B" }, trace)
  end)
end)

describe("run's shutdown", function()
  it("reports a leftover that fails while cancelled, under 'task'", function()
    local seen = {}
    local r = ac.run(function()
      ac.get_running_loop():set_exception_handler(function(_, ctx) seen[#seen + 1] = ctx end)
      ac.create_task(function()
        local ok, e = pcall(ac.sleep, 100)
        assert(not ok and ac.is(e, "CancelledError"))
        error(ac.ValueError("cleanup failed"))
      end)
      ac.sleep(1)
      return 7
    end)
    assert.are.equal(7, r)
    assert.are.equal(1, #seen)
    assert.are.equal("unhandled exception during asyncio.run() shutdown", seen[1].message)
    assert.are.equal("exception, message, task", keys(seen[1]))
    assert.are.equal("ValueError: cleanup failed", tostring(seen[1].exception))
    assert.are.equal("Task", getmetatable(seen[1].task) == ac.Task and "Task" or "?")
  end)
end)

describe("the exception handler's context", function()
  it("names the handle of a callback that raised, and of a done-callback", function()
    local seen = {}
    local h
    H.run(function()
      local loop = ac.get_running_loop()
      loop:set_exception_handler(function(_, ctx) seen[#seen + 1] = ctx end)
      h = loop:call_soon(function() error(ac.ValueError("callback failed")) end)
      local f = ac.Future()
      f:add_done_callback(function() error(ac.ValueError("done-callback failed")) end)
      f:set_result()
      ac.sleep(0)
      seen.f = f
    end)
    assert.are.equal(2, #seen)
    assert.are.equal("exception, handle, message", keys(seen[1]))
    assert.are.equal(h, seen[1].handle)
    assert.are.equal("ValueError: callback failed", tostring(seen[1].exception))
    assert.are.equal("exception, handle, message", keys(seen[2]))
    assert.are.equal(getmetatable(h), getmetatable(seen[2].handle))
    assert.are.equal(seen.f, seen[2].handle._future)
    -- The older names still answer, without being keys.
    assert.are.equal(seen[1].exception, seen[1].error)
    assert.are.equal(ac.core.EINVAL, seen[1].code)
  end)

  it("names the future whose error nobody read", function()
    local seen = {}
    H.run(function()
      local loop = ac.get_running_loop()
      loop:set_exception_handler(function(_, ctx) seen[#seen + 1] = keys(ctx) end)
      local f = ac.Future()
      f:set_exception(ac.Error("pipe closed", ac.core.EPIPE))
      f = nil
      H.full_gc()
      ac.create_task(function() error(ac.ValueError("lost")) end)
      ac.sleep(0)
      H.full_gc()
    end)
    assert.are.same({ "exception, future, message", "exception, future, message" }, seen)
  end)
end)

describe("an exception handler set from Lua", function()
  -- The loop holds its handler; a handler holding its Loop object kept
  -- both alive for ever (one registry anchor and the loop per run).
  -- Live registry anchors (freed slots hold the numbers of the free list).
  local function anchors()
    H.full_gc()
    local n = 0
    for _, v in pairs(debug.getregistry()) do
      if type(v) ~= "number" then n = n + 1 end
    end
    return n
  end

  it("does not keep its loop alive", function()
    local function once()
      ac.run(function() ac.get_running_loop():set_exception_handler(function() end) end)
    end
    for _ = 1, 10 do once() end -- warm-up: caches made once
    local before = anchors()
    for _ = 1, 200 do once() end
    assert.are.equal(before, anchors())
  end)

  it("still receives its loop, also once the Loop object is gone", function()
    local got = {}
    ac.run(function()
      local loop = ac.get_running_loop()
      loop:set_exception_handler(function(l, ctx) got[#got + 1] = { l, ctx.message } end)
      loop:call_exception_handler({ message = "first" })
      assert.are.equal(loop, got[1][1])
    end)
    assert.are.equal("first", got[1][2])
  end)
end)

describe("a threadsafe callback", function()
  it("runs once per call on the loop's thread, and never once closed", function()
    local trace, log = H.trace()
    H.run(function()
      local loop = ac.get_running_loop()
      local n = 0
      local target = loop:threadsafe_callback(function()
        n = n + 1
        log("ran", n)
      end)
      assert.are.equal("userdata", type(target:ptr()))
      assert.are.equal(0, target:call())
      assert.are.equal(0, target:call())
      ac.sleep(0.01)
      assert.are.equal(0, target:call())
      target:close() -- the call made before never runs
      ac.sleep(0.01)
      log("closed")
      assert.has_error(function() target:ptr() end)
    end)
    assert.are.same({ "ran 1", "ran 2", "closed" }, trace)
  end)

  it("frees nothing twice when the loop closes with calls pending", function()
    local loop = ac.new_loop()
    local target = loop:threadsafe_callback(function() error("never") end)
    target:call()
    loop:close()
    target = nil
    H.full_gc()
  end)
end)

describe("wait_for", function()
  it("runs a function in the caller's own task, before any other task", function()
    local trace, log = H.trace()
    H.run(function()
      local me = ac.current_task()
      ac.create_task(function() log("bystander") end)
      log("got", ac.wait_for(function()
        log("in the caller", ac.current_task() == me)
        ac.sleep(1)
        return 5
      end, 2))
    end)
    assert.are.same({ "in the caller true", "bystander", "got 5" }, trace)
  end)

  it("with a timeout of 0 never starts a function and cancels a task", function()
    local trace, log = H.trace()
    H.run(function()
      local e = raised(ac.wait_for, function() log("started") end, 0)
      log(e.class, e.cause.class)
      local t = ac.create_task(function() ac.sleep(5) end)
      ac.sleep(0)
      raised(ac.wait_for, t, -1)
      log("cancelled", t:cancelled())
      ac.sleep(1)
    end)
    assert.are.same({ "TimeoutError CancelledError", "cancelled true" }, trace)
  end)
end)
