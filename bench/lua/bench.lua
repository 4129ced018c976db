-- bench.lua — W1, W1g (W1 in asyncio's shape: one gather) and W2-W4
-- through the Lua binding (Lua 5.4 or LuaJIT).
-- Prints RESULT <workload> <system> <value> <unit>. Usage:
--   lua5.4 bench.lua [scale] [system-name]
local ac = require "asyncore"
local scale = tonumber(arg and arg[1]) or 1
local system = arg and arg[2] or "lua"
local clock = os.clock

-- The task bodies are made once: a task runs a function, which need not be
-- a new closure per task.
local function one() return 1 end

local function w1(n)
  ac.run(function()
    local tasks = {}
    for i = 1, n do tasks[i] = ac.create_task(one) end
    local total = 0
    for i = 1, n do total = total + ac.await(tasks[i]) end
    assert(total == n)
  end)
end

-- W1 in asyncio's shape: the same tasks, then one gather over them.
local function w1g(n)
  ac.run(function()
    local tasks = {}
    for i = 1, n do tasks[i] = ac.create_task(one) end
    tasks.list = true  -- one list of results: more than unpack carries
    local results = ac.gather(tasks)
    local total = 0
    for i = 1, n do total = total + results[i] end
    assert(total == n)
  end)
end

-- Resident memory in bytes (Linux).
local function rss_bytes()
  local f = io.open("/proc/self/statm", "r")
  if not f then return 0 end
  local _, resident = f:read("*n", "*n")
  f:close()
  return (resident or 0) * 4096
end

local function sleeper() ac.sleep(0.1) end

-- W2: n tasks each sleep 100 ms once; the wall time, and the resident
-- memory per task while all of them sleep (as bench/w2_sleep.c: measured
-- 50 ms in, once every task has started).
local function w2(n)
  collectgarbage("collect")
  local loop = ac.new_loop()
  local before = rss_bytes()
  local peak = 0
  local start = loop:time()
  local last
  for _ = 1, n do last = loop:create_task(sleeper) end
  loop:call_later(0.05, function() peak = rss_bytes() end)
  -- Equal sleeps end in creation order: the last one ends the run.
  loop:run_until_complete(last)
  local ms = (loop:time() - start) * 1e3
  loop:close()
  return (peak - before) / n, ms
end

local function w3(n)
  ac.run(function()
    local q1, q2 = ac.Queue(1), ac.Queue(1)
    local pong = ac.create_task(function()
      for _ = 1, n do q2:put(q1:get()) end
    end)
    for i = 1, n do
      q1:put(i)
      assert(q2:get() == i)
    end
    ac.await(pong)
  end)
end

local function w4(tasks, rounds)
  ac.run(function()
    local lock = ac.Lock()
    local counter = 0
    local function critical()
      counter = counter + 1
      ac.sleep(0)
    end
    local function worker()
      for _ = 1, rounds do lock:with(critical) end
    end
    local all = {}
    for t = 1, tasks do all[t] = ac.create_task(worker) end
    for t = 1, tasks do ac.await(all[t]) end
    assert(counter == tasks * rounds)
  end)
end

-- Wall time: os.clock is CPU time, fine for a single-threaded loop that
-- never blocks in these workloads.
local function timed(f, ...)
  local t0 = clock()
  f(...)
  return clock() - t0
end

-- W2 first: the memory the others free stays in the process and would
-- hide what W2 takes.
local per_task, ms = w2(math.floor(100000 / scale))
print(("RESULT W2 %s %.0f B/task"):format(system, per_task))
print(("RESULT W2ms %s %.0f ms"):format(system, ms))
local n = math.floor(200000 / scale)
timed(w1, math.floor(n / 10))
print(("RESULT W1 %s %.1f ns/task"):format(system, timed(w1, n) * 1e9 / n))
-- Should the gather fail, there is no W1g figure, and a SKIP line says
-- why.
local ok, t = pcall(timed, w1g, math.floor(n / 10))
if ok then ok, t = pcall(timed, w1g, n) end
if ok then
  print(("RESULT W1g %s %.1f ns/task"):format(system, t * 1e9 / n))
else
  local why = tostring(t):gsub("\n.*", "")
  print(("SKIP W1g %s gather of %d tasks failed: %s"):format(system, n, why))
end
timed(w3, math.floor(n / 10))
print(("RESULT W3 %s %.1f ns/trip"):format(system, timed(w3, n) * 1e9 / n))
local rounds = math.floor(2000 / scale)
timed(w4, 100, math.floor(rounds / 10) + 1)
print(("RESULT W4 %s %.1f ns/acquire"):format(system, timed(w4, 100, rounds) * 1e9 / (100 * rounds)))
