// queue_consumers.cpp — one producer, two consumers and join, on a Queue
// (the Python twin is python/queue_consumers.py, whose comments give the
// changes from the guide: fixed delays instead of random ones, and one
// sentinel per consumer, since with the guide's single one the second
// consumer waits forever).
//
// Queue<std::optional<std::string>>: an empty optional is the None
// sentinel (it travels as NONE, so a C consumer would see it too).
#include <asyncore.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace ac = asyncore;

using Item = std::optional<std::string>;

static const double produce_delay[5] = {0.1, 0.25, 0.2, 0.25, 0.2};  // uniform(0.1, 0.5)
static const double consume_delay = 0.3;                               // uniform(0.2, 0.6)

static ac::Task<> producer(ac::Queue<Item> &queue, int num_items) {
  for (int i = 0; i < num_items; ++i) {
    std::string item = "item-" + std::to_string(i);
    co_await ac::sleep(produce_delay[i]);  // simulate work
    co_await queue.put(item);
    std::printf("Producer: Put %s into queue\n", item.c_str());
  }
  for (int i = 0; i < 2; ++i) co_await queue.put(std::nullopt);  // Sentinel to signal consumer to stop
}

static ac::Task<> consumer(ac::Queue<Item> &queue, int consumer_id) {
  for (;;) {
    Item item = co_await queue.get();
    if (!item) {
      queue.task_done();
      break;
    }
    std::printf("Consumer %d: Got %s from queue\n", consumer_id, item->c_str());
    co_await ac::sleep(consume_delay);  // simulate work
    queue.task_done();
  }
  std::printf("Consumer %d: Finished\n", consumer_id);
}

static ac::Task<> main_queue() {
  std::printf("Starting main_queue\n");
  ac::Queue<Item> queue;
  auto producer_task = ac::create_task(producer(queue, 5));
  std::vector<ac::TaskHandle<>> consumer_tasks;
  for (int i = 0; i < 2; ++i) consumer_tasks.push_back(ac::create_task(consumer(queue, i)));
  co_await producer_task;
  for (auto &c : consumer_tasks) co_await c;
  co_await queue.join();
  std::printf("Finished main_queue\n");
}

int main(int argc, char **argv) {
  ac::run(main_queue(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
