-- close_pending.lua — the interpreter exits (lua_close) while loops made
-- from Lua still hold pending tasks, callbacks, queued Lua values and a
-- failed future nobody read: everything is released once, nothing runs
-- into the closing state. Run under valgrind by the suite.
local ac = require "asyncore"
ac.config.virtual_clock = true

local loop = ac.new_loop()
ac.set_event_loop(loop)
local q = ac.Queue()
q:put_nowait({ "queued" })
ac.create_task(function() ac.sleep(3600) end)
ac.create_task(function() q:get(); q:get() end)
loop:call_later(10, function() error("never runs") end)
loop:set_exception_handler(function() end)
local f = loop:create_future()
f:set_exception({ "unread" })
loop:step()
-- A second loop, never stepped.
local other = ac.new_loop()
other:create_task(function() ac.sleep(1) end)
print("exiting with pending work")
