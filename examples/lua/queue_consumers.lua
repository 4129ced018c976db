-- queue_consumers.lua — one producer, two consumers and join, on a Queue
-- (asyncio.Queue with 3.13's shutdown). The random delays of the original
-- are fixed ones so the run is deterministic: the producer works 0.1 s then
-- 0.2 s per item and 0.3 s before the sentinel (nil); each consumer works
-- 0.3 s per item. Pass --virtual-clock to run on the virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local produce_delay = { 0.1, 0.2, 0.2, 0.2, 0.2, 0.3 }
local consume_delay = 0.3

local function producer(queue, num_items)
  for i = 0, num_items - 1 do
    local item = "item-" .. i
    ac.sleep(produce_delay[i + 1])
    queue:put(item)
    print(("Producer: Put %s into queue"):format(item))
  end
  ac.sleep(produce_delay[num_items + 1])
  queue:put(nil) -- the sentinel
  print("Producer: Put None into queue")
  queue:shutdown() -- no more puts; gets drain what is left
end

local function consumer(queue, consumer_id)
  while true do
    local ok, item = pcall(queue.get, queue)
    if not ok then
      if not ac.is_error(item, ac.QueueShutDown) then error(item, 0) end
      break
    end
    print(("Consumer %d: Got %s from queue"):format(consumer_id, item == nil and "None" or item))
    if item == nil then
      queue:task_done()
      break
    end
    ac.sleep(consume_delay)
    queue:task_done()
  end
  print(("Consumer %d: Finished"):format(consumer_id))
end

ac.run(function()
  print("Starting main_queue")
  local queue = ac.Queue()
  local producer_task = ac.create_task(producer, queue, 5)
  local c0 = ac.create_task(consumer, queue, 0)
  local c1 = ac.create_task(consumer, queue, 1)
  ac.gather(producer_task, c0, c1)
  queue:join()
  print("Finished main_queue")
end)
