// queue_producer_consumer.cpp — a producer and a consumer decoupled by a
// Queue (the C twin is c/queue_producer_consumer.c, which quotes the
// Python). The random delays are fixed draws from the guide's ranges; the
// expected output is CPython's with those delays. The None sentinel is an
// empty std::optional.
#include <asyncore.hpp>

#include <cstdio>
#include <optional>
#include <string>

namespace ac = asyncore;

using Item = std::optional<std::string>;

static const double produce_delay[5] = {0.2, 0.45, 0.15, 0.3, 0.4};  // uniform(0.1, 0.5)
static const double consume_delay[5] = {0.6, 0.85, 0.55, 0.9, 0.7};  // uniform(0.5, 1.0)

static ac::Task<> producer(ac::Queue<Item> &q, int num_items) {
  for (int i = 0; i < num_items; ++i) {
    std::string item = "item_" + std::to_string(i);
    co_await q.put(item);
    std::printf("Producer: Put %s into queue\n", item.c_str());
    co_await ac::sleep(produce_delay[i]);
  }
  co_await q.put(std::nullopt);  // sentinel to signal the consumer to stop
}

static ac::Task<> consumer(ac::Queue<Item> &q) {
  for (int n = 0;; ++n) {
    Item item = co_await q.get();
    if (!item) {
      std::printf("Consumer: Received stop signal. Exiting.\n");
      q.task_done();
      break;
    }
    std::printf("Consumer: Got %s from queue, processing...\n", item->c_str());
    co_await ac::sleep(consume_delay[n]);
    std::printf("Consumer: Finished processing %s\n", item->c_str());
    q.task_done();
  }
}

static ac::Task<> main_queue() {
  ac::Queue<Item> queue;
  co_await ac::gather(producer(queue, 5), consumer(queue));
  co_await queue.join();  // every item processed
  std::printf("Main: All producer/consumer tasks finished.\n");
}

int main(int argc, char **argv) {
  ac::run(main_queue(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
