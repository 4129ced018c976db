-- structured.lua — the Lua ports of scenarios 140-179: timeout scopes,
-- wait_for, gather, wait, as_completed, shield and TaskGroup.
--
-- `async with asyncio.timeout(d) as scope:` is scope:run(fn) on a scope
-- made by ac.timeout(d) (ac.timeout(d, fn) when the program does not keep
-- the scope); `async with TaskGroup() as tg:` is ac.task_group(fn); the
-- future asyncio.gather returns is ac.gather_future(...). A coroutine
-- passed to wait_for is a function, which wait_for runs in the caller.
return function(C)
  local ac, core = C.ac, C.core
  local S, trace, int, describe, code, cls, msg = C.scenario, C.trace, C.int, C.describe,
    C.code, C.cls, C.msg
  local catch, on_cancel, task, join, pack = C.catch, C.on_cancel, C.task, C.join, C.pack
  local await = ac.await

  local function ms_of(seconds) return math.floor(seconds * 1000 + 0.5) end
  local function ValueError(m) return ac.ValueError(m) end

  -- Sorted task names, joined.
  local function names(tasks)
    local list = {}
    for i, t in ipairs(tasks) do list[i] = t:get_name() end
    table.sort(list)
    return join(list)
  end

  local function map(list, fn)
    local out = {}
    for i, x in ipairs(list) do out[i] = fn(x) end
    return out
  end

  ---------------------------------------------------------------------------
  -- Timeout scopes
  ---------------------------------------------------------------------------

  S("140-timeout-zero-expires-at-once", function()
    local scope = ac.timeout(0)
    catch("TimeoutError", function()
      scope:run(function()
        trace("body: entered")
        ac.sleep(1)
        trace("body: after the sleep")
      end)
    end, function(e) trace("main: caught " .. code(e)) end)
    trace("main: expired=" .. int(scope:expired()))
  end)

  S("141-timeout-past-deadline-and-negative", function()
    local loop = ac.get_running_loop()
    ac.sleep(2)
    local cases = { { "timeout_at(now - 1)", ac.timeout_at(loop:time() - 1) },
                    { "timeout(-1)", ac.timeout(-1) } }
    for _, case in ipairs(cases) do
      local label, scope = case[1], case[2]
      catch("TimeoutError", function()
        scope:run(function()
          ac.sleep(1)
          trace(label .. ": after the sleep")
        end)
      end, function(e)
        trace(label .. ": caught " .. code(e) .. " when=" .. ms_of(scope:when()) ..
          " expired=" .. int(scope:expired()))
      end)
    end
  end)

  S("142-timeout-zero-sleep-zero-raises", function()
    local scope = ac.timeout(0)
    catch("TimeoutError", function()
      scope:run(function()
        task(function() trace("other: ran") end)
        ac.sleep(0)
        trace("body: after sleep(0)")
      end)
    end, function(e) trace("main: caught " .. code(e)) end)
    trace("main: expired=" .. int(scope:expired()))
  end)

  S("143-timeout-zero-self-cancel", function()
    local scope = ac.timeout(0)
    local me = ac.current_task()
    local ok, e = pcall(scope.run, scope, function()
      me:cancel()
      ac.sleep(1)
      trace("body: after the sleep")
    end)
    if not ok then
      if ac.is(e, "TimeoutError") then
        trace("main: caught TimeoutError " .. code(e))
      elseif ac.is(e, "CancelledError") then
        trace("main: caught " .. code(e))
      else
        error(e, 0)
      end
    end
    trace("main: expired=" .. int(scope:expired()) .. " cancelling=" .. me:cancelling())
  end)

  S("144-timeout-error-cause", function()
    catch("TimeoutError", function() ac.timeout(1, function() ac.sleep(5) end) end, function(e)
      local cause = e.cause
      trace("main: caught " .. code(e) .. " cause=" .. (cause ~= nil and code(cause) or "none"))
    end)
  end)

  S("145-timeout-reschedule-before-enter", function()
    local loop = ac.get_running_loop()
    local scope = ac.timeout(5)
    local ok, e = pcall(scope.reschedule, scope, loop:time() + 1)
    if ok then
      trace("main: rescheduled")
    else
      trace("main: reschedule refused: " .. describe(e))
    end
    catch("TimeoutError", function() scope:run(function() ac.sleep(10) end) end,
      function() trace("main: timed out") end)
  end)

  S("146-timeout-reenter-refused", function()
    local scope = ac.timeout(5)
    catch("Exception", function()
      scope:run(function()
        catch("Exception", function()
          scope:run(function() trace("main: entered while active") end)
        end, function(e) trace("main: nested enter refused: " .. describe(e)) end)
        ac.sleep(1)
      end)
      trace("main: first use done")
      scope:run(function() trace("main: entered again") end)
    end, function(e) trace("main: " .. describe(e)) end)
    trace("main: expired=" .. int(scope:expired()))
  end)

  S("147-timeout-reschedule-after-exit-or-expiry", function()
    local function try_reschedule(label, scope)
      catch("RuntimeError", function()
        scope:reschedule(nil)
        trace(label .. ": rescheduled")
      end, function(e) trace(label .. ": " .. describe(e)) end)
    end
    local done = ac.timeout(5)
    done:run(function() ac.sleep(1) end)
    try_reschedule("after exit", done)
    local expired = ac.timeout(1)
    catch("TimeoutError", function()
      expired:run(function()
        on_cancel(function() ac.sleep(5) end, function() try_reschedule("while expiring", expired) end)
      end)
    end, function() trace("main: timed out") end)
    try_reschedule("after expiry", expired)
  end)

  S("148-timeout-swallowed-cancel", function()
    local me = ac.current_task()
    local scope = ac.timeout(1)
    scope:run(function()
      catch("CancelledError", function() ac.sleep(5) end,
        function() trace("body: cancelled, carrying on") end)
      trace("body: cancelling=" .. me:cancelling())
    end)
    trace("main: left the scope expired=" .. int(scope:expired()) .. " cancelling=" .. me:cancelling())
    ac.sleep(1)
    trace("main: next await ran")
  end)

  S("149-timeout-reschedule-moves-deadline", function()
    local function when(scope)
      local w = scope:when()
      return w == nil and "none" or tostring(ms_of(w))
    end
    local loop = ac.get_running_loop()
    local scope = ac.timeout(nil)
    catch("TimeoutError", function()
      scope:run(function()
        trace("A: when=" .. when(scope))
        scope:reschedule(loop:time() + 1)
        trace("A: when=" .. when(scope))
        ac.sleep(5)
      end)
    end, function(e) trace("A: caught " .. code(e)) end)
    scope = ac.timeout(1)
    scope:run(function()
      scope:reschedule(loop:time() + 3)
      ac.sleep(2)
      trace("B: still inside, when=" .. when(scope))
      scope:reschedule(nil)
      ac.sleep(5)
      trace("B: done, when=" .. when(scope) .. " expired=" .. int(scope:expired()))
    end)
  end)

  S("150-timeouts-nested-same-deadline", function()
    local outer = ac.timeout(1)
    catch("TimeoutError", function()
      outer:run(function()
        local inner = ac.timeout(1)
        local ok, e = pcall(inner.run, inner, function() ac.sleep(5) end)
        if not ok then
          trace("inner: " .. code(e) .. " expired=" .. int(inner:expired()))
          error(e, 0)
        end
      end)
    end, function(e) trace("outer: " .. code(e) .. " expired=" .. int(outer:expired())) end)
    trace("main: cancelling=" .. ac.current_task():cancelling())
  end)

  S("151-timeout-while-cancelling", function()
    local function worker()
      on_cancel(function() ac.sleep(10) end, function()
        trace("worker: cancelled, cancelling=" .. ac.current_task():cancelling())
        local ok, e = pcall(ac.timeout, 1, function() ac.sleep(5) end)
        if not ok then trace("worker: cleanup ended with " .. code(e)) end
      end)
    end
    local t = task(worker)
    ac.sleep(1)
    t:cancel()
    catch("CancelledError", function() await(t) end, function() trace("main: worker cancelled") end)
  end)

  ---------------------------------------------------------------------------
  -- wait_for
  ---------------------------------------------------------------------------

  S("152-wait-for-zero-never-starts", function()
    local function work()
      trace("work: started")
      ac.sleep(1)
      return 1
    end
    catch("TimeoutError", function()
      ac.wait_for(work, 0)
      trace("main: got a result")
    end, function(e) trace("main: caught " .. code(e) .. " cause=" .. code(e.cause)) end)
    ac.sleep(2)
    trace("main: done")
  end)

  S("153-wait-for-negative-cancels", function()
    local function work(name, delay)
      on_cancel(function() ac.sleep(delay) end, function() trace(name .. ": cancelled") end)
      return 7
    end
    local slow = task(work, "slow", 5)
    local quick = task(work, "quick", 0)
    ac.sleep(1)
    catch("TimeoutError", function() ac.wait_for(slow, -1) end, function(e)
      trace("main: slow -> " .. code(e) .. " cancelled=" .. int(slow:cancelled()))
    end)
    trace("main: quick -> " .. ac.wait_for(quick, -1))
  end)

  S("154-wait-for-done-task-no-suspend", function()
    local done = task(function() return 3 end)
    ac.sleep(0)
    task(function() trace("bystander: ran") end)
    trace("main: timeout 0 -> " .. ac.wait_for(done, 0))
    trace("main: timeout 5 -> " .. ac.wait_for(done, 5))
    trace("main: before yielding")
    ac.sleep(0)
    trace("main: done")
  end)

  S("155-wait-for-coroutine-in-caller", function()
    local function work(caller)
      trace("work: started, in the caller task=" .. int(ac.current_task() == caller))
      ac.sleep(1)
      return 5
    end
    task(function() trace("bystander: ran") end)
    local r = ac.wait_for(C.call(work, ac.current_task()), 2)
    trace("main: got " .. r)
  end)

  S("156-wait-for-cancelled-from-outside", function()
    local t = task(function()
      on_cancel(function() ac.sleep(10) end, function() trace("inner: cancelled") end)
    end)
    local w = task(function()
      local ok, e = pcall(ac.wait_for, t, 5)
      if not ok then
        trace("waiter: " .. code(e))
        error(e, 0)
      end
    end)
    ac.sleep(1)
    w:cancel()
    ac.sleep(0.5)
    trace("main: waiter cancelled=" .. int(w:cancelled()) .. " inner cancelled=" .. int(t:cancelled()))
  end)

  S("157-wait-for-inner-swallows-cancel", function()
    local function stubborn()
      catch("CancelledError", function() ac.sleep(10) end, function()
        trace("stubborn: cancelled, returning 42 anyway")
        ac.sleep(0.5)
      end)
      return 42
    end
    local r = ac.wait_for(task(stubborn), 1)
    trace("main: got " .. r)
  end)

  S("158-wait-for-cleanup-error-wins", function()
    local function fragile()
      pcall(ac.sleep, 10) -- try: ... finally:
      trace("fragile: cleaning up")
      error(ValueError("cleanup failed"))
    end
    local ok, e = pcall(ac.wait_for, task(fragile), 1)
    if not ok then trace("main: caught " .. describe(e)) end
  end)

  S("159-wait-for-shield-zero", function()
    local t = task(function()
      ac.sleep(1)
      trace("work: finished")
      return 9
    end)
    local guard = ac.shield(t)
    catch("TimeoutError", function() ac.wait_for(guard, 0) end,
      function(e) trace("main: caught " .. code(e)) end)
    trace("main: shield cancelled=" .. int(guard:cancelled()) .. " task done=" .. int(t:done()))
    trace("main: task -> " .. await(t))
  end)

  ---------------------------------------------------------------------------
  -- gather
  ---------------------------------------------------------------------------

  local function work_value(v, delay)
    ac.sleep(delay)
    return v
  end

  S("160-gather-child-cancelled-alone", function()
    local function work(name, delay, value)
      ac.sleep(delay)
      trace(name .. ": finished")
      return value
    end
    local a = task(work, "A", 1, 1)
    local b = task(work, "B", 2, 2)
    local g = ac.gather_future(a, b)
    ac.sleep(0.5)
    a:cancel()
    catch("CancelledError", function() await(g) end,
      function(e) trace("main: gather raised " .. code(e)) end)
    trace("main: gather cancelled=" .. int(g:cancelled()) .. " done=" .. int(g:done()))
    trace("main: B -> " .. await(b))
  end)

  S("161-gather-child-cancelled-return-exceptions", function()
    local a = task(work_value, 1, 1)
    local b = task(work_value, 2, 5)
    local c = task(work_value, 3, 2)
    local g = ac.gather_future { a, b, c, return_exceptions = true }
    ac.sleep(0.5)
    b:cancel()
    local results = pack(await(g))
    local shown = {}
    for i = 1, results.n do
      local r = results[i]
      shown[i] = type(r) == "number" and tostring(r) or cls(r)
    end
    trace("main: results=[" .. join(shown) .. "]")
    trace("main: gather cancelled=" .. int(g:cancelled()))
  end)

  S("162-gather-cancelled-from-outside", function()
    local function work(name, delay)
      on_cancel(function() ac.sleep(delay) end, function() trace(name .. ": cancelled") end)
      trace(name .. ": finished")
    end
    local a = task(work, "A", 1)
    local b = task(work, "B", 5)
    local g = ac.gather_future { a, b, return_exceptions = true }
    ac.sleep(2)
    trace("main: cancel -> " .. int(g:cancel()))
    catch("CancelledError", function() await(g) end,
      function(e) trace("main: gather raised " .. code(e)) end)
    trace("main: gather cancelled=" .. int(g:cancelled()) .. " B cancelled=" .. int(b:cancelled()))
    trace("main: cancel again -> " .. int(g:cancel()))
  end)

  S("163-gather-same-task-twice", function()
    local t = task(work_value, 4, 1)
    local r1, r2 = ac.gather(t, t)
    trace("main: results=[" .. r1 .. ", " .. r2 .. "]")
    local u = task(work_value, 5, 5)
    local g = ac.gather_future(u, u)
    ac.sleep(1)
    g:cancel()
    trace("main: after gather.cancel(), cancelling=" .. u:cancelling())
    catch("CancelledError", function() await(g) end, function()
      trace("main: gather cancelled=" .. int(g:cancelled()) .. " task cancelled=" .. int(u:cancelled()))
    end)
  end)

  S("164-gather-zero", function()
    task(function() trace("bystander: ran") end)
    local g = ac.gather_future()
    trace("main: done before awaiting=" .. int(g:done()))
    local results = pack(await(g))
    local shown = {}
    for i = 1, results.n do shown[i] = tostring(results[i]) end
    trace("main: results=[" .. join(shown) .. "] count=" .. results.n)
    results = pack(ac.gather { return_exceptions = true })
    trace("main: with return_exceptions count=" .. results.n)
    ac.sleep(0)
    trace("main: done")
  end)

  S("165-gather-done-children-no-suspend", function()
    local a = task(function() return 1 end)
    local b = task(function() return 2 end)
    ac.sleep(0)
    task(function() trace("bystander: ran") end)
    local g = ac.gather_future(a, b)
    trace("main: gather done at once=" .. int(g:done()))
    local r1, r2 = await(g)
    trace("main: results=[" .. r1 .. ", " .. r2 .. "]")
    ac.sleep(0)
    trace("main: done")
  end)

  ---------------------------------------------------------------------------
  -- wait, as_completed
  ---------------------------------------------------------------------------

  S("166-wait-first-exception", function()
    local function work(name, delay, fail)
      ac.sleep(delay)
      if fail then error(ValueError(name)) end
      trace(name .. ": finished")
    end
    local a = ac.create_task { work, "A", 3, name = "A" }
    local b = ac.create_task { work, "B", 1, true, name = "B" }
    local c = ac.create_task { work, "C", 5, name = "C" }
    ac.get_running_loop():call_later(0.5, function() c:cancel() end)
    local done, pending = ac.wait({ a, b, c }, { return_when = ac.FIRST_EXCEPTION })
    trace("main: done=[" .. names(done) .. "] pending=[" .. names(pending) .. "]")
    trace("main: B raised " .. describe(b:exception()) .. ", A cancelled=" .. int(a:cancelled()))
    await(a)
  end)

  S("167-wait-all-completed-with-errors", function()
    local function work(name, delay, fail)
      ac.sleep(delay)
      if fail then error(ValueError(name .. " failed")) end
      return name
    end
    local a = ac.create_task { work, "A", 2, name = "A" }
    local b = ac.create_task { work, "B", 1, true, name = "B" }
    local done, pending = ac.wait({ a, b })
    trace("main: all: done=[" .. names(done) .. "] pending=[" .. names(pending) .. "]")
    trace("main: B -> " .. describe(b:exception()))
    local c = ac.create_task { work, "C", 1, name = "C" }
    local d = ac.create_task { work, "D", 2, name = "D" }
    done, pending = ac.wait({ c, d, c }, { return_when = ac.FIRST_EXCEPTION })
    trace("main: first exception: done=[" .. names(done) .. "] pending=[" .. names(pending) ..
      "] count=" .. #done)
  end)

  S("168-wait-timeout-does-not-cancel", function()
    local function work(name, delay)
      ac.sleep(delay)
      trace(name .. ": finished")
      return delay
    end
    local a = ac.create_task { work, "A", 2, name = "A" }
    local b = ac.create_task { work, "B", 3, name = "B" }
    local done, pending = ac.wait({ a, b }, { timeout = 1, return_when = ac.FIRST_COMPLETED })
    trace("main: done=[" .. names(done) .. "] pending=[" .. names(pending) .. "]")
    trace("main: A cancelled=" .. int(a:cancelled()) .. " B cancelled=" .. int(b:cancelled()))
    trace("main: B -> " .. await(b))
  end)

  S("169-as-completed-duplicates", function()
    local a = task(work_value, 1, 2)
    local b = task(work_value, 2, 1)
    local got = {}
    for step in ac.as_completed({ a, b, a }) do
      got[#got + 1] = await(step)
      trace("main: next=" .. got[#got])
    end
    trace("main: steps=" .. #got)
  end)

  S("170-as-completed-timeout", function()
    local function work(v, delay)
      ac.sleep(delay)
      trace("work " .. v .. ": finished")
      return v
    end
    local a = task(work, 1, 1)
    local b = task(work, 2, 3)
    catch("TimeoutError", function()
      for step in ac.as_completed({ a, b }, 2) do trace("main: next=" .. await(step)) end
    end, function(e) trace("main: caught " .. code(e)) end)
    trace("main: B cancelled=" .. int(b:cancelled()))
    trace("main: B -> " .. await(b))
  end)

  ---------------------------------------------------------------------------
  -- shield
  ---------------------------------------------------------------------------

  S("171-shield-outer-cancelled-inner-goes-on", function()
    local inner = task(function()
      ac.sleep(2)
      trace("work: finished")
      return 9
    end)
    local guard = ac.shield(inner)
    local w = task(function()
      on_cancel(function() await(guard) end, function(e) trace("waiter: " .. code(e)) end)
    end)
    ac.sleep(1)
    w:cancel()
    ac.sleep(0.5)
    trace("main: shield cancelled=" .. int(guard:cancelled()) .. " inner cancelling=" ..
      inner:cancelling() .. " done=" .. int(inner:done()))
    trace("main: inner -> " .. await(inner))
  end)

  S("172-shield-inner-outcome-reaches-awaiter", function()
    local a = task(function()
      ac.sleep(1)
      error(ValueError("inner failed"))
    end)
    catch("ValueError", function() await(ac.shield(a)) end, function(e)
      trace("main: caught " .. describe(e) .. " same=" .. int(e == a:exception()))
    end)
    local b = task(function() ac.sleep(10) end)
    local guard = ac.shield(b)
    ac.get_running_loop():call_later(1, function() b:cancel() end)
    catch("CancelledError", function() await(guard) end, function(e)
      trace("main: caught " .. code(e) .. " shield cancelled=" .. int(guard:cancelled()))
    end)
  end)

  ---------------------------------------------------------------------------
  -- TaskGroup
  ---------------------------------------------------------------------------

  local function fail(delay, message)
    ac.sleep(delay)
    error(ValueError(message))
  end

  local function idle(name)
    on_cancel(function() ac.sleep(10) end, function() trace(name .. ": cancelled") end)
  end

  S("173-taskgroup-child-error-while-body-awaits", function()
    local me = ac.current_task()
    catch("ExceptionGroup", function()
      ac.task_group(function(tg)
        tg:create_task(idle, "idle")
        tg:create_task(fail, 1, "child failed")
        on_cancel(function() ac.sleep(5) end,
          function() trace("body: cancelled, cancelling=" .. me:cancelling()) end)
      end)
    end, function(e)
      trace("main: " .. describe(e) .. " [" .. join(map(e.exceptions, describe)) .. "]")
    end)
    trace("main: cancelling=" .. me:cancelling())
    ac.sleep(1)
    trace("main: next await ran")
  end)

  S("174-taskgroup-body-error-and-child-error", function()
    local me = ac.current_task()
    catch("ExceptionGroup", function()
      ac.task_group(function(tg)
        tg:create_task(fail, 1, "child failed")
        catch("CancelledError", function() ac.sleep(5) end,
          function() error(ac.Error("body failed", core.ECONNRESET)) end)
      end)
    end, function(e)
      trace("main: " .. describe(e) .. " [" .. join(map(e.exceptions, describe)) .. "]")
    end)
    trace("main: cancelling=" .. me:cancelling())
  end)

  S("175-taskgroup-create-task-refused", function()
    -- Python's message names the group by its repr ("TaskGroup <...> is
    -- finished"): only the class and the reason after it are portable;
    -- ours reads "TaskGroup <reason>".
    local function why(e)
      local m = msg(e)
      local reason = m:match(".*> (.*)$") or m:gsub("^TaskGroup ", "")
      return cls(e) .. " (" .. reason .. ")"
    end
    local function noop() end
    local function try_create(who, tg)
      local ok, e = pcall(tg.create_task, tg, noop)
      if ok then
        trace(who .. ": created a task")
      elseif ac.is(e, "RuntimeError") then
        trace(who .. ": refused: " .. why(e))
      else
        error(e, 0)
      end
    end
    local function late(tg)
      on_cancel(function() ac.sleep(5) end, function() try_create("late", tg) end)
    end
    catch("ExceptionGroup", function()
      ac.task_group(function(tg)
        tg:create_task(fail, 1, "child failed")
        tg:create_task(late, tg)
      end)
    end, function(e) trace("main: " .. describe(e)) end)
    local done
    ac.task_group(function(tg)
      done = tg
      tg:create_task(noop)
    end)
    try_create("main", done)
  end)

  local function tree(e)
    if ac.is(e, "ExceptionGroup") then
      return describe(e) .. " [" .. join(map(e.exceptions, tree)) .. "]"
    end
    return describe(e)
  end

  local function nested_groups(label, inner_fails, outer_fails, cancel_after_failure)
    local me = ac.current_task()
    local ok, e = pcall(ac.task_group, function(outer)
      local o = outer_fails and outer:create_task(fail, 1, "outer child")
        or outer:create_task(idle, "outer child")
      ac.task_group(function(inner)
        local i = inner_fails and inner:create_task(fail, 1, "inner child")
          or inner:create_task(idle, "inner child")
        if cancel_after_failure then
          -- The outside cancel comes right after the last child failed.
          local last = inner_fails and i or o
          last:add_done_callback(function() me:cancel() end)
        end
        ac.sleep(5)
      end)
    end)
    if not ok then trace(label .. ": " .. tree(e)) end
    trace(label .. ": cancelling=" .. me:cancelling())
    if cancel_after_failure then
      catch("CancelledError", function()
        ac.sleep(0)
        trace(label .. ": next await ran")
      end, function() trace(label .. ": next await cancelled") end)
    end
  end

  S("176-taskgroups-nested-errors", function()
    await(task(nested_groups, "inner error", true, false))
    await(task(nested_groups, "outer error", false, true))
    await(task(nested_groups, "both errors", true, true))
  end)

  S("177-taskgroups-nested-errors-outer-cancelled", function()
    await(task(nested_groups, "inner error", true, false, true))
    await(task(nested_groups, "outer error", false, true, true))
    await(task(nested_groups, "both errors", true, true, true))
  end)

  S("178-taskgroup-cancelled-while-joining", function()
    local function child(name, delay)
      on_cancel(function() ac.sleep(delay) end, function()
        trace(name .. ": cancelled, cleaning up")
        ac.sleep(0.5)
        trace(name .. ": cleaned up")
      end)
      trace(name .. ": finished")
    end
    local function parent()
      local me = ac.current_task()
      on_cancel(function()
        ac.task_group(function(tg)
          tg:create_task(child, "A", 1)
          tg:create_task(child, "B", 5)
        end)
      end, function(e) trace("parent: " .. code(e) .. " cancelling=" .. me:cancelling()) end)
    end
    local t = task(parent)
    ac.sleep(2)
    t:cancel()
    catch("CancelledError", function() await(t) end,
      function() trace("main: parent cancelled=" .. int(t:cancelled())) end)
  end)

  S("179-taskgroup-spawn-while-joining", function()
    local function leaf(name, delay)
      ac.sleep(delay)
      trace(name .. ": finished")
    end
    local function root(tg)
      ac.sleep(1)
      tg:create_task(leaf, "leaf 1", 1)
      tg:create_task(leaf, "leaf 2", 2)
      trace("root: added two tasks")
    end
    ac.task_group(function(tg)
      tg:create_task(root, tg)
      trace("body: done")
    end)
    trace("main: group done")
  end)
end
