-- Child processes and signals, with real children (/bin/sh, cat) and real
-- signals sent by a child process.
local ac = require "asyncore"
local H = require "helper"

describe("subprocesses", function()
  it("run a command and read its output line by line", function()
    local lines, code = H.run(function()
      local p = ac.create_subprocess_exec("printf", "a\\nb\\n", { stdout = ac.PIPE })
      assert.is_true(p.pid > 0)
      assert.is_nil(p.stdin)
      local got = {}
      for line in p.stdout:lines() do got[#got + 1] = line end
      return table.concat(got), p:wait()
    end)
    assert.are.equal("a\nb\n", lines)
    assert.are.equal(0, code)
  end)

  it("communicate through a shell, with env and cwd", function()
    local out, err, code = H.run(function()
      local p = ac.spawn('tr a-z A-Z; echo "$X $(pwd)" >&2; exit 3',
        { stdin = ac.PIPE, stdout = ac.PIPE, stderr = ac.PIPE, env = { X = "x1" }, cwd = "/" })
      local o, e = p:communicate("hello\n")
      return o, e, p.returncode
    end)
    assert.are.equal("HELLO\n", out)
    assert.are.equal("x1 /\n", err)
    assert.are.equal(3, code)
  end)

  it("write to cat, merge stderr, EOF by write_eof", function()
    local got = H.run(function()
      local p = ac.exec({ "cat" }, { stdin = ac.PIPE, stdout = ac.PIPE, stderr = ac.STDOUT })
      p.stdin:write("x\ny\n")
      p.stdin:write_eof()
      local a = p.stdout:readexactly(2)
      local b = p.stdout:readuntil("\n")
      assert.are.equal("", p.stdout:read())
      assert.are.equal(0, p:wait())
      return a .. b
    end)
    assert.are.equal("x\ny\n", got)
  end)

  it("a killed child has a negative returncode; a timeout leaves it running", function()
    local first, second = H.run(function()
      local p = ac.create_subprocess_exec("sleep", "30")
      local ok, e = pcall(ac.wait_for, ac.create_task(function() return p:wait() end), 0.2)
      assert.is_false(ok)
      assert.is_true(ac.is_error(e, ac.TimeoutError))
      local still = p.returncode
      p:terminate()
      return still, p:wait()
    end)
    assert.is_nil(first)
    assert.are.equal(-ac.SIGTERM, second)
  end)

  it("a program that is not there raises FileNotFoundError", function()
    H.run(function()
      local ok, e = pcall(ac.create_subprocess_exec, "/nonexistent/program")
      assert.is_false(ok)
      assert.are.equal(ac.core.ENOENT, e.code)
      assert.are.equal("ENOENT", e.errname)
      assert.is_true(ac.is_error(e, ac.OSError))
    end)
  end)
end)

describe("signals", function()
  it("run handlers on the loop for signals another process sends", function()
    local seen = H.run(function()
      local loop = ac.get_running_loop()
      local seen = {}
      local done = ac.Event()
      loop:add_signal_handler(ac.SIGUSR1, function(tag)
        seen[#seen + 1] = tag
        done:set()
      end, "usr1")
      local p = ac.spawn("kill -USR1 $PPID")
      done:wait()
      p:wait()
      assert.is_true(loop:remove_signal_handler(ac.SIGUSR1))
      assert.is_false(loop:remove_signal_handler(ac.SIGUSR1))
      return seen
    end)
    assert.are.same({ "usr1" }, seen)
  end)

  it("refuse SIGKILL with RuntimeError", function()
    H.run(function()
      local ok, e = pcall(ac.signal, ac.SIGKILL, function() end)
      assert.is_false(ok)
      assert.is_true(ac.is_error(e, ac.RuntimeError))
      assert.are.equal("sig 9 cannot be caught", e.message)
    end)
  end)

  it("send a handler's error to the exception handler", function()
    local ctx = H.run(function()
      local loop = ac.get_running_loop()
      local seen, done = {}, ac.Event()
      loop:set_exception_handler(function(_, c) seen[#seen + 1] = c; done:set() end)
      ac.signal(ac.SIGUSR2, function() error("handler broke") end)
      ac.spawn("kill -USR2 $PPID"):wait()
      done:wait()
      loop:remove_signal_handler(ac.SIGUSR2)
      return seen[1]
    end)
    assert.are.equal("Exception in signal handler", ctx.message)
    assert.is_truthy(tostring(ctx.exception.message or ctx.exception):match("handler broke"))
  end)
end)
