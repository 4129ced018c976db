#include <gtest/gtest.h>

#include <cstring>

#include "core/error.hpp"
#include "core/value.hpp"

namespace {

TEST(Value, BytesAreCopiedAndReleased) {
  char buf[] = "abc";
  ac_value in{};
  in.kind = AC_VALUE_BYTES;
  in.u.bytes.data = buf;
  in.u.bytes.len = 3;
  ac_value owned;
  ASSERT_EQ(ac::value_copy_in(&owned, &in), 0);
  EXPECT_NE(owned.u.bytes.data, buf);
  buf[0] = 'x';
  EXPECT_EQ(std::memcmp(owned.u.bytes.data, "abc", 3), 0);
  ac::value_release(&owned);
  EXPECT_EQ(owned.kind, AC_VALUE_NONE);
}

TEST(Value, MalformedValuesAreRefused) {
  ac_value in{};
  in.kind = 42;
  ac_value out;
  EXPECT_EQ(ac::value_copy_in(&out, &in), AC_EINVAL);
  in.kind = AC_VALUE_BYTES;
  in.u.bytes.data = nullptr;
  in.u.bytes.len = 4;
  EXPECT_EQ(ac::value_copy_in(&out, &in), AC_EINVAL);
  in.u.bytes.len = 0;
  EXPECT_EQ(ac::value_copy_in(&out, &in), 0);
  ac::value_release(&out);
}

TEST(Error, KindsFollowCodes) {
  EXPECT_EQ(ac::error_kind_of(AC_ECANCELLED), AC_ERROR_KIND_CANCELLED);
  EXPECT_EQ(ac::error_kind_of(AC_ETIMEDOUT), AC_ERROR_KIND_TIMEOUT);
  EXPECT_EQ(ac::error_kind_of(AC_EWRONGTHREAD), AC_ERROR_KIND_USAGE);
  EXPECT_EQ(ac::error_kind_of(AC_EGROUP), AC_ERROR_KIND_GROUP);
  EXPECT_EQ(ac::error_kind_of(AC_EMFILE), AC_ERROR_KIND_OS);
  EXPECT_EQ(ac::error_kind_of(AC_EFULL), AC_ERROR_KIND_RUNTIME);
}

TEST(Error, EveryNamedCodeHasANameAndMessage) {
#define AC_XX_(name, value, msg)                                     \
  EXPECT_STREQ(ac::err_name(value), "AC_E" #name);                    \
  EXPECT_STREQ(ac::strerror(value), msg);
  AC_ERRNO_MAP(AC_XX_)
#undef AC_XX_
}

TEST(Error, ReferenceCountingFreesCauses) {
  ac_error *cause = ac::error_new(AC_EPIPE, nullptr);
  ac_error *e = ac::error_new(AC_EHOST, "wrapped", cause);
  ac::error_unref(cause);
  EXPECT_EQ(e->cause->refs.load(), 1);
  EXPECT_EQ(ac::error_format(e), "AC_EHOST: wrapped\n  caused by EPIPE: broken pipe\n");
  ac::error_unref(e);
}

}  // namespace
