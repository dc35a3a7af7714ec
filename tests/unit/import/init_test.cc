// roster init's library calls, on a new SQLite directory.

#include "roster/init.h"

#include <gtest/gtest.h>

#include "cli/commands.h"
#include "test_util.h"

namespace roster {
namespace {

TEST(InitTest, TheFirstAdministratorOnlyOnAnEmptyDirectory) {
  testing::TempDir tmp;
  std::string db = tmp / "roster.db";
  std::vector<Permission> catalog = permission_catalog();
  Directory::Options o;
  o.create = true;
  auto dir = Directory::open(db, o);
  ASSERT_TRUE(dir.is_ok()) << dir.status().message();
  auto version = prepare_directory(**dir, catalog);
  ASSERT_TRUE(version.is_ok());
  EXPECT_EQ(*version, kSchemaVersion);
  EXPECT_EQ((*dir)->permissions().size(), catalog.size());

  ASSERT_TRUE(create_first_admin(**dir, "alice", "alice@example.com").is_ok());
  const Role* admin = (*dir)->role_by_name("Administrator");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->hierarchy, 0);
  EXPECT_EQ(admin->permissions.size(), catalog.size());
  auto alice = (*dir)->find_user("alice");
  ASSERT_TRUE(alice.is_ok() && alice->has_value());
  EXPECT_EQ((*alice)->role_id, admin->id);
  EXPECT_TRUE((*alice)->all_sources && (*alice)->all_channels && (*alice)->enabled);
  EXPECT_EQ(testing::query(db, "SELECT kind, actor, outcome, created FROM jobs"),
            "init|alice|committed|1");
  EXPECT_EQ(testing::query(db, "SELECT count(*) FROM audit"), "2");

  Status again = create_first_admin(**dir, "bob", "bob@example.com");
  EXPECT_EQ(again.exit_code(), ExitCode::kUsage);
  EXPECT_EQ(testing::query(db, "SELECT count(*) FROM users"), "1");
}

TEST(InitTest, AdminArgumentsAreCheckedFirst) {
  EXPECT_TRUE(check_first_admin("", "").is_ok());
  EXPECT_TRUE(check_first_admin("alice", "alice@example.com").is_ok());
  EXPECT_EQ(check_first_admin("alice", "").exit_code(), ExitCode::kUsage);
  EXPECT_EQ(check_first_admin("al ice", "a@example.com").exit_code(), ExitCode::kUsage);
  EXPECT_EQ(check_first_admin("alice", "not-an-address").exit_code(), ExitCode::kUsage);
}

}  // namespace
}  // namespace roster
