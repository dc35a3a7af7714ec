#include "roster/access.h"

#include <gtest/gtest.h>

namespace roster {
namespace {

TEST(MayAssign, LowerRolesAlwaysPeersOnlyAtTheTop) {
  // Top of the directory is 0.
  EXPECT_TRUE(may_assign(0, 0, 0));  // the top may create peers
  EXPECT_TRUE(may_assign(0, 5, 0));
  EXPECT_TRUE(may_assign(2, 3, 0));
  EXPECT_FALSE(may_assign(2, 2, 0));  // lower levels may not
  EXPECT_FALSE(may_assign(2, 1, 0));
  EXPECT_FALSE(may_assign(3, 0, 0));
  // When the smallest hierarchy defined is 1, rank 1 is the top.
  EXPECT_TRUE(may_assign(1, 1, 1));
  EXPECT_FALSE(may_assign(1, 0, 1));
}

TEST(Scope, ContainsAndCovers) {
  Scope all{true, {}};
  Scope some{false, {2, 5, 9}};
  Scope fewer{false, {2, 9}};
  EXPECT_TRUE(all.contains(123));
  EXPECT_TRUE(some.contains(5));
  EXPECT_FALSE(some.contains(4));
  EXPECT_TRUE(all.covers(some));
  EXPECT_TRUE(some.covers(fewer));
  EXPECT_FALSE(fewer.covers(some));
  EXPECT_FALSE(some.covers(all));
}

TEST(Actor, HasPermissionLooksUpTheSortedList) {
  Actor a;
  a.permissions = {"configuration.roles", "configuration.users", "stock.view"};
  EXPECT_TRUE(a.has_permission("configuration.users"));
  EXPECT_FALSE(a.has_permission("stock.sources"));
}

}  // namespace
}  // namespace roster
