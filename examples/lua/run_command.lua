-- run_command.lua — run a command and read its output (asyncio's
-- create_subprocess_exec with stdout=PIPE, then create_subprocess_shell
-- with communicate()). Children run in real time: --virtual-clock changes
-- nothing here.
local ac = require "asyncore"

ac.run(function()
  print("$ printf 'alpha\\nbeta\\ngamma\\n'")
  local p = ac.create_subprocess_exec("printf", "alpha\\nbeta\\ngamma\\n", { stdout = ac.PIPE })
  local n = 0
  for line in p.stdout:lines() do
    n = n + 1
    io.write(("line %d: %s"):format(n, line))
  end
  print("exit status " .. p:wait())

  print("$ echo out; echo oops >&2; exit 3")
  local sh = ac.create_subprocess_shell("echo out; echo oops >&2; exit 3",
    { stdout = ac.PIPE, stderr = ac.PIPE })
  local out, err = sh:communicate()
  io.write("stdout: " .. out)
  io.write("stderr: " .. err)
  print("exit status " .. sh.returncode)
end)
