-- queue_producer_consumer.lua — a producer and a consumer decoupled by a
-- Queue (asyncio.Queue). The random delays of the original are fixed draws
-- from the same ranges so the run is deterministic. As in asyncio, a put on
-- an unbounded queue and a get of a queued item do not suspend. Pass
-- --virtual-clock to run on the virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local produce_delay = { 0.2, 0.45, 0.15, 0.3, 0.4 } -- uniform(0.1, 0.5)
local consume_delay = { 0.6, 0.85, 0.55, 0.9, 0.7 } -- uniform(0.5, 1.0)

local function producer(queue, num_items)
  for i = 0, num_items - 1 do
    local item = "item_" .. i
    queue:put(item)
    print(("Producer: Put %s into queue"):format(item))
    ac.sleep(produce_delay[i + 1])
  end
  queue:put(nil) -- the sentinel: the consumer stops
end

local function consumer(queue)
  local n = 0
  while true do
    local item = queue:get()
    if item == nil then
      print("Consumer: Received stop signal. Exiting.")
      queue:task_done()
      break
    end
    print(("Consumer: Got %s from queue, processing..."):format(item))
    n = n + 1
    ac.sleep(consume_delay[n])
    print(("Consumer: Finished processing %s"):format(item))
    queue:task_done()
  end
end

ac.run(function()
  local queue = ac.Queue()
  ac.gather(ac.create_task(producer, queue, 5), ac.create_task(consumer, queue))
  queue:join()
  print("Main: All producer/consumer tasks finished.")
end)
