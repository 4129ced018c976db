-- tasks.lua — the Lua ports of scenarios 100-131: futures, tasks,
-- cancellation, callbacks, context, the loop and errors; and 180, work on
-- other threads and the virtual clock.
--
-- A Python object dropped (`x = None`) is garbage to Lua: the port drops
-- its reference and collects, where CPython's reference count would free
-- it. The work on other threads (119, 120, 180) is C (conformance_threads), as
-- asyncore.to_thread runs C functions.
return function(C)
  local ac, core = C.ac, C.core
  local S, say, trace, int, describe = C.scenario, C.say, C.trace, C.int, C.describe
  local code, cls, msg = C.code, C.cls, C.msg
  local catch, on_cancel, task = C.catch, C.on_cancel, C.task
  local await = ac.await

  local function collect()
    collectgarbage("collect")
    collectgarbage("collect")
  end

  -- The keys of an exception handler's context, sorted.
  local function keys(ctx)
    local list = {}
    for k in pairs(ctx) do list[#list + 1] = k end
    table.sort(list)
    return C.join(list)
  end

  -- round(seconds * 1000).
  local function ms_of(seconds) return math.floor(seconds * 1000 + 0.5) end

  local function ValueError(m) return ac.ValueError(m) end

  S("100-future-set-when-done", function()
    local loop = ac.get_running_loop()
    local f = loop:create_future()
    f:set_result(1)
    catch("InvalidStateError", function() f:set_result(2) end,
      function(e) say("set_result again: " .. describe(e)) end)
    catch("InvalidStateError", function() f:set_exception(ValueError("late")) end,
      function(e) say("set_exception after result: " .. describe(e)) end)
    say("result still " .. tostring(f:result()))
    local g = loop:create_future()
    g:cancel()
    catch("InvalidStateError", function() g:set_result(3) end,
      function(e) say("set_result after cancel: " .. describe(e)) end)
    say("cancelled=" .. int(g:cancelled()))
  end)

  S("101-future-result-not-ready", function()
    local loop = ac.get_running_loop()
    local f = loop:create_future()
    catch("InvalidStateError", function() f:result() end,
      function(e) say("result() pending: " .. describe(e)) end)
    catch("InvalidStateError", function() f:exception() end,
      function(e) say("exception() pending: " .. describe(e)) end)
    f:set_exception(ValueError("bad value"))
    say("exception() failed: " .. describe(f:exception()))
    catch("ValueError", function() f:result() end,
      function(e) say("result() failed: " .. describe(e)) end)
    local g = loop:create_future()
    g:cancel()
    for _, read in ipairs({ { "result", g.result }, { "exception", g.exception } }) do
      catch("CancelledError", function() read[2](g) end,
        function(e) say(read[1] .. "() cancelled: " .. describe(e)) end)
    end
  end)

  S("102-done-callbacks-order", function()
    local function named(name)
      return function(fut) say(name .. ": result=" .. tostring(fut:result())) end
    end
    local loop = ac.get_running_loop()
    local f = loop:create_future()
    f:add_done_callback(named("cb1"))
    f:add_done_callback(named("cb2"))
    f:set_result(5)
    say("main: set_result returned")
    loop:call_soon(say, "soon: X")
    f:add_done_callback(named("cb3"))
    say("main: cb3 added")
    ac.sleep(0)
    say("main: resumed")
  end)

  S("103-remove-done-callback", function()
    local function cb_a() say("A ran") end
    local function cb_b() say("B ran") end
    local loop = ac.get_running_loop()
    local f = loop:create_future()
    for _, cb in ipairs({ cb_a, cb_b, cb_a, cb_b, cb_a }) do f:add_done_callback(cb) end
    say("remove A -> " .. f:remove_done_callback(cb_a))
    say("remove A again -> " .. f:remove_done_callback(cb_a))
    f:set_result()
    say("remove B after done -> " .. f:remove_done_callback(cb_b))
    ac.sleep(0)
    say("main: done")
  end)

  local function handler_timed(_, ctx)
    trace("handler: " .. ctx.message .. "; keys=" .. keys(ctx) .. "; error=" .. code(ctx.exception))
  end

  S("104-unretrieved-future-error", function()
    local loop = ac.get_running_loop()
    loop:set_exception_handler(handler_timed)
    local read = loop:create_future()
    read:set_exception(ac.Error("peer reset", core.ECONNRESET))
    trace("main: read error=" .. code(read:exception()))
    read = nil
    collect()
    trace("main: dropped the read one")
    local unread = loop:create_future()
    unread:set_exception(ac.Error("pipe closed", core.EPIPE))
    unread = nil
    collect()
    trace("main: dropped the unread one")
  end)

  S("105-unretrieved-task-error", function()
    local function fail(delay)
      ac.sleep(delay)
      error(ac.Error("peer reset", core.ECONNRESET))
    end
    ac.get_running_loop():set_exception_handler(handler_timed)
    local awaited = task(fail, 1)
    task(fail, 2)
    catch("ConnectionResetError", function() await(awaited) end,
      function(e) trace("main: caught " .. code(e)) end)
    awaited = nil
    -- The second task fails at 2 s: its Task object is garbage from then.
    ac.sleep(1)
    collect()
    ac.sleep(4)
    trace("main: done")
  end)

  S("106-cancel-message", function()
    local function body(name)
      on_cancel(function() ac.sleep(10) end, function(e)
        trace(name .. ": sees " .. describe(e) .. " (str empty=" .. int(msg(e) == "") .. ")")
      end)
    end
    for _, case in ipairs({ { "T1" }, { "T2", "stop now" } }) do
      local name, message = case[1], case[2]
      local t = task(body, name)
      ac.sleep(1)
      t:cancel(message)
      catch("CancelledError", function() await(t) end,
        function(e) trace("main: " .. name .. " gave " .. describe(e)) end)
    end
    local early = task(function() say("never printed") end)
    early:cancel("too early")
    catch("CancelledError", function() await(early) end,
      function(e) trace("main: T3 gave " .. describe(e)) end)
  end)

  S("107-cancel-message-chain", function()
    local function inner(name)
      on_cancel(function() ac.sleep(10) end, function(e) trace(name .. ": " .. describe(e)) end)
    end
    local function outer(name, inner_task)
      on_cancel(function() await(inner_task) end, function(e) trace(name .. ": " .. describe(e)) end)
    end
    local function chain(cancel_outer, message)
      local b = task(inner, "B")
      local a = task(outer, "A", b)
      ac.sleep(1)
      if cancel_outer then a:cancel(message) else b:cancel(message) end
      catch("CancelledError", function() await(a) end, function(e)
        trace("main: " .. describe(e) .. "; A cancelled=" .. int(a:cancelled()) ..
          " B cancelled=" .. int(b:cancelled()))
      end)
    end
    chain(true, "from the top")
    chain(false, "from the bottom")
  end)

  S("108-cancel-twice", function()
    local t = task(function()
      on_cancel(function() ac.sleep(10) end, function(e)
        local me = ac.current_task()
        trace("T: " .. describe(e) .. "; cancelling=" .. me:cancelling())
        trace("T: uncancel -> " .. me:uncancel())
      end)
    end)
    ac.sleep(1)
    trace("main: cancel -> " .. int(t:cancel("first")))
    trace("main: cancel -> " .. int(t:cancel("second")))
    trace("main: cancelling=" .. t:cancelling())
    catch("CancelledError", function() await(t) end, function(e) trace("main: " .. describe(e)) end)
    trace("main: cancel done -> " .. int(t:cancel()) .. "; cancelling=" .. t:cancelling())
  end)

  S("109-cancel-swallowed-continues", function()
    local t = task(function()
      local me = ac.current_task()
      catch("CancelledError", function() ac.sleep(10) end,
        function() trace("T: swallowed, cancelling=" .. me:cancelling()) end)
      ac.sleep(2)
      trace("T: slept 2 more")
      trace("T: uncancel -> " .. me:uncancel())
      return "kept going"
    end)
    ac.sleep(1)
    t:cancel()
    local result = await(t)
    trace("main: " .. result .. "; cancelled=" .. int(t:cancelled()) .. " cancelling=" .. t:cancelling())
  end)

  S("110-self-cancel-then-await", function()
    local loop = ac.get_running_loop()
    local done = loop:create_future()
    done:set_result(7)
    local pending = loop:create_future()
    local t = task(function()
      local me = ac.current_task()
      say("T: cancel self -> " .. int(me:cancel()))
      say("T: done future gave " .. tostring(await(done)))
      catch("CancelledError", function() await(pending) end, function()
        say("T: cancelled at the pending await; future cancelled=" .. int(pending:cancelled()))
      end)
      return "survived"
    end)
    say("main: T returned " .. await(t))
  end)

  S("111-await-done-no-suspend", function()
    local loop = ac.get_running_loop()
    local q = task(function() return "quick result" end)
    say("main: awaited pending task: " .. await(q))
    local b = task(function() say("B: runs") end)
    local f = loop:create_future()
    f:set_result(11)
    say("main: done future: " .. await(f))
    say("main: done task: " .. await(q))
    say("main: done task again: " .. await(q))
    ac.sleep(0)
    say("main: after sleep(0)")
    await(b)
  end)

  S("112-sleep-zero-yields", function()
    local loop = ac.get_running_loop()
    loop:call_soon(trace, "cb X")
    ac.sleep(0)
    trace("main: after sleep(0)")
    loop:call_soon(trace, "cb Y")
    ac.sleep(-1)
    trace("main: after sleep(-1)")
    ac.sleep(0.5)
    trace("main: after sleep(0.5)")
  end)

  S("113-task-awaits-itself", function()
    local t = task(function()
      local me = ac.current_task()
      catch("RuntimeError", function() await(me) end,
        function(e) say("T: " .. cls(e) .. ": " .. msg(e):match("^[^:]*")) end)
      return "recovered"
    end)
    say("main: T returned " .. await(t))
  end)

  S("114-run-inside-running-loop", function()
    local loop = ac.get_running_loop()
    catch("RuntimeError", function()
      ac.run(function() say("never printed") end)
      say("run: ran")
    end, function(e) say("run: " .. describe(e)) end)
    local fut = loop:create_future()
    catch("RuntimeError", function()
      loop:run_until_complete(fut)
      say("run_until_complete, same loop: ran")
    end, function(e) say("run_until_complete, same loop: " .. describe(e)) end)
    local other = ac.new_loop({ virtual_clock = true })
    local other_fut = other:create_future()
    other:call_soon(function() other_fut:set_result() end)
    catch("RuntimeError", function()
      other:run_until_complete(other_fut)
      say("run_until_complete, other loop: ran")
    end, function(e) say("run_until_complete, other loop: " .. describe(e)) end)
    other:close()
    say("main: still running=" .. int(loop:is_running()) .. ", fut done=" .. int(fut:done()))
  end)

  S("115-closed-loop", function()
    local loop = ac.new_loop({ virtual_clock = true })
    local fut = loop:create_future()
    say("new loop: closed=" .. int(loop:is_closed()))
    loop:close()
    say("after close: closed=" .. int(loop:is_closed()))
    catch("RuntimeError", function() loop:call_soon(say, "never printed") end,
      function(e) say("call_soon: " .. describe(e)) end)
    catch("RuntimeError", function() loop:call_later(1, say, "never printed") end,
      function(e) say("call_later: " .. describe(e)) end)
    catch("RuntimeError", function() loop:run_until_complete(fut) end,
      function(e) say("run_until_complete: " .. describe(e)) end)
    loop:close()
    say("closed twice: closed=" .. int(loop:is_closed()))
  end)

  S("116-run-shutdown-error", function()
    ac.get_running_loop():set_exception_handler(function(_, ctx)
      say("handler: " .. ctx.message .. "; keys=" .. keys(ctx) .. "; error=" .. describe(ctx.exception))
    end)
    task(function()
      on_cancel(function() ac.sleep(100) end, function()
        trace("L: cancelled, cleanup fails")
        error(ValueError("cleanup failed"))
      end)
    end)
    ac.sleep(1)
    trace("main: returns")
    return 7
  end)

  local K -- the context variable of 117-119

  S("117-callback-context", function()
    K = ac.ContextVar("K", "unset")
    local function show(name) trace(name .. " sees " .. K:get()) end
    local function worker()
      local loop = ac.get_running_loop()
      K:set("worker")
      loop:call_soon(show, "soon")
      loop:call_later(1, show, "later")
      local f = loop:create_future()
      f:add_done_callback(function() show("done-callback") end)
      K:set("worker, changed")
      f:set_result()
      show("worker")
    end
    K:set("main")
    await(task(worker))
    show("main")
    ac.sleep(2)
  end)

  S("118-task-context-copy", function()
    K = ac.ContextVar("K", "unset")
    local function grandchild() say("G sees " .. K:get()) end
    local function child()
      say("C sees " .. K:get())
      K:set("child")
      await(task(grandchild))
      say("C still sees " .. K:get())
    end
    K:set("before create")
    local t = task(child)
    K:set("after create")
    await(t)
    say("main sees " .. K:get())
  end)

  local threads_ok, threads = pcall(require, "conformance_threads")
  if threads_ok then
    S("119-to-thread-context", function()
      -- The worker is C (read_k, write_k): it reads and sets K in its copy
      -- of the task's context through K's key.
      K = ac.ContextVar("K", "unset")
      local function job()
        K:set("job")
        say("worker read " .. ac.to_thread(threads.read_k, threads.k_ud(K:key())))
        say("worker set " .. ac.to_thread(threads.write_k, threads.k_ud(K:key())))
        say("job sees " .. K:get())
      end
      K:set("main")
      await(task(job))
      say("main sees " .. K:get())
    end)

    S("120-to-thread-error-cause", function()
      -- raise ValueError('bad reply') from ConnectionResetError(...): the C
      -- work function fails with an error object (to_thread_v2).
      catch("ValueError", function() ac.to_thread_v2(threads.work_einval, nil) end, function(e)
        say("main: " .. code(e) .. ": " .. msg(e))
        local c = e.cause
        if c ~= nil then say("main: cause " .. code(c) .. ": " .. msg(c)) else say("main: cause none") end
      end)
    end)

    S("180-to-thread-holds-clock", function()
      -- The worker (C, work_slow_7) really takes 20 ms; a 10 s sleep is
      -- pending meanwhile.
      local sleeper = task(function()
        trace("sleeper: sleeping 10")
        ac.sleep(10)
        trace("sleeper: woke")
      end)
      ac.sleep(0)
      trace("main: job gave " .. tostring(ac.to_thread(threads.work_slow_7, nil)))
      await(sleeper)
      trace("main: done")
    end)
  end

  S("121-timers-equal-deadline", function()
    local loop = ac.get_running_loop()
    loop:call_later(1, trace, "A: call_later(1)")
    loop:call_at(1.0, trace, "B: call_at(1)")
    local dropped = loop:call_later(0.5, trace, "never printed")
    loop:call_at(2.0, trace, "C: call_at(2)")
    loop:call_later(2, trace, "D: call_later(2)")
    dropped:cancel()
    trace("main: dropped cancelled=" .. int(dropped:cancelled()))
    ac.sleep(3)
    trace("main: done")
  end)

  S("122-timer-joins-ready-queue", function()
    local loop = ac.get_running_loop()
    loop:call_later(0, say, "timer: call_later(0)")
    loop:call_soon(say, "soon 1")
    loop:call_soon(say, "soon 2")
    ac.sleep(0)
    say("main: after sleep(0)")
    ac.sleep(0)
    say("main: after second sleep(0)")
  end)

  S("123-call-later-negative", function()
    local loop = ac.get_running_loop()
    local zero = loop:call_later(0, trace, "zero")
    local neg = loop:call_later(-1, trace, "negative")
    local past = loop:call_at(loop:time() - 5, trace, "past")
    trace("main: when " .. ms_of(zero:when()) .. ", " .. ms_of(neg:when()) .. ", " .. ms_of(past:when()))
    ac.sleep(1)
    trace("main: done")
  end)

  S("124-handle-cancel", function()
    local loop = ac.get_running_loop()
    local soon = loop:call_soon(trace, "never printed")
    local later = loop:call_later(1.5, trace, "never printed")
    local kept = loop:call_later(2.5, trace, "kept: ran")
    trace("main: cancelled=" .. int(soon:cancelled()) .. ", when=" .. ms_of(later:when()) .. ", " ..
      ms_of(kept:when()))
    soon:cancel()
    later:cancel()
    later:cancel()
    trace("main: cancelled=" .. int(soon:cancelled()) .. ", " .. int(later:cancelled()) .. ", " ..
      int(kept:cancelled()))
    ac.sleep(3)
    trace("main: done")
  end)

  -- Python sets asyncio.eager_task_factory on the loop; a Lua task is
  -- eager when created with create_task{fn, eager=true}.
  S("125-eager-finishes-at-once", function()
    local t = ac.create_task { function()
      say("E: runs")
      return 5
    end, eager = true }
    say("main: created, done=" .. int(t:done()))
    t:add_done_callback(function() say("E: callback") end)
    say("main: awaited " .. await(t))
    ac.sleep(0)
    say("main: after sleep(0)")
  end)

  S("126-eager-step-context", function()
    K = ac.ContextVar("K", "unset")
    local function body(main_task)
      local me = ac.current_task()
      say("E: first step, is main=" .. int(me == main_task) .. ", sees " .. K:get())
      K:set("eager")
      ac.sleep(0)
      say("E: second step, sees " .. K:get())
    end
    local me = ac.current_task()
    K:set("main")
    local t = ac.create_task { body, me, eager = true }
    say("main: created, current is main=" .. int(ac.current_task() == me) .. ", sees " .. K:get())
    await(t)
    say("main: done")
  end)

  S("127-future-cancel", function()
    local loop = ac.get_running_loop()
    local f = loop:create_future()
    f:add_done_callback(function(fut) say("callback: cancelled=" .. int(fut:cancelled())) end)
    say("cancel -> " .. int(f:cancel("first")))
    say("cancel again -> " .. int(f:cancel("second")))
    say("done=" .. int(f:done()) .. " cancelled=" .. int(f:cancelled()))
    catch("CancelledError", function() f:result() end, function(e) say("result(): " .. describe(e)) end)
    local g = loop:create_future()
    g:set_result(4)
    say("cancel a done future -> " .. int(g:cancel()) .. "; result=" .. g:result())
    ac.sleep(0)
  end)

  S("128-awaiter-wakeup-order", function()
    local t = task(function()
      ac.sleep(1)
      return "w"
    end)
    t:add_done_callback(function() trace("cb1") end)
    local w = task(function(name) trace(name .. ": got " .. await(t)) end, "W")
    ac.sleep(0.5)
    t:add_done_callback(function() trace("cb2") end)
    trace("main: got " .. await(t))
    await(w)
  end)

  S("129-current-task-all-tasks", function()
    local function contains(list, x)
      for _, y in ipairs(list) do if y == x then return true end end
      return false
    end
    local function child(delay)
      ac.sleep(delay)
      return ac.current_task()
    end
    local me = ac.current_task()
    ac.get_running_loop():call_soon(function()
      trace("callback: current is None=" .. int(ac.current_task() == nil))
    end)
    local a = task(child, 1)
    local b = task(child, 2)
    local tasks = ac.all_tasks()
    trace("main: all_tasks=" .. #tasks .. ", main in it=" .. int(contains(tasks, me)))
    trace("main: A saw itself=" .. int(await(a) == a))
    trace("main: all_tasks=" .. #ac.all_tasks())
    await(b)
    trace("main: all_tasks=" .. #ac.all_tasks() .. ", current is main=" .. int(ac.current_task() == me))
  end)

  S("130-callback-error-reported", function()
    local function bad(what) error(ValueError(what .. " failed")) end
    local loop = ac.get_running_loop()
    loop:set_exception_handler(function(_, ctx)
      say("handler: keys=" .. keys(ctx) .. "; error=" .. describe(ctx.exception))
    end)
    loop:call_soon(bad, "callback")
    loop:call_soon(say, "next callback runs")
    local f = loop:create_future()
    f:add_done_callback(function() bad("done-callback") end)
    f:add_done_callback(function() say("next done-callback runs") end)
    f:set_result()
    ac.sleep(0)
    say("main: done")
  end)

  -- A task created in main's last step takes its first step before run()
  -- cancels it with the other leftovers; the last line comes after run.
  C.scenario_run("131-run-finishes-the-iteration", function()
    local r = ac.run({ virtual_clock = true }, function()
      task(function()
        trace("other: started")
        on_cancel(function() ac.sleep(1) end, function() trace("other: cancelled") end)
      end)
      trace("main: done")
      return 3
    end)
    say("run returned " .. tostring(r))
  end)
end
