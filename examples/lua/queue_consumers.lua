-- queue_consumers.lua — one producer, two consumers and join, on a Queue
-- (the Python twin is python/queue_consumers.py, whose comments give the
-- changes from the guide: fixed delays instead of random ones, and one
-- sentinel, nil here, per consumer, since with the guide's single one the
-- second consumer waits forever). Pass --virtual-clock to run on the
-- virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local produce_delay = { 0.1, 0.25, 0.2, 0.25, 0.2 } -- uniform(0.1, 0.5)
local consume_delay = 0.3 -- uniform(0.2, 0.6)

local function producer(queue, num_items)
  for i = 0, num_items - 1 do
    local item = "item-" .. i
    ac.sleep(produce_delay[i + 1])
    queue:put(item)
    print(("Producer: Put %s into queue"):format(item))
  end
  for _ = 1, 2 do
    queue:put(nil) -- Sentinel to signal consumer to stop
  end
end

local function consumer(queue, consumer_id)
  while true do
    local item = queue:get()
    if item == nil then
      queue:task_done()
      break
    end
    print(("Consumer %d: Got %s from queue"):format(consumer_id, item))
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
