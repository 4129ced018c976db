-- conformance.lua — the Lua implementation of the conformance scenarios,
-- through the Lua binding (Lua 5.4 and LuaJIT).
--
--   lua conformance.lua NAME     runs scenario NAME on the virtual clock and
--                                prints its trace on stdout
--   lua conformance.lua --list   prints the names it implements
--
-- The expected traces are ../scenarios/NAME.trace. asyncio's rule that an
-- operation whose result is ready does not suspend holds in the binding
-- (a done future, a free lock or permit, a queued item, the last party of
-- a barrier).
--
-- The program is split by area: this file has 01-56 and the program;
-- sync.lua (57-98), tasks.lua (100-131) and structured.lua (140-179) add
-- theirs through the table common.lua makes (loaded from this file's
-- folder). The work of 42-45 on other threads is C (conformance_threads).
local dir = (arg and arg[0] or ""):match("^(.*)[/\\]") or "."
local C = dofile(dir .. "/common.lua")
local ac = require "asyncore"
local core = ac.core

local function trace(line) io.write(line, "\n") end

local function ms()
  return math.floor(ac.get_event_loop():time() * 1000 + 0.5)
end

-- A line that carries the loop time.
local function trace_t(line) trace(string.format("t=%d %s", ms(), line)) end

local function bool(b) return b and "1" or "0" end

-- The name ac_err_name gives an error object's code.
local function code_name(e)
  if type(e) == "table" and type(e.code) == "number" then return core.err_name(e.code) end
  return tostring(e)
end

local function fail(code, message)
  error(ac.Error(message, code), 0)
end

-- Runs body(); when it raises CancelledError, handler(e) runs and the
-- error is raised again (try/except cancelled: ...; raise).
local function on_cancel(body, handler)
  local ok, e = pcall(body)
  if not ok then
    if ac.is_error(e, ac.CancelledError) then handler(e) end
    error(e, 0)
  end
  return e
end

-- The workers several scenarios share (25-41).
local function worker(name, delay, value)
  ac.sleep(delay)
  trace_t(name .. ": done")
  return value
end

local function failing(delay, code)
  ac.sleep(delay)
  fail(code or core.ECONNRESET)
end

local function sleeper(name)
  on_cancel(function() ac.sleep(10) end, function() trace_t(name .. ": cancelled") end)
end

local function task(fn, ...) return ac.create_task(fn, ...) end

-- A function gather/wait turn into a task: fn(...).
local function call(fn, ...)
  local args = table.pack and table.pack(...) or { n = select("#", ...), ... }
  local unpack = table.unpack or unpack
  return function() return fn(unpack(args, 1, args.n)) end
end

-- asyncio.run(main()) on the virtual clock; main's values.
local function run(main)
  return ac.run({ virtual_clock = true }, main)
end

-- name -> the function that runs the scenario.
local S, order = C.S, C.order
local scenario_run = C.scenario_run
local function scenario(name, main)
  scenario_run(name, function() run(main) end)
end

---------------------------------------------------------------------------
-- 01-24 foundation
---------------------------------------------------------------------------

scenario("01-call-soon-fifo", function()
  local loop = ac.get_running_loop()
  loop:call_soon(function()
    trace("A")
    loop:call_soon(function() trace("D") end)
  end)
  loop:call_soon(function() trace("B") end)
  loop:call_soon(function() trace("C") end)
  ac.sleep(1)
  trace_t("main: done")
end)

scenario("02-call-later-order", function()
  local loop = ac.get_running_loop()
  loop:call_later(0.2, function() trace_t("late") end)
  loop:call_later(0.1, function() trace_t("first") end)
  loop:call_later(0.1, function() trace_t("second") end)
  ac.sleep(1)
  trace_t("main: done")
end)

scenario("03-done-callbacks-never-inline", function()
  local f = ac.Future()
  f:add_done_callback(function(g) trace("cb1: result=" .. tostring(g:result())) end)
  f:set_result(7)
  trace("main: set_result returned")
  f:add_done_callback(function(g) trace("cb2: result=" .. tostring(g:result())) end)
  trace("main: add after done returned")
  ac.sleep(0)
  trace("main: resumed")
end)

local function sleepy(name, delay)
  ac.sleep(delay)
  trace_t(name .. ": woke")
end

scenario("04-tasks-run-concurrently", function()
  local a = task(sleepy, "A", 2)
  local b = task(sleepy, "B", 1)
  ac.await(a)
  ac.await(b)
  trace_t("main: done")
end)

scenario("05-await-in-sequence", function()
  sleepy("A", 2)
  sleepy("B", 1)
  trace_t("main: done")
end)

scenario("06-task-result-shared", function()
  local p = task(function() ac.sleep(1); return 42 end)
  local function waiter(name)
    local r = ac.await(p)
    trace_t(name .. ": got " .. tostring(r))
  end
  local w1, w2 = task(waiter, "W1"), task(waiter, "W2")
  ac.await(w1)
  ac.await(w2)
  trace("main: cancel after done -> " .. bool(p:cancel()))
end)

scenario("07-task-error-propagates", function()
  local t = task(function()
    ac.sleep(1)
    fail(core.ECONNRESET, "peer reset")
  end)
  local ok, e = pcall(ac.await, t)
  if not ok then trace_t("main: caught " .. code_name(e) .. ": " .. e.message) end
end)

scenario("08-cancel-before-start", function()
  local t = task(function() trace("T: started") end)
  trace("main: cancel -> " .. bool(t:cancel()))
  local ok, e = pcall(ac.await, t)
  if not ok and ac.is_error(e, ac.CancelledError) then trace("main: T cancelled") end
end)

scenario("09-cancel-at-await", function()
  local t = task(function()
    trace("T: sleeping")
    local ok, e = pcall(ac.sleep, 10)
    if not ok and ac.is_error(e, ac.CancelledError) then trace_t("T: cancelled (" .. e.message .. ")") end
    trace_t("T: cleanup")
    if not ok then error(e, 0) end
  end)
  ac.sleep(1)
  t:cancel("stop")
  local ok, e = pcall(ac.await, t)
  if not ok and ac.is_error(e, ac.CancelledError) then
    trace_t("main: T cancelled (" .. e.message .. "), cancelled=" .. bool(t:cancelled()))
  end
end)

scenario("10-cancel-swallowed", function()
  local t = task(function()
    local ok, e = pcall(ac.sleep, 10)
    if not ok and ac.is_error(e, ac.CancelledError) then trace_t("T: swallowed") end
    ac.sleep(1)
    return 5
  end)
  ac.sleep(1)
  t:cancel()
  local r = ac.await(t)
  trace_t("main: T returned " .. tostring(r) .. ", cancelling=" .. t:cancelling())
end)

scenario("11-uncancel-withdraws", function()
  local t = task(function()
    ac.sleep(1)
    trace_t("T: ran to the end")
    return 1
  end)
  t:cancel()
  trace("main: cancelling=" .. t:cancelling())
  trace("main: uncancel -> " .. t:uncancel())
  local r = ac.await(t)
  trace_t("main: T returned " .. tostring(r))
end)

scenario("12-cancel-propagates-to-awaited", function()
  local i = task(function()
    on_cancel(function() ac.sleep(10) end, function() trace_t("inner: cancelled") end)
  end)
  local o = task(function()
    on_cancel(function() ac.await(i) end, function() trace_t("outer: cancelled") end)
  end)
  ac.sleep(1)
  o:cancel()
  local ok, e = pcall(ac.await, o)
  if not ok and ac.is_error(e, ac.CancelledError) then
    trace_t("main: outer cancelled, inner cancelled=" .. bool(i:cancelled()))
  end
end)

scenario("13-finish-with-pending-cancel", function()
  local t = task(function()
    ac.current_task():cancel()
    trace("T: cancel requested")
    return 3
  end)
  local ok, e = pcall(ac.await, t)
  if not ok and ac.is_error(e, ac.CancelledError) then trace("main: T cancelled=" .. bool(t:cancelled())) end
end)

scenario("14-cancel-self-then-await", function()
  local t = task(function()
    ac.current_task():cancel()
    on_cancel(function() ac.sleep(5) end, function() trace("T: cancelled at its await") end)
  end)
  local ok, e = pcall(ac.await, t)
  if not ok and ac.is_error(e, ac.CancelledError) then trace("main: T cancelled") end
end)

scenario("15-yield-round-robin", function()
  local function spinner(name)
    for i = 0, 2 do
      trace(name .. " " .. i)
      ac.sleep(0)
    end
  end
  local a, b = task(spinner, "A"), task(spinner, "B")
  ac.await(a)
  ac.await(b)
end)

scenario("16-eager-task", function()
  local e = ac.create_task { function()
    trace("E: first step")
    ac.sleep(1)
    trace_t("E: done")
  end, eager = true }
  trace("main: after create")
  ac.await(e)
end)

local K -- the context variable of 17 and 18

scenario("17-context-flows-down", function()
  K = ac.ContextVar("K")
  local function child(name)
    trace(name .. " sees " .. tostring(K:get("none")))
    K:set(name)
  end
  K:set("main")
  local c1 = task(child, "C1")
  K:set("main2")
  local c2 = task(child, "C2")
  ac.await(c1)
  ac.await(c2)
  trace("main sees " .. K:get())
end)

scenario("18-callback-context", function()
  K = ac.ContextVar("K")
  local loop = ac.get_running_loop()
  K:set("one")
  loop:call_soon(function() trace("cb1 sees " .. K:get()) end)
  K:set("two")
  loop:call_soon(function() trace("cb2 sees " .. K:get()) end)
  ac.sleep(0)
end)

-- Its last line comes after run has returned.
scenario_run("19-run-cancels-leftovers", function()
  local r = run(function()
    task(function()
      on_cancel(function() ac.sleep(100) end, function() trace_t("L: cancelled") end)
    end)
    ac.sleep(1)
    return 7
  end)
  trace("run returned " .. tostring(r))
end)

scenario("20-unretrieved-error-reported", function()
  local loop = ac.get_running_loop()
  loop:set_exception_handler(function(_, ctx)
    trace_t("handler: " .. core.err_name(ctx.code))
  end)
  task(failing, 1) -- the handle is dropped at once
  -- A Lua handle is released by the garbage collector: collect once the
  -- task has failed, where C drops its last reference.
  ac.sleep(1)
  ac.sleep(0)
  collectgarbage("collect")
  collectgarbage("collect")
  ac.sleep(1)
  trace_t("main: done")
end)

scenario("21-virtual-clock", function()
  trace_t("start")
  ac.sleep(1.5)
  trace_t("after 1.5")
  ac.sleep(0.25)
  trace_t("after 0.25")
end)

scenario("22-future-cancel-wakes-awaiter", function()
  local f = ac.Future()
  local w = task(function()
    on_cancel(function() ac.await(f) end, function(e) trace_t("W: cancelled (" .. e.message .. ")") end)
  end)
  ac.sleep(1)
  f:cancel("bye")
  local ok, e = pcall(ac.await, w)
  if not ok and ac.is_error(e, ac.CancelledError) then trace_t("main: W cancelled=" .. bool(w:cancelled())) end
end)

scenario("23-task-name", function()
  local t = task(function() trace("T: my name is " .. ac.current_task():get_name()) end)
  t:set_name("worker-1")
  ac.await(t)
end)

scenario("24-timer-cancel", function()
  local loop = ac.get_running_loop()
  local h = loop:call_later(1, function() trace_t("dropped") end)
  loop:call_later(1, function() trace_t("kept") end)
  trace("main: cancel -> " .. bool(h:cancel()))
  ac.sleep(2)
  trace_t("main: done")
end)

---------------------------------------------------------------------------
-- 25-41 structured concurrency
---------------------------------------------------------------------------

scenario("25-gather-results-in-order", function()
  local r0, r1, r2 = ac.gather(call(worker, "A", 3, 30), call(worker, "B", 1, 10), call(worker, "C", 2, 20))
  trace_t(string.format("main: results=[%s, %s, %s]", tostring(r0), tostring(r1), tostring(r2)))
end)

scenario("26-gather-first-error", function()
  local b = task(worker, "B", 2, 2)
  local ok, e = pcall(ac.gather, call(failing, 1), b)
  if not ok then trace_t("main: gather failed with " .. code_name(e)) end
  local r = ac.await(b)
  trace_t("main: B returned " .. tostring(r))
end)

scenario("27-gather-return-exceptions", function()
  local r0, r1 = ac.gather { call(failing, 1), call(worker, "B", 2, 2), return_exceptions = true }
  trace_t(string.format("main: results=[%s, %s]", code_name(r0), tostring(r1)))
end)

scenario("28-gather-cancel-cancels-children", function()
  local w = task(function() ac.gather(call(sleeper, "A"), call(sleeper, "B")) end)
  ac.sleep(1)
  w:cancel()
  local ok, e = pcall(ac.await, w)
  if not ok and ac.is_error(e, ac.CancelledError) then trace_t("main: waiter cancelled") end
end)

local function names(list)
  local n = {}
  for i, t in ipairs(list) do n[i] = t:get_name() end
  return table.concat(n, ", ")
end

local function named(name, delay, value)
  return ac.create_task { worker, name, delay, value, name = name }
end

scenario("29-wait-first-completed", function()
  local a, b, c = named("A", 2, 0), named("B", 1, 0), named("C", 3, 0)
  local done, pending = ac.wait({ a, b, c }, { return_when = ac.FIRST_COMPLETED })
  trace_t("main: done=[" .. names(done) .. "] pending=[" .. names(pending) .. "]")
end)

scenario("30-wait-timeout", function()
  local a, b, c = named("A", 2, 0), named("B", 1, 0), named("C", 3, 0)
  local done, pending = ac.wait({ a, b, c }, { return_when = ac.ALL_COMPLETED, timeout = 1.5 })
  trace_t("main: done=[" .. names(done) .. "] pending=[" .. names(pending) .. "]")
  ac.await(a)
  trace_t("main: A still finished")
end)

scenario("31-as-completed-order", function()
  local a, b, c = task(worker, "A", 3, 30), task(worker, "B", 1, 10), task(worker, "C", 2, 20)
  for f in ac.as_completed({ a, b, c }) do
    local r = ac.await(f)
    trace_t("main: next=" .. tostring(r))
  end
end)

scenario("32-wait-for-timeout-cleanup", function()
  local function long()
    local ok, e = pcall(function()
      for i = 1, 5 do
        ac.sleep(1)
        trace_t("T: " .. i)
      end
    end)
    if not ok and ac.is_error(e, ac.CancelledError) then trace_t("T: cancelled") end
    trace_t("T: cleanup")
    if not ok then error(e, 0) end
  end
  local ok, e = pcall(ac.wait_for, long, 2.5)
  if not ok and ac.is_error(e, ac.TimeoutError) then trace_t("main: timed out") end
end)

scenario("33-wait-for-in-time", function()
  local r = ac.wait_for(call(worker, "A", 1, 5), 2)
  trace_t("main: got " .. tostring(r))
end)

scenario("34-timeout-scope-expires", function()
  local ok, e = pcall(ac.timeout, 1.5, function() ac.sleep(10) end)
  if not ok and ac.is_error(e, ac.TimeoutError) then trace_t("main: timed out") end
  trace("main: cancelling=" .. ac.current_task():cancelling())
end)

scenario("35-timeout-scopes-nested", function()
  local ok, e = pcall(ac.timeout, 1, function()
    local iok, ie = pcall(ac.timeout, 5, function() ac.sleep(10) end)
    if not iok then
      if ac.is_error(ie, ac.TimeoutError) then
        trace_t("inner: timed out")
      elseif ac.is_error(ie, ac.CancelledError) then
        trace_t("inner: cancelled")
        error(ie, 0)
      end
    end
  end)
  if not ok and ac.is_error(e, ac.TimeoutError) then trace_t("outer: timed out") end
end)

scenario("36-shield", function()
  local w = task(function()
    ac.sleep(3)
    trace_t("work: done")
    return 9
  end)
  local s = task(function() ac.await(ac.shield(w)) end)
  ac.sleep(1)
  s:cancel()
  local ok, e = pcall(ac.await, s)
  if not ok and ac.is_error(e, ac.CancelledError) then trace_t("main: shielded waiter cancelled") end
  local r = ac.await(w)
  trace_t("main: work returned " .. tostring(r))
end)

scenario("37-taskgroup-waits-for-all", function()
  ac.task_group(function(tg)
    tg:create_task(worker, "A", 2, 0)
    tg:create_task(worker, "B", 1, 0)
  end)
  trace_t("main: group done")
end)

local function codes(group)
  local list = {}
  for i, child in ipairs(group.exceptions) do list[i] = code_name(child) end
  return table.concat(list, ", ")
end

scenario("38-taskgroup-failure-cancels-the-rest", function()
  local ok, e = pcall(ac.task_group, function(tg)
    tg:create_task(sleeper, "B")
    tg:create_task(failing, 1)
    on_cancel(function() ac.sleep(100) end, function() trace_t("body: cancelled") end)
  end)
  if not ok and ac.is_error(e, ac.ExceptionGroup) then trace_t("main: " .. e.message .. ": " .. codes(e)) end
end)

scenario("39-taskgroup-aggregates-errors", function()
  local ok, e = pcall(ac.task_group, function(tg)
    tg:create_task(failing, 1, core.ECONNRESET)
    tg:create_task(failing, 1, core.EPIPE)
  end)
  if not ok and ac.is_error(e, ac.ExceptionGroup) then
    trace_t("main: " .. #e.exceptions .. " errors: " .. codes(e))
  end
end)

scenario("40-taskgroup-body-error", function()
  local ok, e = pcall(ac.task_group, function(tg)
    tg:create_task(sleeper, "B")
    ac.sleep(1)
    fail(core.EINVAL)
  end)
  if not ok and ac.is_error(e, ac.ExceptionGroup) then
    trace_t("main: " .. #e.exceptions .. " errors: " .. codes(e))
  end
end)

scenario("41-taskgroup-parent-cancelled", function()
  local p = task(function()
    ac.task_group(function(tg)
      tg:create_task(sleeper, "A")
      tg:create_task(sleeper, "B")
    end)
  end)
  ac.sleep(1)
  p:cancel()
  local ok, e = pcall(ac.await, p)
  if not ok and ac.is_error(e, ac.CancelledError) then trace_t("main: parent cancelled") end
end)

---------------------------------------------------------------------------
-- 42-45 threads: the work on other threads is C (conformance_threads)
---------------------------------------------------------------------------

local threads_ok, threads = pcall(require, "conformance_threads")
if threads_ok then
  scenario("42-to-thread-result", function()
    local r = ac.to_thread(threads.work_42, nil)
    trace("main: got " .. tostring(r))
  end)

  scenario("43-to-thread-error", function()
    local ok, e = pcall(ac.to_thread, threads.work_epipe, nil)
    if not ok then trace("main: caught " .. code_name(e)) end
  end)

  scenario("44-threadsafe-future", function()
    local f = ac.TsFuture()
    local thread = threads.complete_later(f:ptr(), 7)
    local r = f:await()
    trace("main: got " .. tostring(r))
    threads.join(thread)
  end)

  -- The thread is C: it schedules the Lua callback with
  -- asyncore_lua_call_soon_threadsafe on the target the loop made for it
  -- (loop:threadsafe_callback), as asyncio's thread calls
  -- loop.call_soon_threadsafe(callback).
  scenario("45-call-soon-threadsafe", function()
    local loop = ac.get_running_loop()
    local loop_thread = threads.thread_id()
    local done = loop:create_future()
    local target = loop:threadsafe_callback(function()
      trace("callback: on the loop thread=" .. bool(threads.thread_id() == loop_thread))
      done:set_result()
    end)
    local th = threads.call_soon_threadsafe_from_thread(target:ptr())
    ac.await(done)
    trace("main: done")
    threads.join(th)
    target:close()
  end)
end

---------------------------------------------------------------------------
-- 46-56 primitives and queues
---------------------------------------------------------------------------

scenario("46-lock-fifo", function()
  local lock = ac.Lock()
  local function holder(name)
    trace_t(name .. " wants")
    lock:acquire()
    trace_t(name .. " holds")
    ac.sleep(1)
    trace_t(name .. " releases")
    lock:release()
  end
  ac.gather(call(holder, "A"), call(holder, "B"), call(holder, "C"))
end)

scenario("47-lock-cancelled-waiter", function()
  local lock = ac.Lock()
  local function holder(name)
    trace_t(name .. " wants")
    on_cancel(function()
      lock:acquire()
      trace_t(name .. " holds")
      ac.sleep(1)
      trace_t(name .. " releases")
      lock:release()
    end, function() trace_t(name .. ": cancelled") end)
  end
  lock:acquire()
  local w, n = task(holder, "W"), task(holder, "N")
  ac.sleep(1)
  w:cancel()
  lock:release()
  ac.gather { w, n, return_exceptions = true }
  trace_t("main: locked=" .. bool(lock:locked()))
end)

scenario("48-semaphore-bound", function()
  local sem = ac.Semaphore(2)
  local inside, most = 0, 0
  local function worker_in(i)
    sem:acquire()
    inside = inside + 1
    if inside > most then most = inside end
    trace_t("W" .. i .. " in (inside=" .. inside .. ")")
    ac.sleep(1)
    inside = inside - 1
    trace_t("W" .. i .. " out")
    sem:release()
  end
  ac.gather(call(worker_in, 0), call(worker_in, 1), call(worker_in, 2), call(worker_in, 3))
  trace_t("main: max inside=" .. most)
end)

scenario("49-event-wakes-all", function()
  local ev = ac.Event()
  local function waiter(name)
    if not ev:is_set() then ev:wait() end
    trace_t(name .. " woke")
  end
  local a, b = task(waiter, "A"), task(waiter, "B")
  ac.sleep(2)
  ev:set()
  ac.await(a)
  ac.await(b)
  trace_t("main: is_set=" .. bool(ev:is_set()))
end)

scenario("50-condition-notify", function()
  local lock = ac.Lock()
  local cond = ac.Condition(lock)
  local function waiter(name)
    lock:acquire()
    cond:wait()
    trace_t(name .. " notified")
    cond:release()
  end
  local w1, w2 = task(waiter, "W1"), task(waiter, "W2")
  ac.sleep(1)
  lock:acquire()
  cond:notify(1)
  cond:release()
  ac.sleep(1)
  lock:acquire()
  cond:notify_all()
  cond:release()
  ac.await(w1)
  ac.await(w2)
end)

scenario("51-queue-fifo-and-join", function()
  local q = ac.Queue()
  q:put_nowait(1)
  q:put_nowait(2)
  q:put_nowait(3)
  task(function()
    for _ = 1, 3 do
      local v = q:get()
      trace_t("got " .. tostring(v))
      ac.sleep(1)
      q:task_done()
    end
  end)
  q:join()
  trace_t("main: joined")
end)

scenario("52-queue-bounded-put-waits", function()
  local q = ac.Queue(1)
  ac.gather(function()
    for i = 0, 2 do
      q:put(i)
      trace_t("put " .. i)
    end
  end, function()
    ac.sleep(1)
    for _ = 1, 3 do
      local v = q:get()
      trace_t("got " .. tostring(v))
      ac.sleep(1)
    end
  end)
end)

scenario("53-queue-cancelled-get-loses-nothing", function()
  local q = ac.Queue()
  local function getter(name)
    on_cancel(function()
      local v = q:get()
      trace_t(name .. ": got " .. tostring(v))
    end, function() trace_t(name .. ": cancelled") end)
  end
  local g1, g2 = task(getter, "G1"), task(getter, "G2")
  ac.sleep(1)
  q:put_nowait(42)
  g1:cancel()
  ac.gather { g1, g2, return_exceptions = true }
end)

scenario("54-queue-shutdown", function()
  local q = ac.Queue()
  local g = task(function()
    local ok, e = pcall(q.get, q)
    if not ok and ac.is_error(e, ac.QueueShutDown) then trace_t("G: shut down") end
  end)
  ac.sleep(1)
  q:shutdown()
  ac.await(g)
  local ok, e = pcall(q.put, q, 1)
  if not ok and ac.is_error(e, ac.QueueShutDown) then trace_t("main: put refused " .. code_name(e)) end
end)

scenario("55-priority-queue", function()
  local q = ac.PriorityQueue()
  q:put_nowait("five", 5)
  q:put_nowait("one", 1)
  q:put_nowait("five again", 5)
  for _ = 1, 3 do trace_t("got " .. tostring(q:get())) end
end)

scenario("56-barrier", function()
  local barrier = ac.Barrier(3)
  local function party(name, delay)
    ac.sleep(delay)
    local i = barrier:wait()
    trace_t(name .. " passed index=" .. tostring(i))
  end
  ac.gather(call(party, "A", 2), call(party, "B", 1), call(party, "C", 3))
end)

---------------------------------------------------------------------------
-- The other areas
---------------------------------------------------------------------------

for _, file in ipairs({ "sync.lua", "tasks.lua", "structured.lua" }) do
  dofile(dir .. "/" .. file)(C)
end

---------------------------------------------------------------------------
-- The program
---------------------------------------------------------------------------

local name = arg and arg[1]
if arg == nil or #arg ~= 1 then
  io.stderr:write("usage: conformance.lua NAME | --list\n")
  os.exit(2)
end
if name == "--list" then
  table.sort(order)
  for _, n in ipairs(order) do print(n) end
  os.exit(0)
end
local runner = S[name]
if runner == nil then
  io.stderr:write("unknown scenario " .. name .. "\n")
  os.exit(2)
end
local ok, e = pcall(runner)
if not ok then
  trace("main failed: " .. code_name(e))
  os.exit(1)
end
os.exit(0)
