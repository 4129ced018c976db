-- interp.lua — runs scenarios on libasyncore (the Lua binding) and prints
-- their traces: the same lines interp.py prints on CPython's asyncio.
--
--   lua5.4 interp.lua FILE    every scenario of FILE ('-': stdin), each in
--                             its own ac.run on the virtual clock, its trace
--                             after a line "=== NAME"
--
-- README.md describes the language and the trace.
local ac = require "asyncore"

-- Times are in ticks of 1/1024 s (exact sums: see interp.py).
local TICK = 1 / 1024
local HORIZON = 8192
local PRIMS = { lock = true, event = true, cond = true, sem = true, bsem = true, queue = true, lifo = true,
  barrier = true }

local function words(line)
  local w = {}
  for x in line:gmatch("%S+") do w[#w + 1] = x end
  return w
end

-- The scenarios of a text: { name=, prims={words...}, tasks={ {id=, parent=, ops=} } };
-- an op is { words=, text=, body= (group only) }.
local function parse_batch(text)
  local scenarios, task, stack = {}, nil, {}
  for raw in (text .. "\n"):gmatch("([^\n]*)\n") do
    local line = raw:gsub("#.*$", "")
    local w = words(line)
    if #w > 0 then
      if w[1] == "scenario" then
        scenarios[#scenarios + 1] = { name = w[2] or tostring(#scenarios), prims = {}, tasks = {} }
        task, stack = nil, {}
      else
        if #scenarios == 0 then scenarios[1] = { name = "0", prims = {}, tasks = {} } end
        local s = scenarios[#scenarios]
        if PRIMS[w[1]] then
          s.prims[#s.prims + 1] = w
        elseif w[1] == "task" or w[1] == "child" then
          task = { id = tonumber(w[2]), parent = w[1] == "child" and tonumber(w[4]) or nil, ops = {} }
          s.tasks[#s.tasks + 1] = task
          stack = { task.ops }
        elseif w[1] == "end" then
          stack[#stack] = nil
        else
          local op = { words = w, text = table.concat(w, " ") }
          local top = stack[#stack]
          top[#top + 1] = op
          if w[#w] == "group" then -- group, or timeout K group
            op.body = {}
            stack[#stack + 1] = op.body
          end
        end
      end
    end
  end
  return scenarios
end

local function describe(e)
  if type(e) ~= "table" then return "LuaError: " .. tostring(e) end
  if e.class == "ExceptionGroup" then
    local parts = {}
    for i, x in ipairs(e.exceptions or {}) do parts[i] = describe(x) end
    return "ExceptionGroup(" .. table.concat(parts, ", ") .. ")"
  end
  local m = e.message ~= nil and tostring(e.message) or ""
  if m ~= "" then return e.class .. ": " .. m end
  return tostring(e.class)
end

local function run_scenario(s)
  local out = {}
  local tasks, prims, children, kinds = {}, {}, {}, {}
  for _, t in ipairs(s.tasks) do
    if t.parent then
      children[t.parent] = children[t.parent] or {}
      table.insert(children[t.parent], t)
    end
  end
  local loop

  local function trace(text)
    out[#out + 1] = string.format("t=%d %s", math.floor(loop:time() / TICK + 0.5), text)
  end

  local run_op, task_main

  local function slice(w, from)
    local r = {}
    for i = from, #w do r[#r + 1] = w[i] end
    return r
  end

  -- The op's value as printed (nil: "ok").
  local function perform(tid, op)
    local w = op.words
    local name = w[1]
    if name == "sleep" then
      ac.sleep(tonumber(w[2]) * TICK)
      return nil
    elseif name == "cancel" then
      local t = tasks[tonumber(w[2])]
      if t == nil then return "none" end
      return t:cancel(w[3]) and "1" or "0"
    elseif name == "timeout" then
      local inner = { words = slice(w, 3), body = op.body }
      return ac.timeout(tonumber(w[2]) * TICK, function() return perform(tid, inner) end)
    elseif name == "group" then
      ac.task_group(function(tg)
        for _, c in ipairs(children[tid] or {}) do
          tasks[c.id] = tg:create_task(task_main, c)
        end
        for _, body_op in ipairs(op.body) do run_op(tid, body_op) end
      end)
      return nil
    end
    local p = prims[w[2]]
    if kinds[w[2]] == "barrier" then
      if name == "wait" then return tostring(p:wait()) end
      if name == "abort" then p:abort() return nil end
      if name == "reset" then p:reset() return nil end
      return string.format("broken=%s n_waiting=%d", p:broken() and "1" or "0", p:n_waiting())
    end
    if name == "acquire" then p:acquire()
    elseif name == "release" then p:release()
    elseif name == "set" then p:set()
    elseif name == "clear" then p:clear()
    elseif name == "wait" then p:wait()
    elseif name == "notify" then p:notify(tonumber(w[3]))
    elseif name == "notify_all" then p:notify_all()
    elseif name == "put" then p:put(tonumber(w[3]))
    elseif name == "put_nowait" then p:put_nowait(tonumber(w[3]))
    elseif name == "get" then return tostring(p:get())
    elseif name == "get_nowait" then return tostring((p:get_nowait()))
    elseif name == "task_done" then p:task_done()
    elseif name == "join" then p:join()
    elseif name == "probe" then
      local k = kinds[w[2]]
      local function int(b) return b and "1" or "0" end
      if k == "queue" or k == "lifo" then
        return string.format("qsize=%d empty=%s full=%s", p:qsize(), int(p:empty()), int(p:full()))
      elseif k == "event" then
        return "set=" .. int(p:is_set())
      end
      return "locked=" .. int(p:locked())
    else error("unknown op " .. op.text, 0)
    end
    return nil
  end

  run_op = function(tid, op)
    if op.words[1] == "fail" then
      trace(string.format("T%d fail", tid))
      error(ac.ValueError("fail"), 0)
    end
    local ok, r = pcall(perform, tid, op)
    if ok then
      trace(string.format("T%d %s: %s", tid, op.text, r == nil and "ok" or r))
      return
    end
    trace(string.format("T%d %s: %s", tid, op.text, describe(r)))
    if ac.is(r, "CancelledError") then error(r, 0) end
    if type(r) ~= "table" then error(r, 0) end
  end

  task_main = function(t)
    local ok, e = pcall(function()
      for _, op in ipairs(t.ops) do run_op(t.id, op) end
    end)
    if ok then
      trace(string.format("T%d end: done", t.id))
      return
    end
    if ac.is(e, "CancelledError") then
      trace(string.format("T%d end: cancelled", t.id))
    elseif ac.is(e, "ValueError") and e.message == "fail" then
      trace(string.format("T%d end: failed", t.id))
    end
    error(e, 0)
  end

  local cut
  local ok, err = pcall(ac.run, { virtual_clock = true }, function()
    loop = ac.get_running_loop()
    loop:set_exception_handler(function() end)
    for _, w in ipairs(s.prims) do
      local kind, name = w[1], w[2]
      local p
      if kind == "lock" then p = ac.Lock()
      elseif kind == "event" then p = ac.Event()
      elseif kind == "cond" then p = ac.Condition(w[3] and prims[w[3]] or nil)
      elseif kind == "sem" then p = ac.Semaphore(tonumber(w[3]))
      elseif kind == "bsem" then p = ac.BoundedSemaphore(tonumber(w[3]))
      elseif kind == "barrier" then p = ac.Barrier(tonumber(w[3]))
      elseif kind == "lifo" then p = ac.LifoQueue(tonumber(w[3]))
      else p = ac.Queue(tonumber(w[3]))
      end
      kinds[name] = kind
      prims[name] = p
    end
    for _, t in ipairs(s.tasks) do
      if not t.parent then tasks[t.id] = ac.create_task(task_main, t) end
    end
    ac.sleep(HORIZON * TICK)
    local ids, left = {}, {}
    for id in pairs(tasks) do ids[#ids + 1] = id end
    table.sort(ids)
    for _, id in ipairs(ids) do
      if not tasks[id]:done() then left[#left + 1] = "T" .. id end
    end
    trace("pending: " .. (#left > 0 and table.concat(left, " ") or "none"))
    cut = #out
    -- The handler goes before the loop closes: what ac.run reports while
    -- it tears the tasks left down goes to stderr, not into the trace.
    loop:set_exception_handler(nil)
  end)
  -- What the tasks left print while ac.run cancels them is not part of
  -- the trace: CPython's side stops at the end of main.
  if not ok then
    cut = nil
    out[#out + 1] = "interpreter error: " .. describe(err)
  end
  return out, cut
end

local path = arg[1] or "-"
local text
if path == "-" then
  text = io.read("*a")
else
  local f = assert(io.open(path, "rb"))
  text = f:read("*a")
  f:close()
end
for _, s in ipairs(parse_batch(text)) do
  io.write("=== ", s.name, "\n")
  local out, n = run_scenario(s)
  for i = 1, n or #out do io.write(out[i], "\n") end
end
io.flush()
