-- semaphore_workers.lua — at most two workers at a time
-- (asyncio.Semaphore). Pass --virtual-clock to run on the virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end
local unpack = table.unpack or unpack

ac.run(function()
  local semaphore = ac.Semaphore(2) -- allow only 2 concurrent tasks
  local function limited_worker(task_id)
    print(("Task %d: Waiting for semaphore"):format(task_id))
    semaphore:with(function()
      print(("Task %d: Acquired semaphore, working..."):format(task_id))
      ac.sleep(1) -- simulate work
      print(("Task %d: Releasing semaphore"):format(task_id))
    end)
  end
  print("Starting main_semaphore")
  local tasks = {}
  for i = 0, 4 do tasks[#tasks + 1] = ac.create_task(limited_worker, i) end
  ac.gather(unpack(tasks))
  print("Finished main_semaphore")
end)
