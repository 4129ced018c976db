-- lock_counter.lua — five tasks increment a shared counter, one at a time
-- (asyncio.Lock). Pass --virtual-clock to run on the virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end
local unpack = table.unpack or unpack

local shared_resource = 0

ac.run(function()
  local lock = ac.Lock()
  local function increment_with_lock(task_id)
    print(("Task %d: Trying to acquire lock"):format(task_id))
    lock:with(function()
      print(("Task %d: Lock acquired, current resource: %d"):format(task_id, shared_resource))
      ac.sleep(0.01) -- simulate work
      shared_resource = shared_resource + 1
      print(("Task %d: Resource incremented to %d, releasing lock"):format(task_id, shared_resource))
    end)
  end
  print("Starting main_lock")
  local tasks = {}
  for i = 0, 4 do tasks[#tasks + 1] = ac.create_task(increment_with_lock, i) end
  ac.gather(unpack(tasks))
  print(("Final shared resource value: %d"):format(shared_resource))
end)
