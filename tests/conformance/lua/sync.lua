-- sync.lua — the Lua ports of scenarios 57-98: Lock, Event, Condition,
-- Semaphore, Barrier and the queues.
--
-- Each scenario ports ../scenarios/NN-name.py line by line: a coroutine is
-- a function run as a task, `async with x:` is x:with(fn), `try: ...
-- except Cls as e:` is C.catch("Cls", body, handler) (C.on_cancel when the
-- handler re-raises). Python's falsy predicate value is Lua's false.
return function(C)
  local ac = C.ac
  local S, trace, int, describe = C.scenario, C.trace, C.int, C.describe
  local catch, on_cancel, task, join = C.catch, C.on_cancel, C.task, C.join
  local await = ac.await

  ---------------------------------------------------------------------------
  -- Lock
  ---------------------------------------------------------------------------

  S("57-lock-release-unlocked", function()
    local lock = ac.Lock()
    catch("RuntimeError", function() lock:release() end,
      function(e) trace("fresh lock: " .. describe(e)) end)
    lock:acquire()
    trace("acquired: locked=" .. int(lock:locked()))
    lock:release()
    trace("released: locked=" .. int(lock:locked()))
    catch("RuntimeError", function() lock:release() end,
      function(e) trace("released again: " .. describe(e)) end)
  end)

  S("58-lock-locked-until-waiter-runs", function()
    local lock = ac.Lock()
    local function waiter()
      trace("W wants")
      lock:acquire()
      trace("W holds: locked=" .. int(lock:locked()))
      ac.sleep(1)
      trace("W releases")
      lock:release()
    end
    lock:acquire()
    local w = task(waiter)
    ac.sleep(1)
    lock:release()
    trace("main released: locked=" .. int(lock:locked()))
    lock:acquire()
    trace("main holds again: locked=" .. int(lock:locked()))
    lock:release()
    await(w)
  end)

  S("59-lock-woken-waiter-cancelled", function()
    local lock = ac.Lock()
    local function holder(name)
      trace(name .. " wants")
      on_cancel(function() lock:acquire() end, function() trace(name .. ": cancelled") end)
      trace(name .. " holds")
      ac.sleep(1)
      trace(name .. " releases")
      lock:release()
    end
    lock:acquire()
    local a = task(holder, "A")
    local b = task(holder, "B")
    ac.sleep(1)
    lock:release() -- wakes A ...
    a:cancel()     -- ... which is cancelled before it runs
    catch("CancelledError", function() await(a) end, function() trace("main: A ended cancelled") end)
    await(b)
    trace("main: locked=" .. int(lock:locked()))
  end)

  S("60-ready-operations-do-not-suspend", function()
    local t = task(function() trace("other task runs") end)
    local lock = ac.Lock()
    lock:acquire()
    trace("lock acquired")
    local sem = ac.Semaphore(1)
    sem:acquire()
    trace("semaphore acquired")
    local ev = ac.Event()
    ev:set()
    ev:wait()
    trace("event waited")
    local q = ac.Queue(1)
    q:put(5)
    trace("put 5")
    local v = q:get()
    trace("got " .. tostring(v))
    q:task_done()
    q:join()
    trace("joined")
    local cond = ac.Condition()
    cond:acquire()
    local r = cond:wait_for(function() return 7 end)
    trace("wait_for returned " .. tostring(r))
    cond:release()
    local b = ac.Barrier(1)
    local i = b:wait()
    trace("barrier passed: index=" .. tostring(i))
    await(t)
  end)

  ---------------------------------------------------------------------------
  -- Event
  ---------------------------------------------------------------------------

  S("61-event-clear-before-waiter-runs", function()
    local ev = ac.Event()
    local function waiter(name)
      trace(name .. " waits")
      ev:wait()
      trace(name .. " woke: is_set=" .. int(ev:is_set()))
    end
    local a = task(waiter, "A")
    ac.sleep(1)
    ev:set()
    ev:clear()
    trace("main: set then clear, is_set=" .. int(ev:is_set()))
    local b = task(waiter, "B")
    await(a)
    ac.sleep(1)
    ev:set()
    ev:set()
    trace("main: set twice, is_set=" .. int(ev:is_set()))
    await(b)
  end)

  S("62-event-wait-after-set-passes", function()
    local ev = ac.Event()
    local function waiter(name)
      trace(name .. " waits")
      ev:wait()
      trace(name .. " passed")
    end
    local a = task(waiter, "A")
    local b = task(waiter, "B")
    ac.sleep(1)
    local c = task(waiter, "C")
    ev:set()
    trace("main: set")
    await(a)
    await(b)
    await(c)
  end)

  S("63-event-woken-waiter-cancelled", function()
    local ev = ac.Event()
    local function waiter(name)
      on_cancel(function() ev:wait() end, function() trace(name .. ": cancelled") end)
      trace(name .. " passed")
    end
    local a = task(waiter, "A")
    local b = task(waiter, "B")
    ac.sleep(1)
    ev:set()
    a:cancel()
    catch("CancelledError", function() await(a) end, function() trace("main: A ended cancelled") end)
    await(b)
    trace("main: is_set=" .. int(ev:is_set()))
  end)

  ---------------------------------------------------------------------------
  -- Condition
  ---------------------------------------------------------------------------

  S("64-condition-notify-n", function()
    local cond = ac.Condition()
    local function waiter(name)
      cond:with(function()
        trace(name .. " waits")
        cond:wait()
        trace(name .. " woke: locked=" .. int(cond:locked()))
      end)
    end
    local tasks = { task(waiter, "A"), task(waiter, "B"), task(waiter, "C") }
    ac.sleep(1)
    cond:with(function()
      cond:notify(1)
      trace("main: notify(1)")
      ac.sleep(1)
      trace("main: releases")
    end)
    ac.sleep(1)
    cond:with(function()
      cond:notify(5)
      trace("main: notify(5)")
    end)
    for _, t in ipairs(tasks) do await(t) end
    trace("main: locked=" .. int(cond:locked()))
  end)

  S("65-condition-notify-all", function()
    local cond = ac.Condition()
    local function waiter(name)
      cond:with(function()
        trace(name .. " waits")
        cond:wait()
        trace(name .. " woke")
      end)
    end
    local a = task(waiter, "A")
    local b = task(waiter, "B")
    ac.sleep(1)
    local c
    cond:with(function()
      cond:notify_all()
      trace("main: notify_all")
      c = task(waiter, "C")
    end)
    await(a)
    await(b)
    ac.sleep(1)
    cond:with(function()
      cond:notify_all()
      trace("main: notify_all again")
    end)
    await(c)
  end)

  S("66-condition-wait-for", function()
    local items = {}
    local function two_items()
      trace("predicate: " .. #items .. " items")
      return #items >= 2 and #items or false
    end
    local cond = ac.Condition()
    local c = task(function()
      cond:with(function()
        local n = cond:wait_for(two_items)
        trace("consumer: wait_for returned " .. tostring(n) .. ", locked=" .. int(cond:locked()))
      end)
    end)
    for i = 0, 1 do
      ac.sleep(1)
      cond:with(function()
        items[#items + 1] = i
        cond:notify()
        trace("main: added item " .. i)
      end)
    end
    await(c)
  end)

  S("67-condition-needs-the-lock", function()
    local cond = ac.Condition()
    catch("RuntimeError", function() cond:wait() end,
      function(e) trace("wait: " .. describe(e)) end)
    catch("RuntimeError", function() cond:notify() end,
      function(e) trace("notify: " .. describe(e)) end)
    catch("RuntimeError", function() cond:notify_all() end,
      function(e) trace("notify_all: " .. describe(e)) end)
    local r = cond:wait_for(function() return 3 end)
    trace("wait_for(true) returned " .. tostring(r) .. ", locked=" .. int(cond:locked()))
    catch("RuntimeError", function() cond:wait_for(function() return false end) end,
      function(e) trace("wait_for(false): " .. describe(e)) end)
  end)

  S("68-condition-cancelled-waiter-reacquires", function()
    local cond = ac.Condition()
    local w = task(function()
      cond:with(function()
        trace("W waits")
        on_cancel(function() cond:wait() end,
          function() trace("W cancelled: locked=" .. int(cond:locked())) end)
      end)
    end)
    ac.sleep(1)
    cond:acquire()
    trace("main holds the lock; cancels W")
    w:cancel()
    ac.sleep(1)
    trace("main releases")
    cond:release()
    catch("CancelledError", function() await(w) end, function() trace("main: W ended cancelled") end)
    trace("main: locked=" .. int(cond:locked()))
  end)

  S("69-condition-notified-then-cancelled", function()
    local cond = ac.Condition()
    local function waiter(name)
      cond:with(function()
        trace(name .. " waits")
        on_cancel(function() cond:wait() end, function() trace(name .. ": cancelled") end)
        trace(name .. " notified")
      end)
    end
    local a = task(waiter, "A")
    local b = task(waiter, "B")
    ac.sleep(1)
    cond:with(function()
      cond:notify(1)
      a:cancel()
      trace("main: notify(1), cancel A")
    end)
    ac.sleep(1)
    trace("main: B done=" .. int(b:done()))
    if not b:done() then
      cond:with(function() cond:notify_all() end)
    end
    catch("CancelledError", function() await(a) end, function() trace("main: A ended cancelled") end)
    await(b)
  end)

  S("70-condition-shared-lock", function()
    local lock = ac.Lock()
    local cond = ac.Condition(lock)
    lock:acquire()
    trace("lock held: cond.locked=" .. int(cond:locked()))
    lock:release()
    cond:with(function()
      trace("cond held: lock.locked=" .. int(lock:locked()))
    end)
    local w = task(function()
      cond:with(function()
        trace("W waits")
        cond:wait()
        trace("W notified")
      end)
    end)
    ac.sleep(1)
    trace("W waiting: lock.locked=" .. int(lock:locked()))
    lock:with(function()
      cond:notify()
      trace("main: notify under the lock")
    end)
    await(w)
    trace("main: lock.locked=" .. int(lock:locked()))
  end)

  ---------------------------------------------------------------------------
  -- Semaphore
  ---------------------------------------------------------------------------

  S("71-semaphore-value-errors", function()
    catch("ValueError", function() ac.Semaphore(-1) end,
      function(e) trace("Semaphore(-1): " .. describe(e)) end)
    local sem = ac.BoundedSemaphore(2)
    sem:acquire()
    sem:release()
    trace("acquired and released: locked=" .. int(sem:locked()))
    catch("ValueError", function() sem:release() end,
      function(e) trace("extra release: " .. describe(e)) end)
    sem:acquire()
    trace("one taken: locked=" .. int(sem:locked()))
    sem:acquire()
    trace("two taken: locked=" .. int(sem:locked()))
  end)

  S("72-semaphore-reacquire-queues-behind", function()
    local sem = ac.Semaphore(1)
    local function repeat_()
      sem:acquire()
      trace("A holds")
      ac.sleep(1)
      sem:release()
      trace("A released: locked=" .. int(sem:locked()))
      sem:acquire()
      trace("A holds again")
      ac.sleep(1)
      sem:release()
    end
    local function once(name)
      sem:acquire()
      trace(name .. " holds")
      ac.sleep(1)
      sem:release()
    end
    local tasks = { task(repeat_), task(once, "B"), task(once, "C") }
    for _, t in ipairs(tasks) do await(t) end
    trace("main: locked=" .. int(sem:locked()))
  end)

  S("73-semaphore-locked-while-woken-waiters", function()
    local sem = ac.Semaphore(0)
    local function late() trace("D runs") end
    local function first()
      sem:acquire()
      trace("A acquired")
      task(late)
    end
    local function releaser()
      sem:release()
      sem:release()
      sem:release()
      trace("R released three: locked=" .. int(sem:locked()))
      sem:acquire()
      trace("R acquired")
    end
    local function newcomer()
      sem:acquire()
      trace("B acquired")
    end
    task(first)
    ac.sleep(1)
    task(releaser)
    task(newcomer)
    ac.sleep(1)
    trace("main: locked=" .. int(sem:locked()))
  end)

  local function sem_worker(sem, name)
    on_cancel(function() sem:acquire() end, function() trace(name .. ": cancelled") end)
    trace(name .. " acquired")
  end

  S("74-semaphore-woken-waiter-cancelled", function()
    local sem = ac.Semaphore(0)
    local a = task(sem_worker, sem, "A")
    local b = task(sem_worker, sem, "B")
    ac.sleep(1)
    sem:release() -- wakes A ...
    a:cancel()    -- ... which is cancelled before it runs
    catch("CancelledError", function() await(a) end, function() trace("main: A ended cancelled") end)
    await(b)
    trace("main: locked=" .. int(sem:locked()))
    sem:release()
    trace("main: released, locked=" .. int(sem:locked()))
  end)

  S("75-semaphore-cancelled-waiters-skipped", function()
    local sem = ac.Semaphore(0)
    local tasks = {}
    for _, n in ipairs({ "A", "B", "C", "D" }) do tasks[#tasks + 1] = task(sem_worker, sem, n) end
    ac.sleep(1)
    tasks[1]:cancel()
    tasks[2]:cancel()
    sem:release()
    ac.sleep(1)
    trace("main: C done=" .. int(tasks[3]:done()) .. " D done=" .. int(tasks[4]:done()))
    sem:release()
    for _, t in ipairs(tasks) do C.await_quiet(t) end
    trace("main: locked=" .. int(sem:locked()))
  end)

  S("76-semaphore-two-releases-first-two-waiters", function()
    local sem = ac.Semaphore(0)
    local function worker(name)
      trace(name .. " wants")
      sem:acquire()
      trace(name .. " acquired")
    end
    local a = task(worker, "A")
    local b = task(worker, "B")
    ac.sleep(1)
    sem:release()
    local x = task(worker, "X")
    sem:release()
    await(a)
    await(b)
    ac.sleep(1)
    trace("main: X done=" .. int(x:done()))
    sem:release()
    await(x)
  end)

  ---------------------------------------------------------------------------
  -- Barrier
  ---------------------------------------------------------------------------

  S("77-barrier-indexes", function()
    local b = ac.Barrier(3)
    local function party(name, delay)
      ac.sleep(delay)
      trace(name .. " arrives: n_waiting=" .. b:n_waiting())
      local i = b:wait()
      trace(name .. " passed: index=" .. tostring(i))
    end
    local tasks = { task(party, "A", 2), task(party, "B", 1), task(party, "C", 3) }
    for _, t in ipairs(tasks) do await(t) end
    trace("main: parties=" .. b:parties() .. " n_waiting=" .. b:n_waiting() ..
      " broken=" .. int(b:broken()))
    local one = ac.Barrier(1)
    local i = one:wait()
    local j = one:wait()
    trace("main: Barrier(1) passed twice: index=" .. tostring(i) .. ", " .. tostring(j))
  end)

  S("78-barrier-draining", function()
    local b = ac.Barrier(2)
    local function party(name)
      trace(name .. " arrives: n_waiting=" .. b:n_waiting())
      local i = b:wait()
      trace(name .. " passed: index=" .. tostring(i))
    end
    local tasks = {}
    for _, n in ipairs({ "A", "B", "C", "D" }) do tasks[#tasks + 1] = task(party, n) end
    for _, t in ipairs(tasks) do await(t) end
    trace("main: n_waiting=" .. b:n_waiting() .. " broken=" .. int(b:broken()))
  end)

  S("79-barrier-cancelled-waiter", function()
    local b = ac.Barrier(3)
    local function party(name, delay)
      ac.sleep(delay)
      local i = on_cancel(function() return b:wait() end, function() trace(name .. ": cancelled") end)
      trace(name .. " passed: index=" .. tostring(i))
    end
    local a = task(party, "A", 0)
    local x = task(party, "X", 1)
    ac.sleep(2)
    trace("main: n_waiting=" .. b:n_waiting() .. ", cancels X")
    x:cancel()
    C.await_quiet(x)
    trace("main: n_waiting=" .. b:n_waiting())
    local c = task(party, "C", 1)
    local d = task(party, "D", 2)
    for _, t in ipairs({ a, c, d }) do await(t) end
    trace("main: n_waiting=" .. b:n_waiting() .. " broken=" .. int(b:broken()))
  end)

  S("80-barrier-abort", function()
    local b = ac.Barrier(3)
    local function party(name)
      catch("BrokenBarrierError", function() b:wait() end,
        function(e) trace(name .. ": " .. describe(e)) end)
    end
    local a = task(party, "A")
    local c = task(party, "B")
    ac.sleep(1)
    b:abort()
    trace("main: aborted, broken=" .. int(b:broken()) .. " n_waiting=" .. b:n_waiting())
    await(a)
    await(c)
    catch("BrokenBarrierError", function() b:wait() end,
      function(e) trace("main: later wait: " .. describe(e)) end)
  end)

  S("81-barrier-reset", function()
    local b = ac.Barrier(3)
    local function party(name, delay)
      ac.sleep(delay)
      local ok, i = pcall(b.wait, b)
      if not ok then
        if not ac.is(i, "BrokenBarrierError") then error(i, 0) end
        trace(name .. ": " .. describe(i))
        return
      end
      trace(name .. " passed: index=" .. tostring(i))
    end
    local first = { task(party, "A", 0), task(party, "B", 0) }
    ac.sleep(1)
    b:reset()
    trace("main: reset")
    for _, t in ipairs(first) do await(t) end
    trace("main: broken=" .. int(b:broken()) .. " n_waiting=" .. b:n_waiting())
    local again = { task(party, "X", 1), task(party, "Y", 2), task(party, "Z", 3) }
    for _, t in ipairs(again) do await(t) end
  end)

  S("82-barrier-parties-error", function()
    for _, n in ipairs({ 0, -4 }) do
      catch("ValueError", function() ac.Barrier(n) end,
        function(e) trace("Barrier(" .. n .. "): " .. describe(e)) end)
    end
    trace("Barrier(1): parties=" .. ac.Barrier(1):parties())
  end)

  S("83-barrier-released-party-cancelled", function()
    local b = ac.Barrier(2)
    local function party(name)
      local i = on_cancel(function() return b:wait() end, function() trace(name .. ": cancelled") end)
      trace(name .. " passed: index=" .. tostring(i))
    end
    local a = task(party, "A")
    ac.sleep(1)
    local i = b:wait()
    trace("main passed: index=" .. tostring(i) .. "; cancels A")
    a:cancel()
    catch("CancelledError", function() await(a) end, function() trace("main: A ended cancelled") end)
    trace("main: broken=" .. int(b:broken()) .. " n_waiting=" .. b:n_waiting())
    local c = task(party, "C")
    ac.sleep(1)
    i = b:wait()
    trace("main passed again: index=" .. tostring(i))
    await(c)
  end)

  ---------------------------------------------------------------------------
  -- Queues
  ---------------------------------------------------------------------------

  S("84-queue-woken-put-cancelled", function()
    local q = ac.Queue(1)
    local function putter(name, item)
      on_cancel(function() q:put(item) end,
        function() trace(name .. ": cancelled, qsize=" .. q:qsize()) end)
      trace(name .. ": put " .. item .. ", qsize=" .. q:qsize())
    end
    q:put_nowait("x")
    local p1 = task(putter, "P1", "a")
    local p2 = task(putter, "P2", "b")
    ac.sleep(1)
    trace("main: got " .. q:get_nowait()) -- frees the slot: P1 is woken ...
    p1:cancel()                            -- ... and cancelled before it runs
    ac.sleep(1)
    trace("main: P1 cancelled=" .. int(p1:cancelled()) .. " P2 done=" .. int(p2:done()) ..
      ", qsize=" .. q:qsize())
    task(putter, "P1 again", "a")
    ac.sleep(1)
    trace("main: got " .. q:get_nowait())
    ac.sleep(1)
    trace("main: got " .. q:get_nowait() .. ", qsize=" .. q:qsize())
  end)

  local function getter(q, name, report_qsize)
    local v = on_cancel(function() return q:get() end, function()
      if report_qsize then
        trace(name .. ": cancelled, qsize=" .. q:qsize())
      else
        trace(name .. ": cancelled")
      end
    end)
    trace(name .. ": got " .. tostring(v))
  end

  S("85-queue-woken-get-cancelled-keeps-order", function()
    local q = ac.Queue()
    local g = task(getter, q, "G", true)
    ac.sleep(1)
    q:put_nowait(1) -- wakes G ...
    q:put_nowait(2)
    g:cancel()      -- ... which is cancelled before it runs
    catch("CancelledError", function() await(g) end, function() trace("main: G ended cancelled") end)
    await(task(getter, q, "G2", true))
    await(task(getter, q, "G3", true))
    trace("main: qsize=" .. q:qsize())
  end)

  S("86-queue-woken-get-not-reserved", function()
    local q = ac.Queue()
    local g = task(function()
      local v = q:get()
      trace("G: got " .. tostring(v))
    end)
    ac.sleep(1)
    q:put_nowait(1)
    catch("QueueEmpty", function() trace("main: get_nowait -> " .. tostring((q:get_nowait()))) end,
      function() trace("main: get_nowait -> QueueEmpty") end)
    ac.sleep(1)
    trace("main: G done=" .. int(g:done()) .. ", qsize=" .. q:qsize())
    q:put_nowait(2)
    await(g)
  end)

  S("87-queue-woken-put-not-reserved", function()
    local q = ac.Queue(1)
    q:put_nowait("x")
    local p = task(function()
      q:put("p")
      trace("P: put p, qsize=" .. q:qsize())
    end)
    ac.sleep(1)
    trace("main: got " .. q:get_nowait())
    catch("QueueFull", function()
      q:put_nowait("m")
      trace("main: put_nowait m done")
    end, function() trace("main: put_nowait m -> QueueFull") end)
    ac.sleep(1)
    trace("main: P done=" .. int(p:done()) .. ", got " .. q:get_nowait())
    await(p)
    trace("main: got " .. q:get_nowait())
  end)

  S("88-queue-maxsize-not-positive", function()
    for _, size in ipairs({ 0, -1 }) do
      local q = ac.Queue(size)
      for i = 0, 4 do q:put(i) end
      q:put_nowait(5)
      trace("Queue(" .. size .. "): maxsize=" .. q:maxsize() .. " qsize=" .. q:qsize() ..
        " full=" .. int(q:full()))
    end
  end)

  S("89-queue-errors", function()
    local q = ac.Queue(1)
    catch("QueueEmpty", function() q:get_nowait() end,
      function(e) trace("get_nowait on empty: " .. describe(e)) end)
    q:put_nowait(1)
    catch("QueueFull", function() q:put_nowait(2) end,
      function(e) trace("put_nowait on full: " .. describe(e) .. ", qsize=" .. q:qsize()) end)
    trace("got " .. tostring((q:get_nowait())))
    q:task_done()
    catch("ValueError", function() q:task_done() end,
      function(e) trace("task_done again: " .. describe(e)) end)
    q:join()
    trace("joined")
  end)

  S("90-queue-shutdown-drains", function()
    local q = ac.Queue(1)
    q:put_nowait("a")
    local p = task(function()
      catch("QueueShutDown", function() q:put("b") end, function(e) trace("P: " .. describe(e)) end)
    end)
    local j = task(function()
      q:join()
      trace("J: joined")
    end)
    ac.sleep(1)
    q:shutdown()
    trace("main: shut down, qsize=" .. q:qsize())
    await(p)
    trace("main: got " .. tostring(q:get()))
    catch("QueueShutDown", function() q:get() end, function(e) trace("main: get: " .. describe(e)) end)
    catch("QueueShutDown", function() q:get_nowait() end,
      function(e) trace("main: get_nowait: " .. describe(e)) end)
    catch("QueueShutDown", function() q:put_nowait("c") end,
      function(e) trace("main: put_nowait: " .. describe(e)) end)
    ac.sleep(1)
    trace("main: J done=" .. int(j:done()))
    q:task_done()
    await(j)
  end)

  S("91-queue-shutdown-immediate", function()
    local q = ac.Queue()
    for _, item in ipairs({ "a", "b", "c" }) do q:put_nowait(item) end
    trace("main: got " .. tostring(q:get()))
    local j = task(function()
      q:join()
      trace("J: joined")
    end)
    ac.sleep(1)
    q:shutdown(true)
    trace("main: shut down now, qsize=" .. q:qsize())
    catch("QueueShutDown", function() q:get() end, function(e) trace("main: get: " .. describe(e)) end)
    catch("QueueShutDown", function() q:put("d") end, function(e) trace("main: put: " .. describe(e)) end)
    ac.sleep(1)
    trace("main: J done=" .. int(j:done()))
    q:task_done()
    await(j)
    q:join()
    trace("main: joined after shutdown")
    catch("ValueError", function() q:task_done() end,
      function(e) trace("main: task_done: " .. describe(e)) end)
  end)

  S("92-lifo-queue-order", function()
    local q = ac.LifoQueue()
    local g = task(function()
      local v = q:get()
      trace("G: got " .. tostring(v))
    end)
    ac.sleep(1)
    for _, i in ipairs({ 1, 3, 2 }) do q:put(i) end
    await(g)
    local items = {}
    for k = 1, 2 do items[k] = tostring(q:get()) end
    trace("main: got " .. join(items))
    for _, i in ipairs({ 4, 5, 6 }) do q:put_nowait(i) end
    items = {}
    for k = 1, 3 do items[k] = tostring((q:get_nowait())) end
    trace("main: got " .. join(items))
  end)

  S("93-queue-join-waits-for-every-item", function()
    local q = ac.Queue()
    local function joiner(name)
      q:join()
      trace(name .. ": joined")
    end
    q:join()
    trace("main: join on a fresh queue returned")
    q:put_nowait(1)
    q:put_nowait(2)
    local j1 = task(joiner, "J1")
    local j2 = task(joiner, "J2")
    q:get_nowait()
    q:get_nowait()
    ac.sleep(1)
    q:task_done()
    trace("main: one task_done")
    ac.sleep(1)
    q:task_done()
    trace("main: second task_done")
    await(j1)
    await(j2)
  end)

  S("94-queue-put-cancelled-while-waiting", function()
    local q = ac.Queue(1)
    local function putter(name, item)
      on_cancel(function() q:put(item) end, function() trace(name .. ": cancelled") end)
      trace(name .. ": put " .. item)
    end
    local tasks = { task(putter, "A", "a"), task(putter, "B", "b"), task(putter, "C", "c"),
                    task(putter, "D", "d") }
    ac.sleep(1)
    tasks[3]:cancel()
    ac.sleep(1)
    local got = {}
    while #got < 3 do got[#got + 1] = q:get() end
    trace("main: got " .. join(got) .. ", qsize=" .. q:qsize())
    for _, t in ipairs(tasks) do C.await_quiet(t) end
  end)

  S("95-queue-getters-served-in-order", function()
    local q = ac.Queue()
    local tasks = {}
    for _, n in ipairs({ "G1", "G2", "G3", "G4" }) do tasks[#tasks + 1] = task(getter, q, n, false) end
    ac.sleep(1)
    tasks[2]:cancel()
    ac.sleep(1)
    for _, i in ipairs({ 10, 20, 30 }) do q:put_nowait(i) end
    for _, t in ipairs(tasks) do C.await_quiet(t) end
    trace("main: qsize=" .. q:qsize())
  end)

  S("96-priority-queue-blocked-put", function()
    -- A (priority, name) item is put(name, priority).
    local q = ac.PriorityQueue(2)
    q:put("five", 5)
    q:put("three", 3)
    local p = task(function()
      q:put("one", 1)
      trace("put one (priority 1), qsize=" .. q:qsize())
    end)
    ac.sleep(1)
    trace("main: full=" .. int(q:full()))
    local name = q:get()
    trace("main: got " .. tostring(name))
    await(p)
    local got = {}
    while not q:empty() do got[#got + 1] = tostring((q:get_nowait())) end
    trace("main: got " .. join(got))
  end)

  S("97-queue-shutdown-wakes-waiters", function()
    local empty = ac.Queue()
    local full = ac.Queue(1)
    full:put_nowait("x")
    local g = task(function()
      catch("QueueShutDown", function()
        local v = empty:get()
        trace("G: got " .. tostring(v))
      end, function(e) trace("G: " .. describe(e)) end)
    end)
    local p = task(function()
      catch("QueueShutDown", function()
        full:put("y")
        trace("P: put y")
      end, function(e) trace("P: " .. describe(e) .. ", qsize=" .. full:qsize()) end)
    end)
    ac.sleep(1)
    empty:shutdown(true)
    full:shutdown(true)
    trace("main: shut down, qsize=" .. full:qsize())
    await(g)
    await(p)
    full:join()
    trace("main: joined")
  end)

  S("98-acquire-timeout-leaves-no-trace", function()
    local lock = ac.Lock()
    local q = ac.Queue()
    lock:acquire()
    local w = task(function()
      catch("TimeoutError", function()
        ac.wait_for(function() lock:acquire() end, 1)
        trace("W: acquired")
      end, function() trace("W: timed out, locked=" .. int(lock:locked())) end)
    end)
    local g = task(function()
      catch("TimeoutError", function()
        local v = ac.wait_for(function() return q:get() end, 1)
        trace("G: got " .. tostring(v))
      end, function() trace("G: timed out, qsize=" .. q:qsize()) end)
    end)
    ac.sleep(2)
    lock:release()
    q:put_nowait(7)
    trace("main: released, locked=" .. int(lock:locked()) .. "; put 7, qsize=" .. q:qsize())
    await(w)
    await(g)
  end)

end
