-- taskgroup_download.lua — downloads in a task group (asyncio.TaskGroup):
-- the group waits for every download; the failing one comes back inside an
-- ExceptionGroup. Pass --virtual-clock to run on the loop's virtual clock.
local ac = require "asyncore"
if arg and arg[1] == "--virtual-clock" then ac.config.virtual_clock = true end

local function download_file(filename, url)
  print(("Downloading %s from %s..."):format(filename, url))
  ac.sleep(2)
  if url:find("error", 1, true) then error("Failed to download " .. filename, 0) end
  print("Finished downloading " .. filename)
  return "Content of " .. filename
end

local files_to_download = {
  { "report.pdf", "http://example.com/report.pdf" },
  { "data.csv", "http://example.com/data.csv" },
  { "invalid.json", "http://example.com/error_data.json" },
}

ac.run(function()
  print("Main: Starting file downloads with TaskGroup...")
  local tasks = {}
  local ok, eg = pcall(ac.task_group, function(tg)
    for i, f in ipairs(files_to_download) do tasks[i] = tg:create_task(download_file, f[1], f[2]) end
  end)
  if not ok then
    print("Main: Caught exception group: " .. eg.message)
    for _, exc in ipairs(eg.exceptions) do print("  Individual exception: " .. tostring(exc)) end
  end
  local status = {}
  for i, t in ipairs(tasks) do
    local name = files_to_download[i][1]
    local value
    if t:cancelled() then
      value = "Cancelled"
    elseif t:exception() ~= nil then
      value = "Error: " .. tostring(t:exception())
    else
      value = t:result()
    end
    status[#status + 1] = ("'%s': '%s'"):format(name, value)
  end
  print("Main: Final download status: {" .. table.concat(status, ", ") .. "}")
end)
