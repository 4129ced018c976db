-- common.lua — what every file of the Lua conformance program shares: the
-- trace vocabulary of scenarios/harness.py and the scenario table.
--
-- The files of an area (sync.lua, tasks.lua, structured.lua) are loaded by
-- conformance.lua as `dofile(path)(C)`, C being the table this file
-- returns; each adds its scenarios with C.scenario(name, main).
local ac = require "asyncore"
local core = ac.core

local C = { ac = ac, core = core }

C.unpack = table.unpack or unpack
C.pack = table.pack or function(...) return { n = select("#", ...), ... } end

-- The loop time in whole milliseconds, rounded to nearest.
local function ms()
  return math.floor(ac.get_event_loop():time() * 1000 + 0.5)
end
C.ms = ms

--- harness.say: one line without the time.
function C.say(line) io.write(line, "\n") end
--- harness.trace: one line carrying the loop time, "t=<ms> <line>".
function C.trace(line) io.write(string.format("t=%d %s", ms(), line), "\n") end

--- int(b) of a boolean: "1" or "0".
function C.int(b) return b and "1" or "0" end

--- harness.code: the name ac_err_name gives the error's code.
function C.code(e)
  if type(e) == "table" and type(e.code) == "number" then return core.err_name(e.code) end
  return tostring(e)
end

--- harness.cls: asyncio's class of the error.
function C.cls(e)
  if type(e) == "table" and e.class then return e.class end
  return type(e)
end

--- harness.msg: the error's message.
function C.msg(e)
  if type(e) == "table" and e.message ~= nil then return tostring(e.message) end
  return tostring(e)
end

--- harness.describe: "Class: message", or "Class" when the message is empty.
function C.describe(e)
  local m = C.msg(e)
  if m ~= "" then return C.cls(e) .. ": " .. m end
  return C.cls(e)
end

--- A list joined by ", ".
function C.join(list) return table.concat(list, ", ") end

--- Runs body(); when it raises an error of class `cls`, handler(e) runs
-- and, unless it returns true, the error is raised again:
-- try: body() except cls as e: handler(e); raise.
function C.on_error(cls, body, handler)
  local r = C.pack(pcall(body))
  if not r[1] then
    local e = r[2]
    if ac.is(e, cls) then
      if handler(e) == true then return end
    end
    error(e, 0)
  end
  return C.unpack(r, 2, r.n)
end

--- try: body() except CancelledError: handler(e); raise.
function C.on_cancel(body, handler)
  return C.on_error("CancelledError", body, handler)
end

--- try: body() except cls as e: handler(e) (the error is swallowed; any
-- other error goes on).
function C.catch(cls, body, handler)
  local r = C.pack(pcall(body))
  if r[1] then return C.unpack(r, 2, r.n) end
  if ac.is(r[2], cls) then return handler(r[2]) end
  error(r[2], 0)
end

--- A new task running fn(...).
function C.task(fn, ...) return ac.create_task(fn, ...) end

--- A function of no arguments calling fn(...) (what gather/wait make
-- tasks of).
function C.call(fn, ...)
  local args = C.pack(...)
  return function() return fn(C.unpack(args, 1, args.n)) end
end

--- Awaits t; swallows a CancelledError (try: await t except
-- CancelledError: pass).
function C.await_quiet(t)
  return C.catch("CancelledError", function() return ac.await(t) end, function() end)
end

-- name -> the function that runs the scenario, and the names in order.
C.S = {}
C.order = {}

--- A scenario whose program is `runner` (it runs its own loops).
function C.scenario_run(name, runner)
  C.S[name] = runner
  C.order[#C.order + 1] = name
end

--- A scenario whose main runs as asyncio.run(main()) on the virtual clock.
function C.scenario(name, main)
  C.scenario_run(name, function() return ac.run({ virtual_clock = true }, main) end)
end

return C
