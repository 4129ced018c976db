-- lock_shared_counter.lua — three tasks update a shared counter under a
-- Lock (asyncio.Lock). The read-sleep-write would lose updates without the
-- lock; with it the counter ends at 3. As in asyncio, taking a free lock
-- does not suspend: try_acquire first, await acquire only when it is held,
-- so task 1 holds the lock before tasks 2 and 3 ask for it. Pass
-- --virtual-clock to run on the virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local shared_counter = 0

-- Calls fn holding lock, released also when fn raises: `async with lock`.
local function with_lock(lock, fn)
  if not lock:try_acquire() then lock:acquire() end
  local ok, err = pcall(fn)
  lock:release()
  if not ok then error(err, 0) end
end

ac.run(function()
  local lock = ac.Lock()
  local function increment_counter(task_id)
    print(("Task %d: Attempting to acquire lock..."):format(task_id))
    with_lock(lock, function()
      print(("Task %d: Lock acquired. Current counter: %d"):format(task_id, shared_counter))
      local temp_counter = shared_counter
      ac.sleep(0.1)
      shared_counter = temp_counter + 1
      print(("Task %d: Lock released. New counter: %d"):format(task_id, shared_counter))
    end)
  end
  print("Main: Running tasks with shared counter...")
  ac.gather(ac.create_task(increment_counter, 1), ac.create_task(increment_counter, 2),
    ac.create_task(increment_counter, 3))
  print(("Main: Final shared counter value: %d"):format(shared_counter))
end)
