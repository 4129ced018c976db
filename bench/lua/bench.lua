-- bench.lua — W1, W3, W4 through the Lua binding (Lua 5.4 or LuaJIT).
-- Prints RESULT <workload> <system> <value> <unit>. Usage:
--   lua5.4 bench.lua [scale] [system-name]
local ac = require "asyncore"
local scale = tonumber(arg and arg[1]) or 1
local system = arg and arg[2] or "lua"
local clock = os.clock

local function w1(n)
  ac.run(function()
    local tasks = {}
    for i = 1, n do tasks[i] = ac.create_task(function() return 1 end) end
    local total = 0
    for i = 1, n do total = total + ac.await(tasks[i]) end
    assert(total == n)
  end)
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
    local all = {}
    for t = 1, tasks do
      all[t] = ac.create_task(function()
        for _ = 1, rounds do
          lock:with(function()
            counter = counter + 1
            ac.sleep(0)
          end)
        end
      end)
    end
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

local n = math.floor(200000 / scale)
timed(w1, math.floor(n / 10))
print(("RESULT W1 %s %.1f ns/task"):format(system, timed(w1, n) * 1e9 / n))
timed(w3, math.floor(n / 10))
print(("RESULT W3 %s %.1f ns/trip"):format(system, timed(w3, n) * 1e9 / n))
local rounds = math.floor(2000 / scale)
timed(w4, 100, math.floor(rounds / 10) + 1)
print(("RESULT W4 %s %.1f ns/acquire"):format(system, timed(w4, 100, rounds) * 1e9 / (100 * rounds)))
