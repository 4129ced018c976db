-- blocking_fetch.lua — non-blocking fetches overlap; blocking ones, even
-- inside a task, stop the whole loop one after the other:
--
--   async def non_blocking_fetch(url):
--       print(f"Non-blocking: Requesting {url}...")
--       await asyncio.sleep(2)
--       print(f"Non-blocking: Received data from {url}")
--   def blocking_fetch(url):
--       print(f"Blocking: Requesting {url}...")
--       time.sleep(2)
--       print(f"Blocking: Received data from {url}")
--
-- Both halves are timed with perf_counter, as the guide's are with
-- time.perf_counter: the system's clock, where the blocking calls block the
-- thread, loop included, for 2 + 2 seconds. With --virtual-clock nothing
-- waits for real and the run is exact: perf_counter is the loop's virtual
-- clock plus the time blocking calls have held the loop still, and a
-- blocking sleep adds to that time instead of sleeping (as the Python
-- twin's virtual-clock run moves the loop's clock for time.sleep; see the
-- C twin).
local ac = require "asyncore"
local virtual_clock = arg and arg[1] == "--virtual-clock"
if virtual_clock then ac.config.virtual_clock = true end
io.stdout:setvbuf("line")

local urls = { "http://api.example.com/data1", "http://api.example.com/data2" }

-- Seconds since boot, to 0.01 s: a monotonic clock without a C module.
local function real_now()
  local f = assert(io.open("/proc/uptime"))
  local up = f:read("n")
  f:close()
  return up
end

local blocked = 0 -- seconds blocking calls held the loop (virtual clock)

-- time.perf_counter
local function perf_counter()
  if virtual_clock then return ac.get_running_loop():time() + blocked end
  return real_now()
end

-- time.sleep on the loop's thread: blocks it, loop included.
local function blocking_sleep(seconds)
  if virtual_clock then
    blocked = blocked + seconds
  else
    os.execute("sleep " .. seconds)
  end
end

local function non_blocking_fetch(url)
  print(("Non-blocking: Requesting %s..."):format(url))
  ac.sleep(2)
  print(("Non-blocking: Received data from %s"):format(url))
end

local function blocking_fetch(url)
  print(("Blocking: Requesting %s..."):format(url))
  blocking_sleep(2) -- Blocks the entire thread
  print(("Blocking: Received data from %s"):format(url))
end

ac.run(function()
  print("--- Demonstrating Non-blocking I/O ---")
  local start = perf_counter()
  ac.gather(ac.create_task(non_blocking_fetch, urls[1]), ac.create_task(non_blocking_fetch, urls[2]))
  print(("Non-blocking total time: %.2f seconds"):format(perf_counter() - start))
  print("")
  print("--- Demonstrating Blocking I/O (within an async context, still blocks) ---")
  local t0 = perf_counter()
  blocking_fetch(urls[1])
  blocking_fetch(urls[2])
  print(("Blocking total time: %.2f seconds"):format(perf_counter() - t0))
  print("")
end)
