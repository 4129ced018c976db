-- The bounded exit of run and loop:shutdown (tasks that ignore their
-- cancellation are abandoned and reported, so neither can hang), and the
-- time budget of a host's step.
local ac = require "asyncore"
local H = require "helper"

-- A task that swallows every cancellation: it waits again on a future
-- nobody completes ("future") or sleeps in a loop ("sleep").
local function stubborn(kind, log)
  return function()
    while true do
      local ok, e
      if kind == "future" then
        ok, e = pcall(ac.await, ac.Future())
      else
        ok, e = pcall(ac.sleep, 1)
      end
      if not ok then log(kind .. " ignored " .. e.class) end
    end
  end
end

-- The reports the loop's exception handler saw, as "message (task name)".
local function reports_of(seen)
  local out = {}
  for _, ctx in ipairs(seen) do
    out[#out + 1] = ctx.message .. " (" .. (ctx.task and ctx.task:get_name() or "-") .. ")"
  end
  return out
end

describe("run's shutdown", function()
  for _, kind in ipairs { "future", "sleep" } do
    it("abandons and reports a task that swallows its cancellation (" .. kind .. ")", function()
      local seen = {}
      local trace, log = H.trace()
      local r = ac.run({ shutdown_timeout = 0.1 }, function()
        ac.get_running_loop():set_exception_handler(function(_, ctx) seen[#seen + 1] = ctx end)
        ac.create_task { stubborn(kind, log), name = "stubborn" }
        ac.sleep(0)
        return "main done"
      end)
      assert.are.equal("main done", r)
      assert.are.same({ kind .. " ignored CancelledError" }, trace)
      assert.are.same({ "Task was destroyed but it is pending (stubborn)" }, reports_of(seen))
    end)
  end

  it("lets tasks that end when cancelled end, and reports none", function()
    local seen = {}
    local trace, log = H.trace()
    ac.run(function()
      ac.get_running_loop():set_exception_handler(function(_, ctx) seen[#seen + 1] = ctx end)
      ac.create_task { function()
        local ok, e = pcall(ac.sleep, 100)
        log("cancelled", not ok and e.class)
        ac.sleep(1) -- cleanup that takes a while, then the cancel goes on
        log("cleaned up")
        error(e, 0)
      end, name = "polite" }
      ac.sleep(0)
    end)
    assert.are.same({ "cancelled CancelledError", "cleaned up" }, trace)
    assert.are.same({}, seen)
  end)

  it("refuses a bad shutdown_timeout", function()
    local ok, e = pcall(ac.run, { shutdown_timeout = -1 }, function() end)
    assert.is_false(ok)
    assert.are.equal("ValueError", e.class)
  end)
end)

describe("loop:shutdown", function()
  it("returns how many tasks it abandoned, and closes the loop", function()
    local loop = ac.new_loop { virtual_clock = true }
    local seen = {}
    local trace, log = H.trace()
    loop:set_exception_handler(function(_, ctx) seen[#seen + 1] = ctx end)
    loop:create_task { stubborn("future", log), name = "a" }
    loop:create_task { function() ac.sleep(10) end, name = "b" }
    loop:step(0)
    assert.are.equal(1, loop:shutdown(0.1))
    assert.is_true(loop:is_closed())
    assert.are.same({ "future ignored CancelledError" }, trace)
    assert.are.same({ "Task was destroyed but it is pending (a)" }, reports_of(seen))
    local ok, e = pcall(loop.shutdown, loop, 1)
    assert.is_false(ok)
    assert.are.equal("Event loop is closed", e.message)
  end)

  it("returns 0 when every task ends, and refuses a bad timeout", function()
    local loop = ac.new_loop { virtual_clock = true }
    loop:create_task(function() ac.sleep(10) end)
    local ok, e = pcall(loop.shutdown, loop, -1)
    assert.is_false(ok)
    assert.are.equal("ValueError", e.class)
    assert.are.equal(0, loop:shutdown())
  end)

  it("is refused inside a run of the loop", function()
    local e
    H.run(function()
      local ok
      ok, e = pcall(ac.get_running_loop().shutdown, ac.get_running_loop(), 1)
      assert.is_false(ok)
    end)
    assert.are.equal("RuntimeError", e.class)
  end)
end)

describe("the time budget", function()
  -- At least `s` seconds of real time (a loop on the real clock reads the
  -- monotonic clock at each call of time()).
  local function work(loop, s)
    local t0 = loop:time()
    while loop:time() - t0 < s do end
  end

  it("spreads a burst of 1,000 new tasks over several steps, in order, each once", function()
    local loop = ac.new_loop { virtual_clock = false }
    local ran = {}
    loop:create_task(function()
      for i = 1, 1000 do
        ac.create_task(function()
          work(loop, 20e-6)
          ran[#ran + 1] = i
        end)
      end
    end)
    loop:set_time_budget(0.002)
    local steps, most = 0, 0
    while #ran < 1000 and steps < 5000 do
      local n = loop:step(0)
      assert.is_true(n >= 1)
      if n > most then most = n end
      steps = steps + 1
    end
    assert.are.equal(1000, #ran)
    for i = 1, 1000 do assert.are.equal(i, ran[i]) end
    -- Each task takes at least 20 µs: a 2 ms budget is spent after 100 of
    -- them at most, and the step starts no other.
    assert.is_true(most <= 101, "a step ran " .. most .. " callbacks")
    assert.is_true(steps >= 10)
    -- No budget: the ready budget (1024) takes a burst in one step.
    loop:set_time_budget(0)
    local count = 0
    for _ = 1, 50 do loop:call_soon(function() count = count + 1 end) end
    assert.are.equal(50, (loop:step(0)))
    assert.are.equal(50, count)
    loop:close()
  end)

  it("refuses a bad budget", function()
    local loop = ac.new_loop()
    local ok, e = pcall(loop.set_time_budget, loop, -1)
    assert.is_false(ok)
    assert.are.equal("ValueError", e.class)
    loop:close()
    ok, e = pcall(loop.set_time_budget, loop, 1)
    assert.is_false(ok)
    assert.are.equal("Event loop is closed", e.message)
  end)
end)
