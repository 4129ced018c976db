// taskgroup_download.cpp — downloads in a TaskGroup; the failing one comes
// back inside a GroupError (the C twin is c/taskgroup_download.c):
//
//   async def download_file(filename, url):
//       print(f"Downloading {filename} from {url}...")
//       await asyncio.sleep(2)
//       if "error" in url:
//           raise ValueError(f"Failed to download {filename}")
//       print(f"Finished downloading {filename}")
//       return f"Content of {filename}"
//
//   async def main_task_group():
//       ...
//       try:
//           async with asyncio.TaskGroup() as tg:
//               for name, url in files_to_download.items():
//                   tasks.append(tg.create_task(download_file(name, url)))
//       except* ValueError as eg:
//           print(f"Main: Caught exception group: {eg}")
//           for exc in eg.exceptions:
//               print(f"  Individual exception: {exc}")
//       finally:
//           ... each task's result, error or cancellation ...
//       print(f"Main: Final download status: {results}")
//
// `async with TaskGroup()` is with_task_group(body): the group is joined
// when the body ends. The failure comes at the moment the other downloads
// finish, so nothing is left to cancel.
#include <asyncore.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ac = asyncore;

struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

static ac::Task<std::string> download_file(std::string filename, std::string url) {
  std::printf("Downloading %s from %s...\n", filename.c_str(), url.c_str());
  co_await ac::sleep(2);  // the network request
  if (url.find("error") != std::string::npos) throw ValueError("Failed to download " + filename);
  std::printf("Finished downloading %s\n", filename.c_str());
  co_return "Content of " + filename;
}

static ac::Task<> main_task_group() {
  std::printf("Main: Starting file downloads with TaskGroup...\n");
  const std::vector<std::pair<std::string, std::string>> files_to_download = {
      {"report.pdf", "http://example.com/report.pdf"},
      {"data.csv", "http://example.com/data.csv"},
      {"invalid.json", "http://example.com/error_data.json"},  // this one fails
  };
  std::vector<ac::TaskHandle<std::string>> tasks;
  try {
    co_await ac::with_task_group([&](ac::TaskGroup &tg) -> ac::Task<> {
      for (const auto &[name, url] : files_to_download) tasks.push_back(tg.create_task(download_file(name, url)));
      co_return;  // the group waits for them on exit
    });
  } catch (const ac::GroupError &eg) {
    std::printf("Main: Caught exception group: %s\n", eg.what());
    for (const auto &exc : eg.exceptions()) {
      try {
        std::rethrow_exception(exc);
      } catch (const ValueError &e) {
        std::printf("  Individual exception: %s\n", e.what());
      } catch (...) {
      }
    }
  }
  std::string results;
  for (size_t i = 0; i < tasks.size(); ++i) {
    std::string status;
    if (!tasks[i].done()) {
      status = "Still pending (should not happen with TaskGroup if awaited)";
    } else if (tasks[i].cancelled()) {
      status = "Cancelled";
    } else {
      try {
        status = tasks[i].result();
      } catch (const std::exception &e) {
        status = std::string("Error: ") + e.what();
      }
    }
    results += (i ? ", '" : "'") + files_to_download[i].first + "': '" + status + "'";
  }
  std::printf("Main: Final download status: {%s}\n", results.c_str());
}

int main(int argc, char **argv) {
  ac::run(main_task_group(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
