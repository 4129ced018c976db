#include "core/context.hpp"

#include <gtest/gtest.h>

#include <asyncore/error.h>

namespace {

int frees = 0;
void count_free(void *) { ++frees; }

TEST(Context, CopiesShareValuesUntilWritten) {
  uint32_t k1, k2;
  ASSERT_EQ(ac::context_key_new(&k1), 0);
  ASSERT_EQ(ac::context_key_new(&k2), 0);
  EXPECT_TRUE(ac::context_key_valid(k1));
  EXPECT_FALSE(ac::context_key_valid(0));
  frees = 0;
  ac_value v{};
  v.kind = AC_VALUE_POINTER;
  v.u.pointer.ptr = &frees;
  v.u.pointer.free_fn = count_free;
  ac::Context *a = ac::context_with(nullptr, k1, &v, nullptr);
  ac_value i{};
  i.kind = AC_VALUE_INT64;
  i.u.i64 = 7;
  ac::Context *b = ac::context_with(a, k2, &i, nullptr);
  ASSERT_NE(ac::context_find(b, k1), nullptr);
  EXPECT_EQ(ac::context_find(b, k1)->u.pointer.ptr, &frees);
  EXPECT_EQ(ac::context_find(a, k2), nullptr);
  EXPECT_EQ(ac::context_find(b, k2)->u.i64, 7);
  bool found = false;
  ac::Context *c = ac::context_with(b, k1, nullptr, &found);
  EXPECT_TRUE(found);
  EXPECT_EQ(ac::context_find(c, k1), nullptr);
  ac::context_unref(a);
  EXPECT_EQ(frees, 0);  // b still holds the value
  ac::context_unref(b);
  EXPECT_EQ(frees, 1);  // c removed it: the last holder is gone
  ac::context_unref(c);
  EXPECT_EQ(frees, 1);
}

}  // namespace
