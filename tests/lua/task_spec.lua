-- Tasks: coroutines driven by the loop.
local ac = require "asyncore"
local H = require "helper"

describe("run", function()
  it("returns the main task's values", function()
    local a, b, c = H.run(function(x) return x, "two", nil end, 1)
    assert.are.equal(1, a)
    assert.are.equal("two", b)
    assert.is_nil(c)
  end)

  it("raises the main task's error value", function()
    local ok, err = pcall(H.run, function() error({ tag = "mine" }) end)
    assert.is_false(ok)
    assert.are.equal("mine", err.tag)
  end)

  it("cancels the tasks left when the main task returns", function()
    local trace, log = H.trace()
    H.run(function()
      ac.create_task(function()
        local ok, e = pcall(ac.sleep, 10)
        log("left", ok, ac.is_error(e, ac.CancelledError))
        error(e, 0)
      end)
      ac.sleep(0)
      log("main done")
    end)
    assert.are.same({ "main done", "left false true" }, trace)
  end)

  it("refuses to run inside a running loop", function()
    local ok, e
    H.run(function() ok, e = pcall(ac.run, function() end) end)
    assert.is_false(ok)
    assert.is_true(ac.is_error(e, ac.RuntimeError))
  end)

  it("takes loop options as a first table argument", function()
    local t = ac.run({ virtual_clock = true }, function(s) ac.sleep(s); return ac.get_running_loop():time() end, 3600)
    assert.are.equal(3600, t)
  end)
end)

describe("create_task", function()
  it("runs tasks concurrently on the virtual clock", function()
    local trace, log = H.trace()
    H.run(function()
      local function greet(name, delay)
        ac.sleep(delay)
        log(name, ("%g"):format(ac.get_running_loop():time()))
      end
      local t1 = ac.create_task(greet, "Alice", 2)
      local t2 = ac.create_task(greet, "Bob", 1)
      ac.await(t1)
      ac.await(t2)
      log("end", ("%g"):format(ac.get_running_loop():time()))
    end)
    assert.are.same({ "Bob 1", "Alice 2", "end 2" }, trace)
  end)

  it("passes arguments and returns several values", function()
    local r = { H.run(function()
      local t = ac.create_task(function(a, b) return b, a, a + b end, 2, 3)
      return ac.await(t)
    end) }
    assert.are.same({ 3, 2, 5 }, r)
  end)

  it("starts a task only once the creator awaits", function()
    local trace, log = H.trace()
    H.run(function()
      local t = ac.create_task(function() log("child") end)
      log("parent")
      ac.await(t)
    end)
    assert.are.same({ "parent", "child" }, trace)
  end)

  it("runs an eager task's first step inside create_task", function()
    local trace, log = H.trace()
    H.run(function()
      local t = ac.create_task { function(x) log("child", x); ac.sleep(0); log("child again") end, 7, eager = true }
      log("parent")
      ac.await(t)
    end)
    assert.are.same({ "child 7", "parent", "child again" }, trace)
  end)

  it("names tasks", function()
    H.run(function()
      local t = ac.create_task { function() end, name = "worker" }
      assert.are.equal("worker", t:get_name())
      t:set_name("renamed")
      assert.are.equal("renamed", t:get_name())
      local d = ac.create_task(function() end)
      assert.is_truthy(d:get_name():match("^Task%-%d+$"))
      assert.is_truthy(tostring(d):match("^<Task Task%-%d+ pending>$"))
      ac.await(t)
      ac.await(d)
    end)
  end)

  it("gives the running task as current_task", function()
    H.run(function()
      local inner
      local t = ac.create_task(function() inner = ac.current_task() end)
      ac.await(t)
      assert.are.equal(t, inner)
      assert.is_true(rawequal(t, inner))
    end)
    assert.is_nil(ac.current_task())
  end)

  it("needs a loop outside a task", function()
    local ok, e = pcall(ac.create_task, function() end)
    assert.is_false(ok)
    assert.is_true(ac.is_error(e, ac.RuntimeError))
  end)
end)

describe("await", function()
  it("is refused outside a task", function()
    local ok, e = pcall(ac.await, {})
    assert.is_false(ok)
    assert.is_truthy(tostring(e):match("asyncore.await"))
  end)

  it("resumes with an error a task coroutine that yields a non-future", function()
    local msg = H.run(function()
      local ok, e = coroutine.yield("not a future")
      assert.is_false(ok)
      return e.message
    end)
    assert.is_truthy(msg:match("not a Future or Task"))
  end)

  it("raises RuntimeError inside the task when it awaits itself", function()
    local e = H.run(function()
      local ok, e = pcall(ac.await, ac.current_task())
      assert.is_false(ok)
      return e
    end)
    assert.are.equal("RuntimeError", e.class)
    assert.is_truthy(e.message:match("^Task cannot await on itself: "))
  end)

  it("of a done task does not suspend (asyncio's rule)", function()
    local trace, log = H.trace()
    H.run(function()
      local t = ac.create_task(function() return "v" end)
      ac.sleep(0)
      assert.is_true(t:done())
      ac.create_task(log, "other")
      assert.are.equal("v", ac.await(t))
      assert.are.equal("v", t:await())
      log("main")
      ac.sleep(0)
    end)
    assert.are.same({ "main", "other" }, trace)
  end)

  it("accepts the core wrappers too", function()
    H.run(function()
      local f, rc = ac.get_running_loop()._l:sleep(1)
      assert.are.equal(0, rc)
      ac.await(f)
      assert.are.equal(1, ac.get_running_loop():time())
    end)
  end)
end)

describe("sleep", function()
  it("returns its result after the delay", function()
    H.run(function()
      assert.are.equal("r", ac.sleep(1.5, "r"))
      assert.are.equal(1.5, ac.get_running_loop():time())
    end)
  end)

  it("with 0 lets the other ready tasks run, in order", function()
    local trace, log = H.trace()
    H.run(function()
      local a = ac.create_task(function() log("a1"); ac.sleep(0); log("a2") end)
      local b = ac.create_task(function() log("b1"); ac.sleep(0); log("b2") end)
      ac.await(a)
      ac.await(b)
    end)
    assert.are.same({ "a1", "b1", "a2", "b2" }, trace)
  end)

  it("is refused outside a task", function()
    assert.has_error(function() ac.sleep(1) end)
  end)
end)

describe("values", function()
  it("keep their Lua type through a task result", function()
    local tbl, fn = {}, function() end
    H.run(function()
      local function ret(...) return ... end
      local r = { ac.await(ac.create_task(ret, 1, 2.5, "s\0z", true, false, tbl, fn)) }
      assert.are.equal(1, r[1])
      assert.are.equal(2.5, r[2])
      assert.are.equal("s\0z", r[3])
      assert.are.equal(true, r[4])
      assert.are.equal(false, r[5])
      assert.is_true(rawequal(tbl, r[6]))
      assert.is_true(rawequal(fn, r[7]))
      if H.lua54 then
        assert.are.equal("integer", math.type(r[1]))
        assert.are.equal("float", math.type(ac.await(ac.create_task(ret, 3.0))))
      end
    end)
  end)

  it("keep nils between several results", function()
    H.run(function()
      local t = ac.create_task(function() return nil, 2, nil end)
      local r = { n = select("#", ac.await(t)), ac.await(t) }
      assert.are.equal(3, r.n)
      assert.is_nil(r[1])
      assert.are.equal(2, r[2])
    end)
  end)

  it("are released once the task is gone", function()
    local weak = setmetatable({}, { __mode = "v" })
    H.run(function()
      local t = ac.create_task(function() local v = {}; weak[1] = v; return v end)
      ac.await(t)
    end)
    H.full_gc()
    assert.is_nil(weak[1])
  end)
end)

describe("trim", function()
  -- A burst of tasks leaves their blocks in the runtime's pool; trim()
  -- gives back the slabs that are wholly free, and the pool serves again.
  local function burst(n)
    return H.run(function()
      local ts = {}
      for i = 1, n do ts[i] = ac.create_task(function() return i end) end
      local sum = 0
      for i = 1, n do sum = sum + ac.await(ts[i]) end
      return sum
    end)
  end

  it("gives back what a burst of tasks left", function()
    assert.are.equal(200010000, burst(20000))
    -- the tasks' handles go with the collector
    collectgarbage("collect")
    collectgarbage("collect")
    local n = ac.trim()
    assert.are.equal(n, math.floor(n))
    -- the C call tells whether the runtime keeps a pool here at all
    if ac.core.trim() == ac.core.ENOTSUP then
      assert.are.equal(0, n)
      return
    end
    assert.is_true(n >= 1024 * 1024, "gave back " .. n .. " bytes")
    assert.are.equal(500500, burst(1000))
  end)
end)
