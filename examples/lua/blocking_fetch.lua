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
-- The non-blocking half runs on the loop's clock (virtual with
-- --virtual-clock); the blocking half really blocks, 2 s per fetch, and is
-- timed with the system's clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end
io.stdout:setvbuf("line")

local urls = { "http://api.example.com/data1", "http://api.example.com/data2" }

-- Seconds since boot, to 0.01 s: a monotonic clock without a C module.
local function real_now()
  local f = assert(io.open("/proc/uptime"))
  local up = f:read("n")
  f:close()
  return up
end

local function non_blocking_fetch(url)
  print(("Non-blocking: Requesting %s..."):format(url))
  ac.sleep(2)
  print(("Non-blocking: Received data from %s"):format(url))
end

local function blocking_fetch(url)
  print(("Blocking: Requesting %s..."):format(url))
  os.execute("sleep 2") -- blocks this thread, loop included
  print(("Blocking: Received data from %s"):format(url))
end

ac.run(function()
  print("--- Demonstrating Non-blocking I/O ---")
  local loop = ac.get_running_loop()
  local start = loop:time()
  ac.gather(ac.create_task(non_blocking_fetch, urls[1]), ac.create_task(non_blocking_fetch, urls[2]))
  print(("Non-blocking total time: %.2f seconds"):format(loop:time() - start))
  print("")
  print("--- Demonstrating Blocking I/O (within an async context, still blocks) ---")
  local t0 = real_now()
  blocking_fetch(urls[1])
  blocking_fetch(urls[2])
  print(("Blocking total time: %.2f seconds"):format(real_now() - t0))
end)
