// Loop::on_uv: coroutines on a host's libuv loop, driven by its uv_run only.
#include <gtest/gtest.h>
#include <uv.h>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<int> ticks(Trace *tr) {
  for (int i = 1; i <= 3; ++i) {
    co_await ac::sleep(0.001);
    (*tr)("tick " + std::to_string(i));
  }
  co_return 3;
}

ac::Task<int> outer(Trace *tr) {
  (*tr)("start");
  int n = co_await ac::create_task(ticks(tr));
  (*tr)("end");
  co_return n * 2;
}

TEST(OnUv, TasksRunInTheHostsUvRun) {
  uv_loop_t host;
  ASSERT_EQ(uv_loop_init(&host), 0);
  Trace tr;
  {
    ac::Loop loop = ac::Loop::on_uv(&host);
    auto h = loop.create_task(outer(&tr));
    loop.call_soon([&] { tr("soon"); });
    EXPECT_EQ(uv_run(&host, UV_RUN_DEFAULT), 0);
    ASSERT_TRUE(h.done());
    EXPECT_EQ(h.result(), 6);
    EXPECT_EQ(tr.text(), "start\nsoon\ntick 1\ntick 2\ntick 3\nend\n");
    // The host's uv_run is the only driver.
    EXPECT_THROW(loop.run_forever(), ac::Error);
    loop.close();
  }
  // Our handles close in the host's next iteration.
  EXPECT_EQ(uv_run(&host, UV_RUN_DEFAULT), 0);
  EXPECT_EQ(uv_loop_close(&host), 0);
}

TEST(OnUv, NullHostThrows) { EXPECT_THROW(ac::Loop::on_uv(nullptr), ac::Error); }

}  // namespace
