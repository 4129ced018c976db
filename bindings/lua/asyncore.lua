--- asyncore — asyncio's model for Lua 5.4 and LuaJIT: coroutines are tasks.
--
--   local ac = require "asyncore"
--   ac.run(function()
--     local t = ac.create_task(function(name) ac.sleep(1); return "hi " .. name end, "Bob")
--     print(ac.await(t))            -- hi Bob
--   end)
--
-- A task is a coroutine driven by the event loop: `ac.await(x)` suspends it
-- until the future or task `x` is done and returns its values (or raises its
-- error). Cancellation arrives at the next await as a `CancelledError`
-- object, which `pcall` can catch and the code should re-raise; timeouts as
-- `TimeoutError`. A Lua error inside a task fails the task; whoever awaits
-- it gets the same error value back.
--
-- This file is the Lua face, the same for Lua 5.4 and LuaJIT; the C ABI
-- underneath (SWIG-generated, plus the C adapter) is a C module of its own
-- per interpreter, asyncore_lua54 or asyncore_luajit, available as `ac.core`.
local core_name = (jit and "asyncore_luajit")
  or (_VERSION == "Lua 5.4" and "asyncore_lua54")
if not core_name then
  error("asyncore: no C module for " .. _VERSION
    .. " (asyncore is built for Lua 5.4 and LuaJIT)", 2)
end
local core_ok, core = pcall(require, core_name)
if not core_ok then
  error("asyncore: the C module " .. core_name .. " for "
    .. (jit and jit.version or _VERSION) .. " did not load"
    .. " (is libasyncore's Lua module installed for this interpreter?): "
    .. tostring(core), 2)
end

local M = {}
M.core = core
M._VERSION = core.version_string()

-- Gives back memory the runtime keeps for reuse on this thread (ac_trim):
-- the small blocks tasks and futures were made of, kept after a burst, go
-- back to the system where whole slabs of them are free. Returns the bytes
-- given back: 0 when there was nothing, and where the runtime keeps
-- nothing for reuse (AddressSanitizer, valgrind, Windows, ASYNCORE_POOL=0).
function M.trim()
  local n = math.floor(core.trim())
  if n < 0 then return 0 end
  return n
end

-- SWIG installs integer constants as floats; Lua 5.4 would print "-22.0".
if math.type then
  for k, v in pairs(core) do
    if math.type(v) == "float" and v == math.floor(v) and v > -2 ^ 53 and v < 2 ^ 53 then
      rawset(core, k, math.tointeger(v))
    end
  end
end

local unpack = table.unpack or unpack
local pack = table.pack or function(...) return { n = select("#", ...), ... } end

-- The natives that may suspend a task (await, sleep, a lock's acquire, a
-- queue's get ...) return their results once resumed on Lua 5.4; on LuaJIT
-- (no continuations in C) they return `true, values...` or `false, error`
-- and `finish` makes the results or raises the error.
local K = core.resumes_natives
local function finish(ok, ...)
  if ok then return ... end
  error((...), 0)
end

--- Defaults for the loops this module creates (ac.run, ac.new_loop).
-- virtual_clock: time jumps to the next timer when nothing is ready (tests,
-- examples); the environment variable ASYNCORE_VIRTUAL_CLOCK=1 sets it.
M.config = {
  virtual_clock = os.getenv("ASYNCORE_VIRTUAL_CLOCK") == "1",
  debug = false,
}

---------------------------------------------------------------------------
-- Errors
---------------------------------------------------------------------------
--
-- An error the library raises is a table whose metatable is its class:
-- asyncio's exception class for the condition (`e.class`, the name
-- core.err_class gives its code: "CancelledError", "TimeoutError",
-- "RuntimeError", "ValueError", "ConnectionResetError" ...), with
-- `e.message` (asyncio's words; "" where asyncio has none), `e.code` (the
-- C code), `e.errname` (its name, "AC_ECANCELLED"), `e.cause` (the error
-- that led to it, or nil) and, for an ExceptionGroup, `e.exceptions`.
-- tostring(e) is "Class: message" ("Class" when the message is empty).
-- Test the class with ac.is(e, "TimeoutError") (or a class table:
-- ac.is(e, ac.TimeoutError)), which follows asyncio's hierarchy:
-- ac.is(e, "OSError") holds for a ConnectionResetError or a TimeoutError,
-- ac.is(e, "Exception") for everything but a CancelledError.

local Error = { name = "BaseException", class = "BaseException" }
-- Cancel messages that are not strings, by their text (see Task:cancel).
local cancel_values = {}
local classes_by_name = {}

local function error_tostring(e)
  local msg = e.message
  if msg == nil or msg == "" then return e.class end
  return e.class .. ": " .. tostring(msg)
end

-- asyncio's hierarchy: each class's parent (by name).
local parents = {
  Exception = "BaseException",
  CancelledError = "BaseException",
  OSError = "Exception",
  TimeoutError = "OSError",
  ConnectionError = "OSError",
  ConnectionResetError = "ConnectionError",
  ConnectionRefusedError = "ConnectionError",
  ConnectionAbortedError = "ConnectionError",
  BrokenPipeError = "ConnectionError",
  FileNotFoundError = "OSError",
  FileExistsError = "OSError",
  IsADirectoryError = "OSError",
  NotADirectoryError = "OSError",
  PermissionError = "OSError",
  ProcessLookupError = "OSError",
  ChildProcessError = "OSError",
  InterruptedError = "OSError",
  BlockingIOError = "OSError",
  gaierror = "OSError",
  SSLError = "OSError",
  SSLCertVerificationError = "SSLError",
  InvalidStateError = "Exception",
  RuntimeError = "Exception",
  BrokenBarrierError = "RuntimeError",
  ValueError = "Exception",
  QueueEmpty = "Exception",
  QueueFull = "Exception",
  QueueShutDown = "Exception",
  ExceptionGroup = "Exception",
  EOFError = "Exception",
  IncompleteReadError = "EOFError",
  LimitOverrunError = "Exception",
}

-- The code an error of each class made in Lua carries (ac.ValueError(m)).
local class_codes = {
  BaseException = core.EHOST,
  Exception = core.EHOST,
  CancelledError = core.ECANCELLED,
  TimeoutError = core.ETIMEDOUT,
  InvalidStateError = core.ESTATE,
  RuntimeError = core.EMISUSE,
  ValueError = core.EINVAL,
  QueueEmpty = core.EEMPTY,
  QueueFull = core.EFULL,
  QueueShutDown = core.ESHUTDOWN,
  BrokenBarrierError = core.EBROKEN,
  ExceptionGroup = core.EGROUP,
  IncompleteReadError = core.EINCOMPLETE,
  LimitOverrunError = core.ELIMIT,
  ConnectionResetError = core.ECONNRESET,
  ConnectionRefusedError = core.ECONNREFUSED,
  BrokenPipeError = core.EPIPE,
  FileNotFoundError = core.ENOENT,
  FileExistsError = core.EEXIST,
  BlockingIOError = core.EAGAIN,
  SSLError = core.ETLS,
  SSLCertVerificationError = core.ETLSVERIFY,
}

local error_class

-- Fields computed the first time they are read: the cause and a group's
-- errors (ac_error children), as Lua objects.
local function error_index(e, k)
  local cls = getmetatable(e)
  if k == "cause" or k == "exceptions" then
    local err = rawget(e, "_err")
    local v
    if k == "cause" then
      if rawget(e, "_cause_read") then return nil end
      v = err and M._error_object(err:cause()) or nil
      rawset(e, v ~= nil and "cause" or "_cause_read", v ~= nil and v or true)
      return v
    end
    v = e:children()
    rawset(e, "exceptions", v)
    return v
  end
  return cls[k]
end

-- The class table of asyncio's class `name` (made on first use; kind: the
-- error kind of a code, for OS errors asyncio's table does not name).
error_class = function(name, kind)
  local cls = classes_by_name[name]
  if cls then return cls end
  local parent_name = parents[name]
  if parent_name == nil then
    parent_name = kind == core.ERROR_KIND_OS and "OSError" or "Exception"
  end
  local parent = error_class(parent_name)
  cls = setmetatable({}, {
    __index = parent,
    __call = function(c, message, code) return c.new(message, code) end,
  })
  cls.name = name
  cls.class = name
  cls.code = class_codes[name] or parent.code
  -- Metamethods and the marker the C side checks are read raw.
  cls.__index = error_index
  cls.__tostring = error_tostring
  cls.__asyncore_error = true
  --- A new error of this class: cls(message [, code]).
  cls.new = function(message, code)
    return setmetatable({ code = code or cls.code, errname = core.err_name(code or cls.code),
                          message = message or "" }, cls)
  end
  classes_by_name[name] = cls
  return cls
end

Error.__index = error_index
Error.__tostring = error_tostring
Error.__asyncore_error = true
Error.code = core.EHOST
classes_by_name.BaseException = Error
--- An error of the class asyncio raises for `code` (default: Exception):
-- ac.Error("peer reset", ac.core.ECONNRESET) is a ConnectionResetError.
Error.new = function(message, code)
  code = code or core.EHOST
  local cls = error_class(core.err_class(code), code > -10000 and core.ERROR_KIND_OS or nil)
  return setmetatable({ code = code, errname = core.err_name(code), message = message or "" }, cls)
end
setmetatable(Error, { __call = function(_, message, code) return Error.new(message, code) end })
M.Error = Error
M.BaseException = Error

-- The classes every program names, as fields of the module.
for _, name in ipairs({ "Exception", "CancelledError", "TimeoutError", "InvalidStateError",
                        "RuntimeError", "ValueError", "OSError", "ConnectionError",
                        "ConnectionResetError", "ConnectionRefusedError", "BrokenPipeError",
                        "FileNotFoundError", "QueueEmpty", "QueueFull", "QueueShutDown",
                        "BrokenBarrierError", "ExceptionGroup", "IncompleteReadError",
                        "LimitOverrunError" }) do
  M[name] = error_class(name)
end
local CancelledError, TimeoutError = M.CancelledError, M.TimeoutError
local InvalidStateError, ExceptionGroup = M.InvalidStateError, M.ExceptionGroup

--- True when `e` is an error object of class `cls` (a class table or
-- asyncio's class name) or of a subclass of it, as Python's isinstance.
function M.is(e, cls)
  if cls == nil then cls = Error end
  if type(cls) == "string" then
    local known = classes_by_name[cls]
    if known == nil then
      return type(e) == "table" and rawget(e, "class") == cls
    end
    cls = known
  end
  if type(e) ~= "table" then return false end
  local mt = getmetatable(e)
  while mt do
    if mt == cls then return true end
    local meta = getmetatable(mt)
    mt = meta and meta.__index
    if type(mt) ~= "table" then return false end
  end
  return false
end
--- The same (the older name).
M.is_error = M.is

-- What asyncio says where the library recorded no reason of its own: its
-- errors for these conditions carry no message.
local silent = {
  [core.ETIMEDOUT] = true,
  [core.ECANCELLED] = true,
  [core.EEMPTY] = true,
  [core.EFULL] = true,
  [core.ESHUTDOWN] = true,
}

-- The message of a failure known by the code a call just returned:
-- asyncio's words as the library recorded them (or `fallback`).
local function code_message(code, fallback)
  local m = core.last_error_message(code)
  if m == core.strerror(code) then
    if fallback then return fallback end
    if silent[code] then return "" end
  end
  return m
end
M._code_message = code_message

-- The Lua object for a library error: `err` a core.Error (message nil:
-- its own), or nil for a failure known by its code (message nil: the
-- reason the last failing call recorded).
local function make_error(code, message, err)
  local kind = err and err:kind() or (code > -10000 and core.ERROR_KIND_OS or nil)
  if message == nil then
    message = err and err:message() or code_message(code)
  end
  if code == core.ECANCELLED and cancel_values[message] ~= nil then
    message = cancel_values[message]
  end
  local e = setmetatable({
    code = code,
    message = message,
    errname = core.err_name(code),
    kind = kind,
    _err = err,
  }, error_class(core.err_class(code), kind))
  if code == core.EINCOMPLETE and err then
    -- What the stream had before EOF (asyncio's IncompleteReadError.partial).
    e.partial = core.error_payload(err) or ""
  end
  return e
end
M._make_error = make_error

-- The Lua object for a child or cause: its Lua payload when a Lua error
-- made it.
local function error_object(err)
  if err == nil then return nil end
  local p = pack(core.error_payload(err))
  if p.n > 0 then return p[1] end
  return make_error(err:code(), err:message(), err)
end
M._error_object = error_object

core.set_error_factory(make_error)

--- The errors a group error aggregates (ExceptionGroup), as Lua objects.
function Error:children()
  local out = {}
  local err = rawget(self, "_err")
  if err then
    for i = 0, err:child_count() - 1 do out[#out + 1] = error_object(err:child(i)) end
  end
  return out
end

--- Message, causes and children, readable (with tracebacks for Lua errors).
function Error:format()
  local err = rawget(self, "_err")
  if err then return err:format() end
  return tostring(self)
end

-- Raises the error for a negative code (level: as error()); `fallback`:
-- the message when the library recorded no reason.
local function check(rc, what, level, fallback)
  if rc ~= nil and rc < 0 then
    error(make_error(rc, code_message(rc, fallback), nil), (level or 1) + 1)
  end
  return rc
end
M._check = check

-- The same for a call on a loop: a closed loop is asyncio's "Event loop
-- is closed".
local function check_loop(rc, what, level)
  if rc ~= nil and rc < 0 then
    local fallback = rc == core.ECLOSED and "Event loop is closed" or nil
    error(make_error(rc, code_message(rc, fallback), nil), (level or 1) + 1)
  end
  return rc
end

---------------------------------------------------------------------------
-- Wrappers: Loop, Future, Task, Handle
---------------------------------------------------------------------------

local Loop = {}
Loop.__index = Loop
local Future = {}
Future.__index = Future
-- Tasks are objects of the core module (userdata holding the task, whose
-- __index and __gc the module sets): this table is their class. Fields
-- made on demand: _loop (the Loop), _t and _f (core Task and Future).
local Task = core.task_class
setmetatable(Task, { __index = Future })
local Handle = {}
Handle.__index = Handle
M.Loop, M.Future, M.Task, M.Handle = Loop, Future, Task, Handle

-- One wrapper per handle while anyone holds it (identity for ==, tables).
-- (Task objects: the core module keeps one per task.)
local loops_by_id = setmetatable({}, { __mode = "v" })
local futures_by_id = setmetatable({}, { __mode = "v" })

local function wrap_loop(l, host)
  if l == nil then return nil end
  local id = l:id()
  local w = loops_by_id[id]
  if w then return w end
  w = setmetatable({ _l = l, _host = host or false }, Loop)
  loops_by_id[id] = w
  return w
end

-- A closed loop leaves the table at once. Its wrapper may outlive its core
-- object in LuaJIT (a Task being finalized keeps the wrapper, not the
-- userdata, from being collected), and nothing may then reach it through
-- the table: running_loop() would call into a freed loop.
local function forget_loop(w)
  local id = w._l:id()
  if loops_by_id[id] == w then loops_by_id[id] = nil end
end

local function wrap_task(t)
  if t == nil then return nil end
  if getmetatable(t) == Task then return t end
  return (core.task_object(t, wrap_loop(t:get_loop())))
end

local function wrap_future(f)
  if f == nil then return nil end
  if not f.as_task then return wrap_task(f) end -- a core Task
  local t = f:as_task()
  if t then return wrap_task(t) end
  local id = f:id()
  local w = futures_by_id[id]
  if w then return w end
  w = setmetatable({ _f = f, _loop = wrap_loop(f:get_loop()) }, Future)
  futures_by_id[id] = w
  return w
end
M._wrap_future, M._wrap_task, M._wrap_loop = wrap_future, wrap_task, wrap_loop

-- The core future (or task) of any awaitable.
local function core_future(x)
  local tx = type(x)
  if tx == "table" and x._f then return x._f end
  if tx == "userdata" then
    if getmetatable(x) == Task then return x._f end
    return x
  end
  error("asyncore: a Future or Task expected, got " .. tx, 3)
end

-- What the natives take for a Future or Task object: a Task itself, the
-- core future of the others.
local function native_future(x)
  if getmetatable(x) == Task then return x end
  return x._f
end
M._core_future = core_future

---------------------------------------------------------------------------
-- The current loop and task
---------------------------------------------------------------------------

local current_loop = nil -- set by run(), set_event_loop(), or a host

--- The task running this code, or nil outside a task.
M.current_task = core.current_task

--- The Lua tasks of the running (or current) loop that are not done.
function M.all_tasks(loop)
  return (loop or M.get_event_loop()):all_tasks()
end

--- The loop of the running task; raises outside a task.
function M.get_running_loop()
  local t = M.current_task()
  if not t then error(M.RuntimeError("no running event loop"), 2) end
  return t._loop
end

--- The running task's loop, else the current loop (run's, a host's, or the
-- one set with set_event_loop); raises when there is none.
function M.get_event_loop()
  local t = M.current_task()
  if t then return t._loop end
  if current_loop and not current_loop:is_closed() then return current_loop end
  error(M.RuntimeError("no current event loop (use asyncore.run or asyncore.set_event_loop)"), 2)
end

--- The running (else the current) loop's dump: see Loop:dump.
function M.dump(format) return M.get_event_loop():dump(format) end

function M.set_event_loop(loop)
  current_loop = loop
end

local function flags_of(opts)
  opts = opts or {}
  local virtual = opts.virtual_clock
  if virtual == nil then virtual = M.config.virtual_clock end
  local debug = opts.debug
  if debug == nil then debug = M.config.debug end
  local flags = core.LOOP_DEFAULT
  if virtual then flags = flags + core.LOOP_VIRTUAL_CLOCK end
  if debug then flags = flags + core.LOOP_DEBUG end
  return flags
end

--- A new loop owned by Lua (closed with the Lua state if not before).
-- opts: {virtual_clock=bool, debug=bool}; defaults from asyncore.config.
function M.new_loop(opts)
  local l, rc = core.loop_new(flags_of(opts))
  if l == nil then check(rc, "new_loop", 2) end
  core.own_loop(l)
  return wrap_loop(l)
end

---------------------------------------------------------------------------
-- Awaiting
---------------------------------------------------------------------------

local function resume_values(r)
  if r[1] then return unpack(r, 2, r.n) end
  error(r[2], 0)
end

local core_await = core.await

-- Awaits a Future or Proxy object (a table): its values.
local function await_table(x)
  local f = x._f
  if f == nil then return finish(core_await(x)) end -- raises: not awaitable
  if x._source_values then
    if K then core_await(f) else finish(core_await(f)) end
    return x:_source_values()
  end
  if K then return core_await(f) end
  return finish(core_await(f))
end

--- Suspends the running task until `x` (Future, Task) is done; returns its
-- values or raises its error (CancelledError when this task is cancelled).
-- As in asyncio, awaiting a future that is already done does not suspend:
-- its outcome comes back at once, and no other task runs in between.
-- A task awaiting itself gets RuntimeError.
if K then
  M.await = core_await
else
  function M.await(x)
    if type(x) == "table" then return await_table(x) end
    return finish(core_await(x))
  end
end
local await = M.await

--- Suspends the running task for `seconds` (0: one loop iteration);
-- returns `result`.
if K then
  M.sleep = core.sleep
else
  local core_sleep = core.sleep
  function M.sleep(seconds, result)
    local ok, e = core_sleep(seconds)
    if not ok then error(e, 0) end
    return result
  end
end

---------------------------------------------------------------------------
-- Tasks
---------------------------------------------------------------------------

-- A task of `loop`, created on `target` (the core loop or a task group).
local core_spawn = core.spawn
local function spawn_on(target, loop, fn, flags, name, ...)
  local t, rc = core_spawn(target, loop, fn, flags, name, ...)
  if t == nil then check_loop(rc, "create_task", 3) end
  return t
end

local function spawn(loop, fn, flags, name, ...)
  return spawn_on(loop._l, loop, fn, flags, name, ...)
end

-- create_task(fn, ...) or create_task{fn, args..., name=, eager=}, on
-- `target` (default: the loop).
local function create_task(loop, fn, target, ...)
  target = target or loop._l
  if type(fn) == "table" and getmetatable(fn) == nil then
    local opts = fn
    local flags = opts.eager and core.TASK_EAGER or core.TASK_DEFAULT
    return spawn_on(target, loop, opts[1], flags, opts.name, unpack(opts, 2, opts.n or #opts))
  end
  return spawn_on(target, loop, fn, core.TASK_DEFAULT, nil, ...)
end

--- Runs fn(...) as a new task of the current loop; returns the Task.
-- The table form create_task{fn, args..., name="n", eager=true} names it or
-- starts it at once (asyncio's eager_start).
-- The common case (a function, from a task) is one native call, which
-- falls back to the general path.
core.set_create_task_fallback(function(fn, ...)
  return create_task(M.get_event_loop(), fn, nil, ...)
end)
M.create_task = core.create_task

--- How many coroutines of finished tasks are kept to run the next tasks
-- (default 128; 0: every task gets a coroutine of its own). A task's
-- coroutine is its own while it runs; once it finished, the coroutine may
-- run a later task, so keep task-local data by task (current_task()) or in
-- a ContextVar, not by coroutine.running(). Returns the previous size.
M.set_coroutine_pool = core.set_coroutine_pool
M.spawn = M.create_task

function Task:get_name() return self._t:name() end
--- The id the loop's dump shows (creation order among the process's tasks).
function Task:get_id() return self._t:task_id() end
function Task:set_name(name)
  check(self._t:set_name(tostring(name)), "set_name", 2)
  return self
end
-- A cancel message that is not a string travels as its text; the
-- CancelledError made for that text carries the value itself (as
-- asyncio's CancelledError(msg) keeps any object). A string message of the
-- same text takes the text back.
local function cancel_text(message)
  if message == nil then return nil end
  if type(message) == "string" then
    cancel_values[message] = nil
    return message
  end
  local text = tostring(message)
  cancel_values[text] = message
  return text
end
M._cancel_values = cancel_values

--- Requests cancellation; true if requested, false when already done.
-- The task sees a CancelledError whose message is `message` (any value;
-- none: an empty message).
function Task:cancel(message) return self._t:cancel(cancel_text(message)) == 1 end
function Task:cancelling() return self._t:cancelling() end
function Task:uncancel() return self._t:uncancel() end
function Task:get_loop() return self._loop end
function Task:__tostring()
  return string.format("<Task %s %s>", self._t:name(), self:_state_name())
end
local future_id, future_result = core.future_id, core.future_result
Task.__eq = function(a, b)
  if rawequal(a, b) then return true end
  local fa, fb = native_future(a), native_future(b)
  return fa ~= nil and fb ~= nil and future_id(fa) == future_id(fb)
end

--- The Lua error message with its traceback, for a task that failed.
function Task:traceback()
  if core.future_state(self) ~= core.FUTURE_ERROR then return nil end
  local err = self._f:error()
  return err and err:message() or nil
end

---------------------------------------------------------------------------
-- Futures (and what tasks share with them)
---------------------------------------------------------------------------

--- A new pending future on the current loop (or `loop`).
function M.Future.new(loop)
  loop = loop or M.get_event_loop()
  local f, rc = loop._l:future_new()
  if f == nil then check_loop(rc, "Future", 2) end
  return wrap_future(f)
end
setmetatable(Future, { __call = function(_, loop) return Future.new(loop) end })

local state_names = {
  [core.FUTURE_PENDING] = "pending",
  [core.FUTURE_RESULT] = "finished",
  [core.FUTURE_ERROR] = "failed",
  [core.FUTURE_CANCELLED] = "cancelled",
}
local future_done, future_cancelled, future_state =
  core.future_done, core.future_cancelled, core.future_state
function Future:_state_name() return state_names[future_state(native_future(self))] end
function Future:__tostring() return "<Future " .. self:_state_name() .. ">" end
Future.__eq = Task.__eq

function Future:done() return future_done(self._f) end
function Future:cancelled() return future_cancelled(self._f) end
function Task:done() return future_done(self) end
function Task:cancelled() return future_cancelled(self) end
function Future:get_loop() return self._loop end
function Future:cancel(message) return self._f:cancel(cancel_text(message)) == 1 end
--- The same as asyncore.await(self).
function Future:await() return await(self) end

--- The values; raises the error, CancelledError, or InvalidStateError
-- while pending.
function Future:result()
  local r = pack(core.future_result(native_future(self)))
  if r[1] == nil then error(InvalidStateError("Result is not set."), 2) end
  if r[1] then return unpack(r, 2, r.n) end
  error(r[2], 2)
end

--- The error (nil after a result); raises CancelledError when cancelled and
-- InvalidStateError while pending.
function Future:exception()
  local r = pack(core.future_result(native_future(self)))
  if r[1] == nil then error(InvalidStateError("Exception is not set."), 2) end
  if r[1] then return nil end
  if future_cancelled(native_future(self)) then error(r[2], 2) end
  return r[2]
end

function Future:set_result(...)
  check(core.future_set_result(self._f, ...), "set_result", 2, "invalid state")
end

function Future:set_exception(e)
  if M.is_error(e, CancelledError) then
    error(M.Error("set_exception: use cancel() to cancel a future", core.EINVAL), 2)
  end
  check(core.future_set_exception(self._f, e), "set_exception", 2, "invalid state")
end

-- The registrations of each future object: fn -> {token = true} (weak
-- keys: the object).
local callbacks_of = setmetatable({}, { __mode = "k" })

--- Calls fn(self) once done (through the loop, never inline).
function Future:add_done_callback(fn)
  local by_fn = callbacks_of[self]
  if not by_fn then
    by_fn = {}
    callbacks_of[self] = by_fn
  end
  local tokens = by_fn[fn]
  if not tokens then
    tokens = {}
    by_fn[fn] = tokens
  end
  local token, rc
  token, rc = core.add_done_callback(native_future(self), function()
    tokens[token] = nil
    fn(self)
  end)
  if token == nil then check_loop(rc, "add_done_callback", 2) end
  tokens[token] = true
end

--- Removes every registration of fn that has not been scheduled yet;
-- returns how many (asyncio: 0 once the future is done).
function Future:remove_done_callback(fn)
  local by_fn = callbacks_of[self]
  local tokens = by_fn and by_fn[fn]
  if not tokens then return 0 end
  by_fn[fn] = nil
  local n = 0
  for token in pairs(tokens) do
    n = n + check(core.remove_done_callback(native_future(self), token), "remove_done_callback", 2)
  end
  return n
end

---------------------------------------------------------------------------
-- Loop
---------------------------------------------------------------------------

function Loop:time() return self._l:time() end
function Loop:is_closed() return self._l:is_closed() == 1 end
function Loop:is_running() return self._l:is_running() == 1 end
--- Closes the loop (closing it again does nothing); RuntimeError while it
-- runs.
function Loop:close()
  local rc = self._l:close()
  if rc == core.ECLOSED then return end
  check(rc, "close", 2, rc == core.ERUNNING and "Cannot close a running event loop" or nil)
  forget_loop(self)
end
function Loop:stop() check_loop(self._l:stop(), "stop", 2) end
function Loop:set_debug(on) check_loop(self._l:set_debug(on and 1 or 0), "set_debug", 2) end
function Loop:get_debug() return self._l:get_debug() == 1 end
function Loop:set_ready_budget(n) check_loop(self._l:set_ready_budget(n), "set_ready_budget", 2) end
--- A step (Loop:step) starts no more callbacks once `seconds` of real time
-- have passed since its first one (0: no time budget).
function Loop:set_time_budget(seconds)
  check_loop(self._l:set_time_budget(seconds), "set_time_budget", 2)
end
function Loop:set_slow_callback_duration(s)
  check_loop(self._l:set_slow_callback_duration(s), "set_slow_callback_duration", 2)
end
--- Tasks of this loop that are not done.
function Loop:task_count() return check_loop(self._l:task_count(), "task_count", 2) end

--- Every pending task of this loop and what it awaits (ac_loop_dump): an
-- await tree as text, one line per task; with format "json", JSON lines
-- (one object per task: id, name, state, cancelling, awaits, awaited_by).
-- From the loop's thread, in or out of its tasks and callbacks.
function Loop:dump(format)
  if format ~= nil and format ~= "text" and format ~= "json" then
    error(M.ValueError("dump format must be \"text\" or \"json\""), 2)
  end
  local s, rc = self._l:dump(format == "json" and core.DUMP_JSON or core.DUMP_TEXT)
  if s == nil then check_loop(rc, "dump", 2) end
  return s
end

local stat_names = { "tasks_alive", "tasks_created", "ready", "timers", "callbacks_run",
  "iterations", "poll_ns", "callbacks_ns" }
--- The loop's counters (ac_loop_get_stats) as a table: tasks_alive,
-- tasks_created, ready, timers, callbacks_run, iterations, poll_ns,
-- callbacks_ns.
function Loop:stats()
  local t = {}
  for i, name in ipairs(stat_names) do
    local v, rc = self._l:stat(i - 1)
    if rc ~= 0 then check_loop(rc, "stats", 2) end
    if v >= 0 then t[name] = math.floor(v) end
  end
  return t
end

-- The loop running on this thread (the running task's, or one a run or
-- a step of this module drives), or nil.
local function running_loop()
  local t = M.current_task()
  if t then return t._loop end
  for _, w in pairs(loops_by_id) do
    if w._l:is_closed() == 0 and w._l:is_running() == 1 then return w end
  end
  return nil
end

-- Refuses to run `loop` while a loop runs on this thread (asyncio's
-- RuntimeErrors), and a closed loop.
local function check_can_run(loop, level)
  if loop._l:is_closed() == 1 then
    error(make_error(core.ECLOSED, "Event loop is closed"), level + 1)
  end
  local running = running_loop()
  if running == loop then
    error(make_error(core.ERUNNING, "This event loop is already running"), level + 1)
  elseif running ~= nil then
    error(make_error(core.ERUNNING, "Cannot run the event loop while another loop is running"),
      level + 1)
  end
end

--- One iteration for a host that owns the frame loop: returns the number of
-- callbacks run, whether work is pending, and the next timer's loop time
-- (nil when none). max_block: seconds it may block (default 0).
function Loop:step(max_block)
  local n, pending, deadline = self._l:step(max_block or 0)
  check_loop(n, "step", 2)
  return n, pending == 1, deadline >= 0 and deadline or nil
end

--- For hosts that poll themselves: libuv's backend fd, and how many
-- milliseconds the host may block before stepping (-1: nothing due).
function Loop:backend_fd() return check_loop(self._l:backend_fd(), "backend_fd", 2) end
function Loop:backend_timeout()
  local ms = self._l:backend_timeout()
  if ms < -1 then check_loop(ms, "backend_timeout", 2) end -- -1 is "nothing due"
  return ms
end

--- The Lua tasks of this loop that are not done (asyncio.all_tasks).
function Loop:all_tasks()
  return core.live_tasks(self._l)
end

--- Runs until `x` is done; returns its values or raises its error.
-- RuntimeError on a closed loop, a loop already running, or while another
-- loop runs on this thread (asyncio).
function Loop:run_until_complete(x)
  local f = core_future(x)
  check_can_run(self, 2)
  local rc = self._l:run_until_complete(f)
  if rc == core.ESTOPPED or rc == core.ERUNNING or rc == core.ECLOSED or rc == core.EWRONGTHREAD
      or rc == core.EINVAL and f:done() == 0 then
    check_loop(rc, "run_until_complete", 2,
      rc == core.ESTOPPED and "Event loop stopped before Future completed." or nil)
  end
  return resume_values(pack(core.future_result(f)))
end

function Loop:run_forever()
  check_can_run(self, 2)
  check_loop(self._l:run_forever(), "run_forever", 2)
end

function Loop:create_task(fn, ...) return create_task(self, fn, nil, ...) end
function Loop:create_future() return Future.new(self) end

local function bind(fn, ...)
  local n = select("#", ...)
  if n == 0 then return fn end
  local args = pack(...)
  return function() return fn(unpack(args, 1, args.n)) end
end

-- A Handle object: the core handle `_h` of a loop callback (nil for the
-- handle of a done-callback, which only names it in an exception
-- handler's context: `_future`).
local function handle_object(h, rc, hobj)
  if h == nil then check_loop(rc, "call_soon", 3) end
  hobj._h = h
  return hobj
end

--- Schedules fn(...) after the callbacks already ready; returns a Handle.
-- RuntimeError on a closed loop.
function Loop:call_soon(fn, ...)
  local hobj = setmetatable({ _soon = true }, Handle)
  local h, rc = core.call_soon(self._l, bind(fn, ...), hobj)
  return handle_object(h, rc, hobj)
end
--- Schedules fn(...) after `delay` seconds: at loop time now + delay, as
-- asyncio's call_later (a negative delay is a deadline already past).
function Loop:call_later(delay, fn, ...)
  local hobj = setmetatable({}, Handle)
  if type(delay) ~= "number" then error("call_later: delay must be a number", 2) end
  local h, rc = core.call_at(self._l, self._l:time() + delay, bind(fn, ...), hobj)
  return handle_object(h, rc, hobj)
end
--- Schedules fn(...) at loop time `when`.
function Loop:call_at(when, fn, ...)
  local hobj = setmetatable({}, Handle)
  local h, rc = core.call_at(self._l, when, bind(fn, ...), hobj)
  return handle_object(h, rc, hobj)
end

function Handle:cancel()
  if self._h == nil then return false end
  return self._h:cancel() == 1
end
function Handle:cancelled()
  if self._h == nil then return false end
  return self._h:cancelled() == 1
end
--- The loop time a timer is due; nil for call_soon's handles.
function Handle:when()
  if self._h == nil or self._soon then return nil end
  return self._h:when()
end
function Handle:__tostring()
  if self._future then return "<Handle done-callback of " .. tostring(self._future) .. ">" end
  return "<Handle>"
end

-- Handler contexts also answer the older names: `error` (the exception)
-- and `code` (its code); neither is a key.
local context_meta = {
  __index = function(ctx, k)
    if k == "error" then return rawget(ctx, "exception") end
    if k == "code" then
      local e = rawget(ctx, "exception")
      if e == nil then return nil end
      if type(e) == "table" and type(e.code) == "number" then return e.code end
      return core.EHOST
    end
    return nil
  end,
}

--- handler(loop, context) receives what nobody else could: errors never
-- retrieved, errors of callbacks, tasks destroyed pending, leftovers of
-- run() that failed. context holds asyncio's keys: message, exception,
-- and what it came from: future (a Future or Task), task, or handle (the
-- Handle of the callback that raised: call_soon's, or one standing for a
-- done-callback). nil restores the default (stderr).
function Loop:set_exception_handler(handler)
  if handler == nil then
    check_loop(core.set_exception_handler(self._l, nil), "set_exception_handler", 2)
    return
  end
  -- The handler holds its Loop object weakly: the loop holds the handler,
  -- so a strong hold would keep both alive for ever.
  local held = setmetatable({ loop = self }, { __mode = "v" })
  check_loop(core.set_exception_handler(self._l, function(ctx)
    local loop = held.loop or wrap_loop(rawget(ctx, "_loop"))
    ctx._loop = nil
    if rawget(ctx, "_borrowed") then
      -- Reported by a finalizer: the core wrapper, valid for this call.
      ctx._borrowed = nil
    else
      if ctx.future then ctx.future = wrap_future(ctx.future) end
      if ctx.task then ctx.task = wrap_future(ctx.task) end
    end
    local done = rawget(ctx, "_done_future")
    if done then
      ctx._done_future = nil
      ctx.handle = setmetatable({ _future = wrap_future(done) }, Handle)
    end
    handler(loop, setmetatable(ctx, context_meta))
  end), "set_exception_handler", 2)
end

--- Reports to the exception handler: context {message=, exception=,
-- future= or task=} (exception may be any Lua value; `error` is an older
-- name of it).
function Loop:call_exception_handler(context)
  local fut, key = context.future, nil
  if context.task ~= nil then fut, key = context.task, "task" end
  check_loop(core.call_exception_handler(self._l, context.message or "",
    context.exception or context.error, fut ~= nil and native_future(fut) or nil, key),
    "call_exception_handler", 2)
end

--- A target C code on any thread schedules fn on this loop with
-- (asyncio's call_soon_threadsafe; Lua itself runs only on the loop's
-- thread): target:ptr() is the asyncore_lua_post * that
-- asyncore_lua_call_soon_threadsafe (asyncore_lua.h) takes; each call runs
-- fn() once on this loop (target:call() makes the same call from Lua, and
-- returns its code). Keep the target while threads may call it;
-- target:close() (or its collection) releases fn: calls made before never
-- run it.
function Loop:threadsafe_callback(fn)
  local target, rc = core.threadsafe_callback(self._l, fn)
  if target == nil then check_loop(rc, "threadsafe_callback", 2) end
  return target
end

--- Requests cancellation of every task not done; returns how many.
function Loop:cancel_all(message)
  return check_loop(self._l:cancel_all(cancel_text(message)), "cancel_all", 2)
end

---------------------------------------------------------------------------
-- run
---------------------------------------------------------------------------

--- How long run gives the tasks left to finish once cancelled (seconds).
M.SHUTDOWN_TIMEOUT = 5

--- asyncio.run's exit, bounded: cancels every task left, runs the loop
-- until they have finished or `timeout` seconds (default 5) of real time
-- have passed, reports each that failed while cancelled ("unhandled
-- exception during asyncio.run() shutdown", context key `task`), then
-- closes the loop. Tasks still pending then (they ignored the cancel) are
-- abandoned: reported ("Task was destroyed but it is pending") and never
-- resumed. Returns how many were abandoned. RuntimeError on a closed loop,
-- while it runs, or while another loop runs on this thread.
function Loop:shutdown(timeout)
  timeout = timeout or M.SHUTDOWN_TIMEOUT
  if type(timeout) ~= "number" or not (timeout >= 0) then
    error(M.ValueError("shutdown: the timeout must be a number >= 0"), 2)
  end
  local rc = self._l:shutdown(timeout)
  if rc == core.ERUNNING then
    error(make_error(core.ERUNNING, self._l:is_running() == 1 and "Cannot close a running event loop"
      or "Cannot run the event loop while another loop is running"), 2)
  end
  return check_loop(rc, "shutdown", 2)
end

--- Runs fn(...) as the main task of a new loop until it is done, cancels
-- the tasks left, closes the loop; returns fn's values or raises its error
-- (asyncio.run). opts (optional first argument, a plain table):
-- {virtual_clock=bool, debug=bool}. RuntimeError while a loop runs on this
-- thread.
function M.run(fn, ...)
  local opts
  if type(fn) == "table" and getmetatable(fn) == nil then
    opts = fn
    fn = ...
    return M.run_with(opts, fn, select(2, ...))
  end
  return M.run_with(nil, fn, ...)
end

function M.run_with(opts, fn, ...)
  if running_loop() then
    error(M.RuntimeError("asyncio.run() cannot be called from a running event loop"), 2)
  end
  local timeout = opts and opts.shutdown_timeout or M.SHUTDOWN_TIMEOUT
  if type(timeout) ~= "number" or not (timeout >= 0) then
    error(M.ValueError("run: shutdown_timeout must be a number >= 0"), 2)
  end
  local loop = M.new_loop(opts)
  local prev = current_loop
  current_loop = loop
  local main = spawn(loop, fn, core.TASK_DEFAULT, nil, ...)
  -- asyncio.run's Ctrl-C: the first SIGINT cancels the main task; a
  -- second does what SIGINT does by default.
  local interrupts, on_sigint = 0, nil
  if core.sigint_is_default() then
    on_sigint = function()
      interrupts = interrupts + 1
      if interrupts == 1 and not main:done() then
        main:cancel()
      else
        core.remove_signal_handler(loop._l, core.SIGINT)
        core.raise_sigint()
      end
    end
    if core.add_signal_handler(loop._l, core.SIGINT, on_sigint) ~= 0 then on_sigint = nil end
  end
  local rc = loop._l:run_until_complete(main._f)
  if on_sigint then core.remove_signal_handler(loop._l, core.SIGINT) end
  if interrupts > 0 and main:cancelled() then
    pcall(loop._l.shutdown, loop._l, timeout)
    current_loop = prev
    loop._l:close()
    forget_loop(loop)
    error(make_error(core.EINTR, "KeyboardInterrupt", nil), 2)
  end
  local r = pack(core.future_result(main._f))
  -- The tasks left get `timeout` seconds to end once cancelled; those that
  -- ignore the cancel are abandoned (and reported), so run always returns.
  local ok, err = pcall(loop._l.shutdown, loop._l, timeout)
  current_loop = prev
  loop._l:close()
  forget_loop(loop)
  if not ok then error(err, 0) end
  if r[1] == nil then check(rc < 0 and rc or core.ESTATE, "run", 2) end
  if r[1] then return unpack(r, 2, r.n) end
  error(r[2], 0)
end

---------------------------------------------------------------------------
-- Structured concurrency: gather, wait, as_completed, wait_for, shield,
-- timeout scopes, task groups
---------------------------------------------------------------------------

-- A future whose outcome stands for another's (shield, wait_for,
-- as_completed): the library copies the outcome, but a Lua value travels
-- only with its owner, so the values are read from the source.
local Proxy = setmetatable({}, { __index = Future })
Proxy.__index = Proxy
Proxy.__tostring = Future.__tostring
Proxy.__eq = Future.__eq

-- values_of (optional): the values, read some other way (a gather's).
local function proxy(f, source_of, values_of)
  return setmetatable({ _f = f, _loop = wrap_loop(f:get_loop()), _source_of = source_of,
                        _values_of = values_of }, Proxy)
end

function Proxy:_source_values()
  if self._values_of then return self._values_of(self) end
  local src = self._source_of(self)
  return resume_values(pack(core.future_result(core_future(src))))
end

function Proxy:result()
  if self._f:state() == core.FUTURE_RESULT then return self:_source_values() end
  return Future.result(self)
end

-- Plain tables (no metatable) are option lists; functions become tasks.
local function is_options(x) return type(x) == "table" and getmetatable(x) == nil end

local function as_awaitable(loop, x)
  if type(x) == "function" then return create_task(loop, x) end
  return x
end

-- The awaitables of a combinator (functions made tasks) and what the
-- natives take for each: a Task object itself (no wrapper of its future
-- made per item), the core future of the others.
local function collect(loop, list, n)
  local items, natives = {}, {}
  for i = 1, n do
    local x = as_awaitable(loop, list[i])
    items[i] = x
    if getmetatable(x) ~= Task then x = core_future(x) end
    natives[i] = x
  end
  return items, natives
end

-- gather's arguments: gather(a, b, ...) or gather{a, b, ...,
-- return_exceptions=true}: the list, its length, the options. The
-- option table is read in place: unpack is bounded by the C stack (about
-- 8,000 values in LuaJIT), a gather of many tasks is not.
local function gather_args(...)
  local n = select("#", ...)
  local first = ...
  if n == 1 and is_options(first) then return first, first.n or #first, first end
  return pack(...), n, {}
end

local function make_gather(level, ...)
  local loop = M.get_event_loop()
  local list, n, opts = gather_args(...)
  local _, items = collect(loop, list, n)
  local flags = opts.return_exceptions and core.GATHER_RETURN_EXCEPTIONS or core.GATHER_DEFAULT
  local g, rc = loop._l:gather(items, flags)
  if not g then check_loop(rc, "gather", level + 1) end
  -- Its values: each child's first value (its error, with
  -- return_exceptions), in argument order.
  local as_list = opts.list
  return proxy(g, nil, function()
    local results = { n = n }
    for i = 1, n do
      local _, v = future_result(items[i])
      results[i] = v
    end
    if as_list then return results end
    return unpack(results, 1, n)
  end)
end

--- The future of gather (asyncio.gather's): await it for the results, in
-- argument order, as several values; cancel() cancels the children not
-- done (each argument once). Arguments as gather's. A gather of children
-- that are all done is done at once; gather_future() of nothing is done
-- with no results.
function M.gather_future(...)
  return make_gather(2, ...)
end

--- Runs the awaitables (futures, tasks, or functions, made tasks)
-- concurrently and returns their results in argument order (the first
-- value of each). The first error is raised at once (the others go on);
-- with gather{a, b, return_exceptions=true} errors count as results.
-- gather{..., list=true} returns them as one list {n = N, ...} instead,
-- for gathers of more values than unpack carries (about 8,000 in
-- LuaJIT). A child cancelled alone fails the gather with CancelledError; cancelling
-- the caller cancels the children.
function M.gather(...)
  return await(make_gather(2, ...))
end

local wait_modes = {
  ALL_COMPLETED = core.WAIT_ALL_COMPLETED,
  FIRST_COMPLETED = core.WAIT_FIRST_COMPLETED,
  FIRST_EXCEPTION = core.WAIT_FIRST_EXCEPTION,
}
M.ALL_COMPLETED, M.FIRST_COMPLETED, M.FIRST_EXCEPTION = "ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION"

--- Waits until return_when is met or the timeout passes (never raises
-- TimeoutError, never cancels); returns the done and the pending ones, as
-- lists in argument order (an awaitable passed twice counts once). opts:
-- {timeout=s, return_when="FIRST_COMPLETED"}.
function M.wait(aws, opts)
  opts = opts or {}
  local loop = M.get_running_loop()
  local items, natives = collect(loop, aws, #aws)
  local mode = wait_modes[opts.return_when or "ALL_COMPLETED"]
  if not mode then error(M.ValueError("Invalid return_when value: " .. tostring(opts.return_when)), 2) end
  local w, rc = loop._l:wait(natives, mode, opts.timeout or core.NO_TIMEOUT)
  if not w then check_loop(rc, "wait", 2) end
  await(w)
  local by_id = {}
  for i = #natives, 1, -1 do by_id[future_id(natives[i])] = items[i] end
  local done, pending = {}, {}
  for i = 0, w:wait_done_count() - 1 do done[#done + 1] = by_id[future_id(w:wait_done_at(i))] end
  for i = 0, w:wait_pending_count() - 1 do pending[#pending + 1] = by_id[future_id(w:wait_pending_at(i))] end
  return done, pending
end

--- An iterator over futures in the order the awaitables complete (an
-- awaitable passed twice is reported once):
--   for f in asyncore.as_completed({a, b}, timeout) do local v = asyncore.await(f) end
-- After the timeout, awaiting the next ones raises TimeoutError (the
-- awaitables are not cancelled).
function M.as_completed(aws, timeout)
  local loop = M.get_running_loop()
  local items, natives = collect(loop, aws, #aws)
  local it, rc = loop._l:as_completed(natives, timeout or core.NO_TIMEOUT)
  if not it then check_loop(rc, "as_completed", 2) end
  local function source(p) return items[p._f:as_completed_index() + 1] end
  return function()
    local f, nrc = it:next()
    if not f then
      check(nrc, "as_completed", 2)
      return nil
    end
    return proxy(f, source)
  end
end

-- Cancels fut and waits until it is done (asyncio's _cancel_and_wait):
-- cancelling the caller meanwhile stops the wait, not fut's cleanup.
local function cancel_and_wait(loop, fut)
  if fut:done() then return end
  local waiter = Future.new(loop)
  local function release() if not waiter:done() then waiter:set_result() end end
  fut:add_done_callback(release)
  fut:cancel()
  local ok, e = pcall(await, waiter)
  fut:remove_done_callback(release)
  if not ok then error(e, 0) end
end

--- Awaits `aw` for at most `timeout` seconds (nil: no limit) and returns
-- its values (asyncio 3.12's wait_for): a function runs in the calling
-- task itself, under a timeout scope; a future or task is awaited under
-- one (a done one returns at once). When the deadline passes, `aw` is
-- cancelled, and once it has finished TimeoutError is raised (its cause:
-- the CancelledError), unless `aw` swallowed the cancellation and
-- returned values, which are returned. A timeout <= 0 cancels `aw` at
-- once (a function never runs) and raises TimeoutError.
function M.wait_for(aw, timeout)
  local loop = M.get_running_loop()
  if timeout == nil or timeout == math.huge then
    if type(aw) == "function" then return aw() end
    return await(aw)
  end
  if timeout <= 0 then
    local fut = as_awaitable(loop, aw)
    if not fut:done() then cancel_and_wait(loop, fut) end
    local r = pack(core.future_result(core_future(fut)))
    if r[1] then return fut:result() end
    if M.is(r[2], CancelledError) then
      local e = TimeoutError("")
      e.cause = r[2]
      error(e, 2)
    end
    error(r[2], 0)
  end
  if type(aw) == "function" then return M.timeout(timeout, function() return aw() end) end
  return M.timeout(timeout, function() return await(aw) end)
end

--- A future that mirrors `aw`; cancelling it leaves `aw` running.
function M.shield(aw)
  local loop = M.get_event_loop()
  aw = as_awaitable(loop, aw)
  local f, rc = loop._l:shield(core_future(aw))
  if not f then check_loop(rc, "shield", 2) end
  return proxy(f, function() return aw end)
end

local Timeout = {}
Timeout.__index = Timeout
M.Timeout = Timeout
--- The deadline (loop time), or nil for none.
function Timeout:when()
  local w = self._s:when()
  if w == math.huge then return nil end
  return w
end
--- Moves the deadline to loop time `when` (nil: none). RuntimeError when
-- the scope is not entered, expiring, expired or finished.
function Timeout:reschedule(when)
  check_loop(self._s:reschedule(when or core.NO_TIMEOUT), "reschedule", 2)
end
--- True once the deadline cancelled the task.
function Timeout:expired() return self._s:expired() == 1 end

local function code_of(e)
  if M.is(e) and type(e.code) == "number" then return e.code end
  return core.EHOST
end

--- Runs fn(scope, ...) in the running task inside the scope (asyncio's
-- `async with scope:`): returns fn's values, or raises TimeoutError (its
-- cause: the CancelledError) when the scope's own deadline cancelled fn.
-- A scope is entered once: RuntimeError after that.
function Timeout:run(fn, ...)
  local task = M.current_task()
  if not task then error(M.RuntimeError("Timeout should be used inside a task"), 2) end
  check_loop(self._s:enter(task._t), "timeout", 2)
  local r = pack(pcall(fn, self, ...))
  local outcome = r[1] and 0 or code_of(r[2])
  local rc = self._s:exit(outcome)
  if rc == core.ETIMEDOUT and outcome == core.ECANCELLED then
    local err = self._s:error()
    if err then error(make_error(err:code(), err:message(), err), 0) end
    error(TimeoutError(""), 0)
  end
  if rc < 0 and rc ~= outcome then check_loop(rc, "timeout", 2) end
  if not r[1] then error(r[2], 0) end
  return unpack(r, 2, r.n)
end

local function new_scope(s, rc, level)
  if not s then check_loop(rc, "timeout", level + 1) end
  return setmetatable({ _s = s }, Timeout)
end

--- A timeout scope expiring `delay` seconds from now (nil: never; <= 0:
-- at once, at the first await that suspends) (asyncio.timeout). With fn:
-- runs fn(scope, ...) inside it (scope:run) and returns its values; else
-- returns the scope, not entered yet.
function M.timeout(delay, fn, ...)
  local scope = new_scope(M.get_running_loop()._l:timeout_new(delay or core.NO_TIMEOUT), 2)
  if fn == nil then return scope end
  return scope:run(fn, ...)
end

--- The same with a deadline at loop time `when` (asyncio.timeout_at).
function M.timeout_at(when, fn, ...)
  local scope = new_scope(M.get_running_loop()._l:timeout_new_at(when or core.NO_TIMEOUT), 2)
  if fn == nil then return scope end
  return scope:run(fn, ...)
end

local TaskGroup = {}
TaskGroup.__index = TaskGroup
M.TaskGroup = TaskGroup

--- A task in the group: create_task(fn, ...) or create_task{fn, ..., name=}.
function TaskGroup:create_task(fn, ...)
  return create_task(self._loop, fn, self._g, ...)
end
--- Tasks of the group not done yet.
function TaskGroup:size() return self._g:size() end

--- Runs body(tg, ...) in the running task with a task group (asyncio's
-- `async with TaskGroup() as tg`): returns once every task of the group
-- is done, with body's values. The first task to fail cancels the others
-- and the body; then ExceptionGroup is raised, its `exceptions` the errors
-- in the order they happened (a failing body's own error last).
function M.task_group(body, ...)
  local task = M.current_task()
  if not task then error("asyncore.task_group: not inside a task", 2) end
  local g, rc = core.taskgroup_new(task._t)
  if not g then check_loop(rc, "task_group", 2) end
  local tg = setmetatable({ _g = g, _loop = task._loop }, TaskGroup)
  local r = pack(pcall(body, tg, ...))
  local outcome, err = 0, nil
  if not r[1] then
    err = core.error_from_value(r[2])
    outcome = err:code()
  end
  local join, jrc = g:join(outcome, err)
  if not join then check_loop(jrc, "task_group", 2) end
  local jr = pack(pcall(await, join))
  if not jr[1] then error(jr[2], 0) end
  if not r[1] then error(r[2], 0) end
  return unpack(r, 2, r.n)
end
TaskGroup.run = M.task_group

---------------------------------------------------------------------------
-- Synchronization primitives and queues (asyncio's, FIFO-fair)
---------------------------------------------------------------------------

-- Awaits the future of a core call that returned (future, code).
local function await_op(f, rc, what)
  if not f then check_loop(rc, what, 3) end
  return await(f)
end

-- with(prim, fn, ...): calls fn(...) holding `prim` (acquired and released
-- around it, also when fn raises): Lua's `async with`. Made of an acquire
-- and a release native on LuaJIT; Lua 5.4 has it as one native.
local function holding_with(acquire, release)
  local function after(prim, ok, ...)
    release(prim)
    if not ok then error((...), 0) end
    return ...
  end
  return function(prim, fn, ...)
    local ok, e = acquire(prim)
    if not ok then error(e, 0) end
    return after(prim, pcall(fn, ...))
  end
end

-- An acquire (wait) native as a method returning true.
local function acquiring(native)
  if K then return native end
  return function(self)
    local ok, e = native(self)
    if not ok then error(e, 0) end
    return true
  end
end

-- The core wrapper is `_h`; the natives read it at index 1 (an array
-- slot, quicker to reach than a field).
local function new_handle(cls, what, h, rc)
  if not h then check_loop(rc, what, 3) end
  return setmetatable({ h, _h = h }, cls)
end

local Lock = { __name = "Lock" }
Lock.__index = Lock
M.Lock = Lock
--- A lock (asyncio.Lock) of the current loop.
function Lock.new() return new_handle(Lock, "Lock", M.get_event_loop()._l:lock_new()) end
setmetatable(Lock, { __call = function() return Lock.new() end })
--- Takes the lock, waiting while it is held; as asyncio's, it does not
-- suspend when the lock is free.
Lock.acquire = acquiring(core.lock_acquire)
function Lock:try_acquire() return check_loop(self._h:try_acquire(), "try_acquire", 2) == 1 end
Lock.release = core.lock_release
function Lock:locked() return self._h:locked() == 1 end
--- Runs fn(...) holding the lock; returns its values.
Lock.with = K and core.lock_with or holding_with(core.lock_acquire, core.lock_release)

local Event = {}
Event.__index = Event
M.Event = Event
function Event.new() return new_handle(Event, "Event", M.get_event_loop()._l:event_new()) end
setmetatable(Event, { __call = function() return Event.new() end })
--- Waits until the event is set; does not suspend when it is set.
Event.wait = acquiring(core.event_wait)
function Event:set() check_loop(self._h:set(), "set", 2) end
function Event:clear() check_loop(self._h:clear(), "clear", 2) end
function Event:is_set() return self._h:is_set() == 1 end

local Condition = {}
Condition.__index = Condition
M.Condition = Condition
--- A condition (asyncio.Condition) over `lock` (a Lock) or a lock of its own.
function Condition.new(lock)
  return new_handle(Condition, "Condition", M.get_event_loop()._l:condition_new(lock and lock._h or nil))
end
setmetatable(Condition, { __call = function(_, lock) return Condition.new(lock) end })
--- Takes the lock; does not suspend when it is free.
Condition.acquire = acquiring(core.condition_acquire)
Condition.release = core.condition_release
function Condition:locked() return self._h:locked() == 1 end
--- Releases the lock, waits for a notification, re-acquires the lock.
function Condition:wait() await_op(self._h:wait()) return true end
--- Waits until predicate() is true (called with the lock held); returns
-- its last value.
function Condition:wait_for(predicate)
  local v = predicate()
  while not v do
    self:wait()
    v = predicate()
  end
  return v
end
function Condition:notify(n) check_loop(self._h:notify(n or 1), "notify", 2) end
function Condition:notify_all() check_loop(self._h:notify_all(), "notify_all", 2) end
Condition.with = K and core.condition_with
  or holding_with(core.condition_acquire, core.condition_release)

local Semaphore = {}
Semaphore.__index = Semaphore
M.Semaphore = Semaphore
--- A semaphore of `value` permits (default 1).
function Semaphore.new(value, bounded)
  return new_handle(Semaphore, "Semaphore", M.get_event_loop()._l:semaphore_new(value or 1, bounded and 1 or 0))
end
setmetatable(Semaphore, { __call = function(_, value) return Semaphore.new(value) end })
--- A semaphore whose release beyond its initial value raises.
function M.BoundedSemaphore(value) return Semaphore.new(value, true) end
--- Takes a permit, waiting while there is none; does not suspend when
-- one is free (and nobody waits).
Semaphore.acquire = acquiring(core.semaphore_acquire)
function Semaphore:try_acquire() return check_loop(self._h:try_acquire(), "try_acquire", 2) == 1 end
Semaphore.release = core.semaphore_release
function Semaphore:locked() return self._h:locked() == 1 end
function Semaphore:value() return self._h:value() end
Semaphore.with = K and core.semaphore_with
  or holding_with(core.semaphore_acquire, core.semaphore_release)

local Barrier = {}
Barrier.__index = Barrier
M.Barrier = Barrier
function Barrier.new(parties)
  return new_handle(Barrier, "Barrier", M.get_event_loop()._l:barrier_new(parties))
end
setmetatable(Barrier, { __call = function(_, parties) return Barrier.new(parties) end })
--- Waits until `parties` tasks wait; returns this one's arrival index.
-- Raises BrokenBarrierError when the barrier is reset or aborted.
function Barrier:wait()
  local f, rc = self._h:wait()
  return await_op(f, rc, "wait")
end
function Barrier:reset() check_loop(self._h:reset(), "reset", 2) end
function Barrier:abort() check_loop(self._h:abort(), "abort", 2) end
function Barrier:broken() return self._h:broken() == 1 end
function Barrier:parties() return self._h:parties() end
function Barrier:n_waiting() return self._h:n_waiting() end

local Queue = {}
Queue.__index = Queue
M.Queue = Queue

local function new_queue(kind, maxsize)
  return new_handle(Queue, "Queue", M.get_event_loop()._l:queue_new(kind, maxsize or 0))
end
--- A FIFO queue of any Lua values, of at most maxsize items (0/nil: no
-- limit). asyncio.Queue, with shutdown (3.13).
function Queue.new(maxsize) return new_queue(core.QUEUE_FIFO, maxsize) end
setmetatable(Queue, { __call = function(_, maxsize) return Queue.new(maxsize) end })
--- Last in, first out.
function M.LifoQueue(maxsize) return new_queue(core.QUEUE_LIFO, maxsize) end
--- Lowest priority first (put(item, priority); equal ones in put order).
function M.PriorityQueue(maxsize) return new_queue(core.QUEUE_PRIORITY, maxsize) end

--- Puts item, waiting while the queue is full; QueueShutDown once shut down.
-- As asyncio's put, it does not suspend when there is room.
local queue_put, queue_get = core.queue_put, core.queue_get
if K then
  Queue.put = queue_put
else
  function Queue:put(item, priority)
    local ok, e = queue_put(self, item, priority)
    if not ok then error(e, 0) end
  end
end
--- Puts without waiting: QueueFull when full.
function Queue:put_nowait(item, priority)
  check_loop(core.queue_put_nowait(self._h, item, priority), "put_nowait", 2)
end
--- The next item, waiting while the queue is empty; QueueShutDown once shut
-- down and empty. As asyncio's get, it does not suspend when an item is
-- there.
if K then
  Queue.get = queue_get
else
  function Queue:get()
    local ok, v = queue_get(self)
    if not ok then error(v, 0) end
    return v
  end
end
--- The next item and its priority, without waiting: QueueEmpty when empty.
function Queue:get_nowait()
  local rc, item, priority = core.queue_get_nowait(self._h)
  check_loop(rc, "get_nowait", 2)
  return item, priority
end
function Queue:qsize() return self._h:qsize() end
function Queue:empty() return self._h:empty() == 1 end
function Queue:full() return self._h:full() == 1 end
function Queue:maxsize() return self._h:maxsize() end
function Queue:task_done() check_loop(self._h:task_done(), "task_done", 2) end
--- Waits until every item put has been marked done.
function Queue:join() await_op(self._h:join()) end
--- Puts fail from now on, gets drain what is left; immediate drops it.
function Queue:shutdown(immediate) check_loop(self._h:shutdown(immediate and 1 or 0), "shutdown", 2) end
function Queue:is_shutdown() return self._h:is_shutdown() == 1 end

---------------------------------------------------------------------------
-- Streams, servers, UDP, DNS
---------------------------------------------------------------------------


local function string_op(str, rc, what)
  if str == nil then check(rc, what, 3) end
  return str
end

local Stream = {}
Stream.__index = Stream
M.Stream = Stream

local function wrap_stream(s) return setmetatable({ _s = s }, Stream) end

local function connected(what, s, conn, rc)
  if not s then check_loop(rc, what, 3) end
  local stream = wrap_stream(s)
  await(conn)
  return stream
end

--- Connects over TCP (asyncio.open_connection); returns a Stream, which
-- reads and writes. Raises OSError (ECONNREFUSED ...) when it cannot.
-- opts: {tls=ctx (ac.tls.context), server_hostname=name (default: host),
-- ssl_handshake_timeout=s, ssl_shutdown_timeout=s}: a TLS connection,
-- returned once its handshake is done.
-- Connection options (asyncio's create_connection keywords):
-- local_addr={host, port} (host nil: any; numeric), happy_eyeballs_delay=s
-- (race the addresses, starting the next after s seconds or when one
-- fails), interleave=n, nodelay=false (TCP_NODELAY is on by default).
-- host may be a list of numeric addresses, tried (or raced) in order.
local function has_connect_options(host, opts)
  return type(host) == "table" or (opts ~= nil and (opts.local_addr ~= nil
    or opts.happy_eyeballs_delay ~= nil or opts.interleave ~= nil or opts.nodelay ~= nil))
end

local function connect_with_options(l, host, port, opts)
  opts = opts or {}
  local la = opts.local_addr or {}
  if type(la) ~= "table" then error("local_addr must be a table {host, port}", 3) end
  local delay = opts.happy_eyeballs_delay
  if delay ~= nil and type(delay) ~= "number" then error("happy_eyeballs_delay must be a number", 3) end
  local nodelay = 1
  if opts.nodelay == false then nodelay = 0 end
  if type(host) == "table" then
    for _, h in ipairs(host) do
      if type(h) ~= "string" or h:find(",", 1, true) then error("addresses must be strings", 3) end
    end
    return l:connect_tcp_addresses(table.concat(host, ","), port, la[1], la[2] or 0, delay or -1,
                                   opts.interleave or 0, nodelay)
  end
  return l:connect_tcp_ex(host, port, la[1], la[2] or 0, delay or -1, opts.interleave or 0, nodelay)
end

function M.open_connection(host, port, opts)
  local l = M.get_running_loop()._l
  local stream
  if has_connect_options(host, opts) then
    stream = connected("open_connection", connect_with_options(l, host, port, opts))
  else
    stream = connected("open_connection", l:connect_tcp(host, port))
  end
  if opts and opts.tls then
    local ok, err = pcall(stream.start_tls, stream, opts.tls, {
      server_hostname = opts.server_hostname or host,
      ssl_handshake_timeout = opts.ssl_handshake_timeout,
      ssl_shutdown_timeout = opts.ssl_shutdown_timeout,
    })
    if not ok then
      stream:close()
      error(err, 0)
    end
  end
  return stream
end

--- The same over a Unix-domain socket.
function M.open_unix_connection(path)
  return connected("open_unix_connection", M.get_running_loop()._l:connect_unix(path))
end

--- Up to n bytes (n nil or negative: until EOF); "" at EOF.
function Stream:read(n) return await_op(self._s:read(n or -1)) end
--- Exactly n bytes; IncompleteReadError (with .partial) at EOF first.
function Stream:readexactly(n) return await_op(self._s:readexactly(n)) end
--- Bytes up to and including `sep` (default "\n"); IncompleteReadError at
-- EOF, LimitOverrunError beyond the limit.
function Stream:readuntil(sep) return await_op(self._s:readuntil(sep or "\n")) end
--- A line with its "\n"; at EOF the partial line ("" when none).
function Stream:readline() return await_op(self._s:readline()) end
--- Iterates over the lines until EOF (each with its "\n").
function Stream:lines()
  return function()
    local line = self:readline()
    if line == "" then return nil end
    return line
  end
end
function Stream:at_eof() return self._s:at_eof() == 1 end
function Stream:set_limit(n) check(self._s:set_limit(n), "set_limit", 2) end
--- Queues bytes; never waits (await drain() for flow control).
function Stream:write(data) check(self._s:write(data), "write", 2) end
function Stream:writelines(list) for _, d in ipairs(list) do self:write(d) end end
function Stream:drain() await_op(self._s:drain()) end
function Stream:write_eof() check(self._s:write_eof(), "write_eof", 2) end
function Stream:set_write_buffer_limits(high, low)
  check(self._s:set_write_buffer_limits(high or 0, low or 0), "set_write_buffer_limits", 2)
end
function Stream:get_write_buffer_size() return self._s:write_buffer_size() end
function Stream:close() self._s:close() end
function Stream:is_closing() return self._s:is_closing() == 1 end
function Stream:wait_closed() await_op(self._s:wait_closed()) end
--- Closes at once, dropping buffered output (asyncio's transport.abort()).
function Stream:abort() self._s:abort() end
--- The socket's descriptor (-1 while connecting or once closed).
function Stream:fileno() return self._s:fileno() end
--- TCP_NODELAY (on by default).
function Stream:set_nodelay(on) check(self._s:set_nodelay(on and 1 or 0), "set_nodelay", 2) end
function Stream:get_nodelay() return check(self._s:get_nodelay(), "get_nodelay", 2) == 1 end
--- SO_KEEPALIVE; opts: {idle=s, interval=s, count=n} (absent: the system's).
function Stream:set_keepalive(on, opts)
  opts = opts or {}
  check(self._s:set_keepalive(on and 1 or 0, opts.idle or 0, opts.interval or 0, opts.count or 0),
        "set_keepalive", 2)
end
--- loop.sendfile: `file` is a path or a descriptor; count nil or 0: to the
-- end. Returns the bytes sent.
function Stream:sendfile(file, offset, count)
  if type(file) == "number" then
    return await_op(self._s:sendfile(file, offset or 0, count or 0))
  end
  return await_op(self._s:sendfile_path(file, offset or 0, count or 0))
end
--- "peername" or "sockname": the address as text ("host:port", a path).
function Stream:get_extra_info(name)
  if name == "peername" then return string_op(self._s:peer_address()) end
  if name == "sockname" then return string_op(self._s:local_address()) end
  return nil
end

---------------------------------------------------------------------------
-- Child processes, signals, pipes and terminals
---------------------------------------------------------------------------

--- What a child's standard stream is connected to (asyncio.subprocess's
-- PIPE, STDOUT, DEVNULL; nil inherits; a number >= 0 is a descriptor).
M.PIPE, M.STDOUT, M.DEVNULL = core.PROCESS_PIPE, core.PROCESS_STDOUT, core.PROCESS_DEVNULL
M.subprocess = { PIPE = M.PIPE, STDOUT = M.STDOUT, DEVNULL = M.DEVNULL }
--- Signal numbers of this system.
M.signals = {}
for _, name in ipairs({ "SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGUSR2",
  "SIGPIPE", "SIGALRM", "SIGTERM", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGWINCH" }) do
  M[name] = core[name]
  M.signals[name] = core[name]
end

local Process = {}
M.Process = Process
-- asyncio's attributes: pid, stdin/stdout/stderr (Streams or nil), and
-- returncode (nil while the child runs), read live.
Process.__index = function(self, k)
  if k == "returncode" then return core.process_returncode(self._p) end
  return Process[k]
end

local function spawn_process(what, target, opts)
  local o = nil
  if opts then
    o = { stdin = opts.stdin, stdout = opts.stdout, stderr = opts.stderr, cwd = opts.cwd }
    if opts.env then
      -- {NAME = value} or a list of "NAME=value".
      local env = {}
      for k, v in pairs(opts.env) do
        env[#env + 1] = type(k) == "number" and tostring(v) or (k .. "=" .. tostring(v))
      end
      table.sort(env)
      o.env = env
    end
  end
  local p, rc = core.process_spawn(M.get_running_loop()._l, target, o)
  if not p then check_loop(rc, what, 3) end
  local self = setmetatable({ _p = p, pid = core.process_pid(p) }, Process)
  local s
  s = core.process_pipe(p, 0); if s then self.stdin = wrap_stream(s) end
  s = core.process_pipe(p, 1); if s then self.stdout = wrap_stream(s) end
  s = core.process_pipe(p, 2); if s then self.stderr = wrap_stream(s) end
  return self
end

--- asyncio.create_subprocess_exec(program, arg..., [opts]): opts is
-- {stdin=, stdout=, stderr= (M.PIPE, M.DEVNULL, M.STDOUT, a descriptor;
-- nil inherits), env={NAME=value}, cwd=}. FileNotFoundError when the
-- program is not there.
function M.create_subprocess_exec(program, ...)
  local argv, n = { program }, select("#", ...)
  local opts = nil
  for i = 1, n do
    local a = select(i, ...)
    if i == n and type(a) == "table" then opts = a else argv[#argv + 1] = tostring(a) end
  end
  return spawn_process("create_subprocess_exec", argv, opts)
end
--- asyncio.create_subprocess_shell(cmd, [opts]): /bin/sh -c cmd.
function M.create_subprocess_shell(cmd, opts)
  return spawn_process("create_subprocess_shell", cmd, opts)
end
--- exec({program, arg...}, [opts]) and spawn(command, [opts]): the same
-- with an argument list, and with a shell command line.
function M.exec(argv, opts) return spawn_process("exec", argv, opts) end
function M.spawn(cmd, opts) return spawn_process("spawn", cmd, opts) end

--- The returncode once the child exited (-N when signal N ended it).
-- Cancelling the wait does not touch the child.
function Process:wait() return await_op(core.process_wait(self._p)) end
--- Writes input (if any), closes stdin, reads stdout and stderr to EOF,
-- waits: returns stdout, stderr (nil for a stream that is not a pipe).
function Process:communicate(input)
  await_op(core.process_communicate(self._p, input))
  local out, err = core.process_take_output(self._p)
  return self.stdout and out or nil, self.stderr and err or nil
end
function Process:send_signal(sig) check(core.process_send_signal(self._p, sig), "send_signal", 2) end
function Process:terminate() self:send_signal(core.SIGTERM) end
function Process:kill() self:send_signal(core.SIGKILL) end

--- loop:add_signal_handler(sig, fn, ...): fn(...) runs on the loop each
-- time sig arrives (one handler per signal; a new one replaces it).
-- RuntimeError for SIGKILL/SIGSTOP, ValueError out of range.
function Loop:add_signal_handler(sig, fn, ...)
  local args, n = { ... }, select("#", ...)
  check_loop(core.add_signal_handler(self._l, sig, function() fn(unpack(args, 1, n)) end),
    "add_signal_handler", 2)
end
--- True when a handler was removed.
function Loop:remove_signal_handler(sig)
  return check_loop(core.remove_signal_handler(self._l, sig), "remove_signal_handler", 2) == 1
end
--- SIGINT back to its default disposition (Python's
-- signal.signal(SIGINT, default_int_handler)): run() then turns the first
-- Ctrl-C into a cancellation of the main task, as asyncio.run does. A
-- program started with SIGINT ignored keeps it ignored otherwise.
M.default_sigint = core.default_sigint
--- signal(sig, fn): add_signal_handler on the running (else current) loop.
function M.signal(sig, fn, ...) return M.get_event_loop():add_signal_handler(sig, fn, ...) end

--- asyncio's loop.connect_read_pipe / connect_write_pipe over a descriptor
-- (a pipe, FIFO, socket or character device), which the Stream owns from
-- here on. Writing to a pipe whose reader is gone raises BrokenPipeError.
function M.connect_read_pipe(fd)
  local s, rc = core.pipe_connect(M.get_running_loop()._l, fd, "r")
  if not s then check_loop(rc, "connect_read_pipe", 2) end
  return wrap_stream(s)
end
function M.connect_write_pipe(fd)
  local s, rc = core.pipe_connect(M.get_running_loop()._l, fd, "w")
  if not s then check_loop(rc, "connect_write_pipe", 2) end
  return wrap_stream(s)
end
--- A terminal as a Stream (owned as above), with set_raw and get_winsize.
function M.open_tty(fd)
  local s, rc = core.pipe_connect(M.get_running_loop()._l, fd, "tty")
  if not s then check_loop(rc, "open_tty", 2) end
  return wrap_stream(s)
end
function Stream:set_raw(on) check(core.tty_set_raw(self._s, on and true or false), "set_raw", 2) end
--- columns, rows
function Stream:get_winsize()
  local c, r = core.tty_winsize(self._s)
  if not c then check(r, "get_winsize", 2) end
  return c, r
end
--- Upgrades the stream to TLS (StreamWriter.start_tls) with ctx
-- (ac.tls.context); waits for the handshake. opts: {server_hostname=name,
-- ssl_handshake_timeout=s, ssl_shutdown_timeout=s}. Raises
-- SSLCertVerificationError, SSLError, ConnectionResetError ...
function Stream:start_tls(ctx, opts)
  opts = opts or {}
  local f, rc = self._s:start_tls(ctx._c, opts.server_hostname, opts.ssl_handshake_timeout or 0,
                                  opts.ssl_shutdown_timeout or 0)
  if not f then check(rc, "start_tls", 2) end
  await_op(f)
end
local tls_info = { version = 0, cipher = 1, alpn = 2, server_name = 3, peer_subject = 4 }
--- What the handshake settled: "version" ("TLSv1.3"), "cipher", "alpn"
-- ("" for none), "server_name" (SNI), "peer_subject" ("CN=..."); nil for
-- a plain stream.
function Stream:tls_info(what)
  if self._s:is_tls() ~= 1 then return nil end
  local item = tls_info[what]
  if item == nil then error("unknown tls_info item: " .. tostring(what), 2) end
  return string_op(self._s:tls_info(item))
end

-- TLS contexts (ssl.SSLContext).
local TlsContext = {}
TlsContext.__index = TlsContext
local verify_modes = { none = 0, optional = 1, required = 2 }
local versions = { ["1.2"] = 0x0303, ["1.3"] = 0x0304 }

--- ac.tls.context{...}: a client context by default (the server's
-- certificate verified against the system CAs, its name checked), a server
-- one with server=true. Fields: cafile, cadata (PEM text), certfile,
-- keyfile, certdata / keydata (the chain and key as PEM text; keydata nil:
-- the key is in certdata), password, sni (a server's
-- function(server_name) returning the context to use, or nil to keep this
-- one: SSLContext.sni_callback), verify ("none"|"optional"|"required"),
-- check_hostname (bool), alpn ({"h2", "http/1.1"}), min_version /
-- max_version ("1.2"|"1.3"), ciphers (TLS 1.2 list), ciphersuites (1.3).
local function tls_context(o)
  o = o or {}
  local c, rc = core.tls_context_new(o.server and 1 or 0)
  if not c then check(rc, "tls.context", 2) end
  local function ok(r, what) if r ~= 0 then check(r, what, 3) end end
  if o.cafile then ok(c:load_verify_locations(o.cafile), "load_verify_locations") end
  if o.cadata then ok(c:load_verify_pem(o.cadata), "load_verify_pem") end
  if o.certfile then ok(c:load_cert_chain(o.certfile, o.keyfile, o.password), "load_cert_chain") end
  if o.certdata then ok(c:load_cert_chain_pem(o.certdata, o.keydata or "", o.password), "load_cert_chain_pem") end
  if o.check_hostname ~= nil then ok(c:set_check_hostname(o.check_hostname and 1 or 0), "check_hostname") end
  if o.verify then ok(c:set_verify((assert(verify_modes[o.verify], "verify: none|optional|required"))), "verify") end
  if o.alpn then ok(c:set_alpn_protocols(table.concat(o.alpn, ",")), "set_alpn_protocols") end
  if o.min_version then ok(c:set_min_version((assert(versions[o.min_version]))), "min_version") end
  if o.max_version then ok(c:set_max_version((assert(versions[o.max_version]))), "max_version") end
  if o.ciphers or o.ciphersuites then ok(c:set_ciphers(o.ciphers, o.ciphersuites), "set_ciphers") end
  local ctx = setmetatable({ _c = c }, TlsContext)
  if o.sni then ctx:set_sni_callback(o.sni) end
  return ctx
end

--- A server context's choice of context for the name a client asks for
-- (SNI): fn(server_name) returns a context (ac.tls.context) or nil to keep
-- this one; an error in fn keeps this one too. It runs during the
-- handshake and must not wait for anything. nil removes the callback.
function TlsContext:set_sni_callback(fn)
  local rc
  if fn == nil then
    rc = core.tls_set_sni(self._c, nil)
  else
    rc = core.tls_set_sni(self._c, function(name)
      local chosen = fn(name)
      return chosen and chosen._c
    end)
  end
  if rc ~= 0 then check(rc, "set_sni_callback", 2) end
end
M.tls = { context = tls_context, available = function() return core.tls_available() == 1 end }

local Server = {}
Server.__index = Server
M.Server = Server

local function start(loop, client_connected, where, port, opts)
  local handler = client_connected
  if opts and opts.tls then
    -- TLS: the handshake first; a connection whose handshake fails is
    -- closed without reaching client_connected (asyncio logs it in debug).
    local ctx, tls_opts = opts.tls, {
      ssl_handshake_timeout = opts.ssl_handshake_timeout,
      ssl_shutdown_timeout = opts.ssl_shutdown_timeout,
    }
    handler = function(stream)
      if not pcall(stream.start_tls, stream, ctx, tls_opts) then
        stream:close()
        return
      end
      return client_connected(stream)
    end
  end
  local function flag(v, default)
    if v == nil then return default end
    return v and 1 or 0
  end
  local o = opts or {}
  local srv, rc = core.server_listen(loop._l, where, port, o.backlog or 0, function(s)
    create_task(loop, handler, nil, wrap_stream(s))
  end, flag(o.reuse_address, nil), flag(o.reuse_port, nil), flag(o.ipv6_only, nil))
  if not srv then check_loop(rc, "start_server", 3) end
  return setmetatable({ _srv = srv, _loop = loop }, Server)
end

--- Listens on TCP (asyncio.start_server): client_connected(stream) runs as
-- a new task for every connection. host nil: all interfaces; port 0: any
-- free port (server:port()). opts: {backlog=n, tls=ctx (a server context),
-- ssl_handshake_timeout=s, ssl_shutdown_timeout=s, reuse_address=bool
-- (default true), reuse_port=bool (default false), ipv6_only=bool
-- (default: the system's)}.
function M.start_server(client_connected, host, port, opts)
  return start(M.get_event_loop(), client_connected, host, port or 0, opts)
end

--- The same on a Unix-domain socket at `path`.
function M.start_unix_server(client_connected, path, opts)
  return start(M.get_event_loop(), client_connected, path, nil, opts)
end

function Server:address() return string_op(self._srv:address()) end
function Server:port() return check(self._srv:port(), "port", 2) end
function Server:is_serving() return self._srv:is_serving() == 1 end
function Server:close() self._srv:close() end
--- Waits until the server is closed and every connection it accepted is
-- closed (asyncio 3.12.1+).
function Server:wait_closed() await_op(self._srv:wait_closed()) end
--- Serves until the server is closed: then CancelledError, as asyncio;
-- cancelling the awaiting task closes the server.
function Server:serve_forever() await_op(self._srv:serve_forever()) end
--- Connections accepted and not yet closed.
function Server:connections() return self._srv:connections() end
--- Closes every connection, flushing (asyncio 3.13); returns how many.
function Server:close_clients() return check(self._srv:close_clients(), "close_clients", 2) end
--- Aborts every connection, dropping buffered output (asyncio 3.13).
function Server:abort_clients() return check(self._srv:abort_clients(), "abort_clients", 2) end
--- The listening socket's descriptor (-1 once closed).
function Server:fileno() return self._srv:fileno() end

local Udp = {}
Udp.__index = Udp
M.Udp = Udp

--- A UDP endpoint bound to host (nil: all interfaces) and port (0: any).
-- opts: {reuse_port=bool, allow_broadcast=bool} (asyncio's
-- create_datagram_endpoint keywords; no reuse_address, as asyncio).
function M.udp_bind(host, port, opts)
  local l = M.get_event_loop()._l
  local u, rc
  if opts then
    u, rc = l:udp_bind_ex(host, port or 0, opts.reuse_port and 1 or 0, opts.allow_broadcast and 1 or 0)
  else
    u, rc = l:udp_bind(host, port or 0)
  end
  if not u then check_loop(rc, "udp_bind", 2) end
  return setmetatable({ _u = u }, Udp)
end

--- Sets the default peer; only its datagrams are received then.
function Udp:connect(host, port) check(self._u:connect(host, port), "connect", 2) end
--- Sends a datagram to "host:port" (nil: the connected peer).
function Udp:send(data, address) check(self._u:send(data, address), "send", 2) end
--- The next datagram.
function Udp:recv() return await_op(self._u:recv()) end
--- The next datagram and its sender's address.
function Udp:recvfrom()
  local raw = await_op(self._u:recvfrom())
  local nl = raw:find("\n", 1, true)
  return raw:sub(nl + 1), raw:sub(1, nl - 1)
end
function Udp:set_recv_queue(n) check(self._u:set_recv_queue(n), "set_recv_queue", 2) end
function Udp:dropped() return self._u:dropped() end
function Udp:queued() return self._u:queued() end
function Udp:local_address() return string_op(self._u:local_address()) end
--- SO_BROADCAST now.
function Udp:set_broadcast(on) check(self._u:set_broadcast(on and 1 or 0), "set_broadcast", 2) end
--- The socket's descriptor (-1 once closed).
function Udp:fileno() return self._u:fileno() end
function Udp:close() self._u:close() end

local families = { any = core.FAMILY_ANY, ipv4 = core.FAMILY_IPV4, ipv6 = core.FAMILY_IPV6 }
local socktypes = { stream = core.SOCKTYPE_STREAM, dgram = core.SOCKTYPE_DGRAM }

--- Resolves host and port (asyncio.getaddrinfo): a list of "addr:port".
-- opts: {family="any"|"ipv4"|"ipv6", type="stream"|"dgram"}.
function M.getaddrinfo(host, port, opts)
  opts = opts or {}
  local family = families[opts.family or "any"]
  local socktype = socktypes[opts.type or "stream"]
  if not family or not socktype then error("asyncore.getaddrinfo: bad family or type", 2) end
  local text = await_op(M.get_running_loop()._l:getaddrinfo(host, port and tostring(port), family, socktype))
  local list = {}
  for line in text:gmatch("[^\n]+") do list[#list + 1] = line end
  return list
end

--- The host and service names of "addr:port" (asyncio.getnameinfo).
-- flags: a sum of asyncore.core.NI_* values.
function M.getnameinfo(address, flags)
  local text = await_op(M.get_running_loop()._l:getnameinfo(address, flags or 0))
  local host, serv = text:match("^([^\n]*)\n([^\n]*)")
  return host, serv
end

---------------------------------------------------------------------------
-- Threads: C functions on worker threads, thread-safe futures
---------------------------------------------------------------------------

local Executor = {}
Executor.__index = Executor
M.Executor = Executor

--- A dedicated pool of n worker threads.
function Executor.new(n)
  local ex, rc = core.executor_new(n or 1)
  if not ex then check(rc, "Executor", 2) end
  return setmetatable({ _ex = ex }, Executor)
end
setmetatable(Executor, { __call = function(_, n) return Executor.new(n) end })

--- Stops accepting work; opts {wait=bool, cancel_pending=bool}.
function Executor:shutdown(opts)
  opts = opts or {}
  local flags = (opts.wait and core.EXECUTOR_WAIT or 0) + (opts.cancel_pending and core.EXECUTOR_CANCEL_PENDING or 0)
  check(self._ex:shutdown(flags), "shutdown", 2)
end

--- Runs a C function on a worker thread and returns its result: `fn` is an
-- ac_work_fn and `ud` its argument, light userdata a C library hands out
-- (Lua code itself never runs off the loop's thread). executor: an
-- Executor, or nil for libuv's pool. Cancelling the caller before the work
-- started keeps it from running.
function M.to_thread(fn, ud, executor)
  local loop = M.get_running_loop()
  return await_op(loop._l:to_thread(fn, ud, executor and executor._ex or nil))
end

--- As to_thread, for an ac_work_v2_fn: a C function that may fail with an
-- error object it made (message, cause), raised here as that error.
function M.to_thread_v2(fn, ud, executor)
  local loop = M.get_running_loop()
  return await_op(loop._l:to_thread_v2(fn, ud, executor and executor._ex or nil))
end

local TsFuture = {}
TsFuture.__index = TsFuture
M.TsFuture = TsFuture

--- A thread-safe future (concurrent.futures.Future): C code on any thread
-- completes it (tsf:ptr() is its ac_tsfuture *), a task awaits it.
function TsFuture.new()
  local ts, rc = core.tsfuture_new()
  if not ts then check(rc, "TsFuture", 2) end
  return setmetatable({ _ts = ts }, TsFuture)
end
setmetatable(TsFuture, { __call = function() return TsFuture.new() end })

function TsFuture:ptr() return self._ts:ptr() end
function TsFuture:done() return self._ts:done() == 1 end
function TsFuture:cancelled() return self._ts:cancelled() == 1 end
function TsFuture:cancel(message) return self._ts:cancel(message) == 1 end
function TsFuture:set_result(v)
  if v == nil then
    check(self._ts:set_result_none(), "set_result", 2)
  else
    check(self._ts:set_result_int64(v), "set_result", 2)
  end
end
function TsFuture:set_exception_code(code, message)
  check(self._ts:set_error_code(code, message), "set_exception_code", 2)
end
--- Blocks this thread up to `timeout` seconds (nil: forever); true if done.
function TsFuture:wait(timeout) return self._ts:wait(timeout or -1) == 0 end
--- Awaits it from a task (asyncio.wrap_future) and returns its result.
function TsFuture:await()
  return await_op(self._ts:wrap(M.get_running_loop()._l))
end

---------------------------------------------------------------------------
-- Context variables (contextvars)
---------------------------------------------------------------------------

local ContextVar = {}
ContextVar.__index = ContextVar
M.ContextVar = ContextVar

--- A task-local variable: a task sees the values set before it was created
-- and its own; never its children's. `default` is returned when unset.
function ContextVar.new(name, default)
  local key, rc = core.context_key_new()
  if key == nil then check(rc, "ContextVar", 2) end
  return setmetatable({ name = name, default = default, _key = key }, ContextVar)
end
setmetatable(ContextVar, { __call = function(_, name, default) return ContextVar.new(name, default) end })

function ContextVar:get(default)
  local rc, v = core.context_get(M.get_event_loop()._l, self._key)
  check_loop(rc, "ContextVar.get", 2)
  if rc == 1 then return v end
  if default ~= nil then return default end
  return self.default
end

function ContextVar:set(value)
  check_loop(core.context_set(M.get_event_loop()._l, self._key, value), "ContextVar.set", 2)
end

--- The variable's ac_context_key, for C code: a C function run by
-- to_thread reads and sets the variable in its copy of the task's context
-- with ac_context_get / ac_context_set (loop NULL) and this key.
function ContextVar:key() return self._key end

function ContextVar:delete()
  return check_loop(core.context_delete(M.get_event_loop()._l, self._key), "ContextVar.delete", 2) == 1
end

---------------------------------------------------------------------------
-- A host's loop
---------------------------------------------------------------------------

-- A host that owns the loop hands it over before requiring this module (a
-- light userdata ac_loop * in the registry under "asyncore.host_loop");
-- it becomes the current loop, stepped by the host.
do
  local hl = core.host_loop()
  if hl then
    M.loop = wrap_loop(hl, true)
    current_loop = M.loop
  end
end

-- Files and descriptors (asyncore_fs.lua).
require("asyncore_fs")(M, core, { await_op = await_op, check_loop = check_loop })

return M
