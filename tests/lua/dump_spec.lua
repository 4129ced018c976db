-- Seeing into a loop: ac.dump() / loop:dump() and loop:stats().
local ac = require "asyncore"
local H = require "helper"

-- Addresses change from run to run: the specs compare the rest.
local function plain(s) return (s:gsub("0x%x+", "ADDR")) end

describe("dump", function()
  it("shows every task, what it awaits and who awaits it", function()
    local text, json, stats, ids
    H.run(function()
      local lock, ev, q = ac.Lock(), ac.Event(), ac.Queue()
      local c = ac.create_task { function() lock:acquire(); ev:wait() end, name = "C" }
      ac.sleep(0)
      local b = ac.create_task { function() lock:acquire() end, name = "B" }
      local a = ac.create_task { function() ac.await(b) end, name = "A" }
      local d = ac.create_task { function() lock:acquire() end, name = "D" }
      local e = ac.create_task { function() ac.sleep(5) end, name = "E" }
      local f = ac.create_task { function() q:get() end, name = "F" }
      ac.current_task():set_name("main")
      ac.sleep(2.5)
      text = ac.dump()
      json = ac.get_running_loop():dump("json")
      stats = ac.get_running_loop():stats()
      ids = { main = ac.current_task():get_id(), a = a:get_id(), b = b:get_id(), c = c:get_id(),
        d = d:get_id(), e = e:get_id(), f = f:get_id() }
      ev:set()
      for _, t in ipairs { a, b, d, e, f } do t:cancel() end
      ac.sleep(0)
      lock:release()
    end)
    local want = ([[
#M main running
#C C waiting: event ADDR position=1 waiters=1
#B B waiting: lock ADDR position=1 waiters=2 locked=yes
#A A waiting: task #B B
#D D waiting: lock ADDR position=2 waiters=2 locked=yes
#E E waiting: sleep left=2.500
#F F waiting: queue_get ADDR position=1 waiters=1 size=0
]]):gsub("#(%u)", function(k) return "#" .. ids[k == "M" and "main" or k:lower()] end)
    -- B is shown under A, which awaits it.
    want = want:gsub("(#%d+ B [^\n]*\n)(#%d+ A [^\n]*\n)", function(bl, al) return al .. "  " .. bl end)
    assert.are.equal(want, plain(text))
    local lines = {}
    for l in json:gmatch("[^\n]+") do lines[#lines + 1] = plain(l) end
    assert.are.equal(7, #lines)
    assert.are.equal(('{"id":%d,"name":"main","state":"running","cancelling":0,"awaits":null,'
      .. '"awaited_by":[]}'):format(ids.main), lines[1])
    assert.are.equal(('{"id":%d,"name":"B","state":"waiting","cancelling":0,"awaits":{"kind":'
      .. '"lock","object":"ADDR","position":1,"waiters":2,"locked":true},"awaited_by":[%d]}')
      :format(ids.b, ids.a), lines[3])
    assert.are.equal(('{"id":%d,"name":"A","state":"waiting","cancelling":0,"awaits":{"kind":'
      .. '"task","id":%d,"name":"B"},"awaited_by":[]}'):format(ids.a, ids.b), lines[4])
    assert.are.equal(('{"id":%d,"name":"E","state":"waiting","cancelling":0,"awaits":{"kind":'
      .. '"sleep","left":2.5},"awaited_by":[]}'):format(ids.e), lines[6])
    assert.are.equal(7, stats.tasks_alive)
    assert.are.equal(7, stats.tasks_created)
    assert.are.equal(1, stats.timers)
    assert.are.equal(0, stats.ready)
    assert.is_true(stats.callbacks_run > 0 and stats.iterations > 0)
  end)

  it("works from a loop callback, between runs and refuses bad input", function()
    local loop = ac.new_loop()
    local seen
    local t = loop:create_task(function() ac.sleep(1) end)
    t:set_name("sleeper")
    loop:call_later(0.25, function() seen = loop:dump(); loop:stop() end)
    loop:run_forever()
    assert.are.equal(("#%d sleeper waiting: sleep left=0.750\n"):format(t:get_id()), seen)
    assert.are.equal(seen, loop:dump("text"))
    assert.are.equal(1, loop:stats().tasks_alive)
    local ok, e = pcall(loop.dump, loop, "yaml")
    assert.is_false(ok)
    assert.are.equal("ValueError", e.class)
    loop:run_until_complete(t)
    assert.are.equal("", loop:dump())
    loop:close()
    ok, e = pcall(loop.dump, loop)
    assert.is_false(ok)
    assert.are.equal("RuntimeError", e.class)
    ok = pcall(loop.stats, loop)
    assert.is_false(ok)
  end)
end)
