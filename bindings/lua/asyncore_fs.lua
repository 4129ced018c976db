-- asyncore_fs.lua — files and any descriptor for the Lua layer
-- (asyncore.fs, file objects, add_reader/add_writer, wait_readable,
-- sock_*), over asyncore/fs.h and asyncore/fdwatch.h. asyncore.lua loads
-- it; use it through `require "asyncore"`:
--
--   local f = ac.fs.open_file("log.txt", "r")
--   for line in f:lines() do print(line) end   -- inside a task
--   f:close()
--
-- Errors are raised as the library's error objects, with Python's class
-- (FileNotFoundError, PermissionError …) and message (path included).
return function(M, core, h)
  local await_op, check_loop = h.await_op, h.check_loop

  local function loop() return M.get_running_loop()._l end
  -- Readers and writers are added and removed from callbacks too.
  local function event_loop() return M.get_event_loop()._l end

  local fs = {}
  M.fs = fs

  --- open(2) flags of Python's open() mode ("r", "w", "a", "x", "+").
  function fs.flags(mode)
    local flags, rc = core.fs_open_flags(mode)
    if not flags then check_loop(rc, "flags", 2) end
    return flags
  end
  --- Opens path; `flags` is a mode string ("r", "w" …) or open(2) flags.
  -- Returns the descriptor (the caller closes it with fs.close).
  function fs.open(path, flags, mode)
    if type(flags) ~= "number" then flags = fs.flags(flags or "r") end
    return await_op(core.fs_open(loop(), path, flags, mode or 438))
  end
  function fs.close(fd) return await_op(core.fs_close(loop(), fd)) end
  --- Up to n bytes at offset (pread), or at the position (offset nil).
  function fs.read(fd, n, offset) return await_op(core.fs_read(loop(), fd, n, offset or -1)) end
  --- Writes all of data; the count written.
  function fs.write(fd, data, offset) return await_op(core.fs_write(loop(), fd, data, offset or -1)) end
  function fs.fsync(fd) return await_op(core.fs_fsync(loop(), fd)) end
  function fs.stat(path) return core.fs_stat_table(await_op(core.fs_stat(loop(), path))) end
  function fs.lstat(path) return core.fs_stat_table(await_op(core.fs_lstat(loop(), path))) end
  function fs.fstat(fd) return core.fs_stat_table(await_op(core.fs_fstat(loop(), fd))) end
  function fs.rename(from, to) return await_op(core.fs_rename(loop(), from, to)) end
  function fs.unlink(path) return await_op(core.fs_unlink(loop(), path)) end
  function fs.mkdir(path, mode) return await_op(core.fs_mkdir(loop(), path, mode or 511)) end
  function fs.rmdir(path) return await_op(core.fs_rmdir(loop(), path)) end
  --- The names in a directory (sorted, without "." and "..").
  function fs.scandir(path)
    local all = await_op(core.fs_scandir(loop(), path))
    local names = {}
    for name in all:gmatch("([^%z]*)%z") do names[#names + 1] = name end
    return names
  end
  function fs.sendfile(out_fd, in_fd, offset, len)
    return await_op(core.fs_sendfile(loop(), out_fd, in_fd, offset, len))
  end

  local File = {}
  File.__index = File
  fs.File = File

  --- A buffered file object (Python's open() modes); reads like a Stream.
  function fs.open_file(path, mode)
    local f, opened = core.file_open(loop(), path, mode or "r")
    if not f then check_loop(opened, "open_file", 2) end
    await_op(opened)
    return setmetatable({ _f = f }, File)
  end
  --- Up to n bytes (nil: to the end of the file); "" at the end.
  function File:read(n) return await_op(core.file_read(self._f, n or -1)) end
  --- A line with its "\n"; "" at the end of the file.
  function File:readline() return await_op(core.file_readline(self._f)) end
  function File:readuntil(sep) return await_op(core.file_readuntil(self._f, sep)) end
  function File:write(data) check_loop(core.file_write(self._f, data), "write", 2) end
  function File:drain() return await_op(core.file_drain(self._f)) end
  function File:close() return await_op(core.file_close(self._f)) end
  function File:fileno() return check_loop(core.file_fileno(self._f), "fileno", 2) end
  --- `for line in f:lines() do … end` inside a task: each line with its
  -- "\n" (as Stream:lines), until the end of the file.
  function File:lines()
    return function()
      local line = self:readline()
      if line == "" then return nil end
      return line
    end
  end

  --- asyncio's loop.add_reader / add_writer: fn() whenever fd is readable
  -- (writable); a second add replaces the first.
  function M.add_reader(fd, fn) check_loop(core.add_reader(event_loop(), fd, fn), "add_reader", 2) end
  function M.add_writer(fd, fn) check_loop(core.add_writer(event_loop(), fd, fn), "add_writer", 2) end
  --- True if there was one.
  function M.remove_reader(fd) return check_loop(core.remove_reader(event_loop(), fd), "remove_reader", 2) == 1 end
  function M.remove_writer(fd) return check_loop(core.remove_writer(event_loop(), fd), "remove_writer", 2) == 1 end
  function M.wait_readable(fd) return await_op(core.wait_readable(loop(), fd)) end
  function M.wait_writable(fd) return await_op(core.wait_writable(loop(), fd)) end
  --- asyncio's loop.sock_* on a non-blocking socket descriptor.
  function M.sock_recv(fd, n) return await_op(core.sock_recv(loop(), fd, n)) end
  function M.sock_sendall(fd, data) return await_op(core.sock_sendall(loop(), fd, data)) end
  function M.sock_connect(fd, address) return await_op(core.sock_connect(loop(), fd, address)) end
  function M.sock_accept(fd) return await_op(core.sock_accept(loop(), fd)) end
end
