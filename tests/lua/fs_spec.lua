-- Files and any descriptor from Lua: ac.fs requests, file objects read
-- line by line inside a task, Python's error classes and messages,
-- add_reader on a real pipe and sock_* on a real socket pair.
local ac = require "asyncore"
local H = require "helper"

local function temp_dir()
  local p = io.popen("mktemp -d /tmp/ac-fslua-XXXXXX")
  local d = p:read("l")
  p:close()
  return d
end

describe("ac.fs", function()
  it("writes, reads line by line, stats, lists, renames and removes", function()
    local dir = temp_dir()
    local got = H.run(function()
      local w = ac.fs.open_file(dir .. "/a.txt", "w")
      w:write("one\ntwo\n")
      w:write("three")
      w:drain()
      w:close()
      local f = ac.fs.open_file(dir .. "/a.txt")
      local lines = {}
      for line in f:lines() do lines[#lines + 1] = line end
      f:close()
      assert.are.same({ "one\n", "two\n", "three" }, lines)
      local st = ac.fs.stat(dir .. "/a.txt")
      assert.are.equal(13, st.size)
      local fd = ac.fs.open(dir .. "/a.txt", "r")
      assert.are.equal("two", ac.fs.read(fd, 3, 4))
      assert.are.equal(13, ac.fs.fstat(fd).size)
      ac.fs.close(fd)
      ac.fs.mkdir(dir .. "/sub")
      ac.fs.rename(dir .. "/a.txt", dir .. "/b.txt")
      local names = ac.fs.scandir(dir)
      ac.fs.rmdir(dir .. "/sub")
      ac.fs.unlink(dir .. "/b.txt")
      ac.fs.rmdir(dir)
      return table.concat(names, ",")
    end)
    assert.are.equal("b.txt,sub", got)
  end)

  it("raises Python's classes with the path in the message", function()
    H.run(function()
      local ok, e = pcall(ac.fs.open_file, "/nonexistent/x", "r")
      assert.is_false(ok)
      assert.are.equal("FileNotFoundError", e.class)
      assert.are.equal(-2, e.code)
      assert.are.equal("[Errno 2] No such file or directory: '/nonexistent/x'", e.message)
      ok, e = pcall(ac.fs.open, "/proc/sys/kernel/version", "w")
      assert.is_false(ok)
      assert.are.equal("PermissionError", e.class)
      ok, e = pcall(ac.fs.open, "/tmp", "w")
      assert.are.equal("IsADirectoryError", e.class)
    end)
  end)

  it("raises OSError ENOSPC writing to /dev/full", function()
    H.run(function()
      local fd = ac.fs.open("/dev/full", "w")
      local ok, e = pcall(ac.fs.write, fd, "data")
      assert.is_false(ok)
      assert.are.equal("OSError", e.class)
      assert.are.equal(-28, e.code)
      assert.are.equal("[Errno 28] No space left on device", e.message)
      ac.fs.close(fd)
      local f = ac.fs.open_file("/dev/full", "w")
      f:write("line\n")
      ok, e = pcall(f.drain, f)
      assert.is_false(ok)
      assert.are.equal(-28, e.code)
      pcall(f.close, f)
    end)
  end)
end)

describe("descriptors", function()
  it("run a reader on a FIFO, replace it, remove it, and wait for readiness", function()
    local dir = temp_dir()
    local fifo = dir .. "/fifo"
    local made = os.execute("mkfifo " .. fifo)
    assert.is_true(made == true or made == 0) -- Lua 5.4: true; LuaJIT (5.1): 0
    local got = H.run(function()
      local O_NONBLOCK = 2048 -- Linux
      local r = ac.fs.open(fifo, O_NONBLOCK) -- O_RDONLY
      local w = ac.fs.open(fifo, 1)          -- O_WRONLY
      local calls, replaced = 0, 0
      local ready = ac.Event()
      ac.add_reader(r, function() replaced = replaced + 1 end)
      ac.add_reader(r, function()            -- replaces the first
        calls = calls + 1
        ac.remove_reader(r)
        ready:set()
      end)
      ac.fs.write(w, "ping")
      ready:wait()
      assert.is_false(ac.remove_reader(r))
      ac.wait_readable(r)                    -- still readable: at once
      local data = ac.fs.read(r, 10)
      ac.fs.close(w)
      ac.fs.close(r)
      return calls .. replaced .. data
    end)
    os.remove(fifo)
    os.remove(dir)
    assert.are.equal("10ping", got)
  end)

  it("drop a descriptor closed behind the loop's back, reporting EBADF once", function()
    local dir = temp_dir()
    local fifo = dir .. "/fifo"
    local made = os.execute("mkfifo " .. fifo)
    assert.is_true(made == true or made == 0)
    local reports = {}
    local got = H.run(function()
      ac.get_running_loop():set_exception_handler(function(_, ctx)
        reports[#reports + 1] = ctx.exception and ctx.exception.code or 0
      end)
      local r = ac.fs.open(fifo, 2048) -- O_RDONLY | O_NONBLOCK
      local w = ac.fs.open(fifo, 1)
      local calls = 0
      ac.add_reader(r, function() calls = calls + 1 end)
      local waiter = ac.create_task(function() return pcall(ac.wait_readable, r) end)
      ac.sleep(0.001)
      ac.fs.close(r) -- the reader is still registered
      local ok, e = ac.await(waiter)
      assert.is_false(ok)
      assert.are.equal(-9, e.code)
      ac.sleep(0.01)
      assert.is_false(ac.remove_reader(r))
      ac.fs.close(w)
      return calls
    end)
    os.remove(fifo)
    os.remove(dir)
    assert.are.equal(0, got)
    assert.are.same({ -9 }, reports)
  end)

  it("refuse a closed descriptor with EBADF", function()
    H.run(function()
      local ok, e = pcall(ac.wait_readable, 987)
      assert.is_false(ok)
      assert.are.equal(-9, e.code)
      ok, e = pcall(ac.add_reader, 987, function() end)
      assert.is_false(ok)
      assert.are.equal(-9, e.code)
    end)
  end)
end)
