// The SQLite file's migrations: a file an older roster left upgrades on open
// and keeps every row (SPEC §4: never half applied; store.h: kSchemaVersion).

#include <gtest/gtest.h>

#include "directory/directory_fixture.h"
#include "roster/directory.h"
#include "test_util.h"

namespace roster {
namespace {

using testing::DirectoryTest;
using testing::opcodes;
using testing::query;

TEST_F(DirectoryTest, AnOlderFileUpgradesOnOpen) {
  {
    auto old = Directory::open_at_version(db_, 1);
    ASSERT_TRUE(old.is_ok());
    EXPECT_EQ(*(*old)->schema_version(), 1);
  }
  EXPECT_EQ(query(db_, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_by_job'"), "0");
  auto d = open_new();
  EXPECT_EQ(*d->schema_version(), Directory::latest_schema_version());
  EXPECT_EQ(query(db_, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_by_job'"), "1");
  EXPECT_EQ(query(db_, "SELECT count(*) FROM pragma_table_info('jobs') WHERE name = 'pid'"), "1");
}

TEST_F(DirectoryTest, Version9UsersKeepEverythingThroughTheRebuildOfVersion10) {
  // Version 10 rebuilds users (nullable e-mail and role); the rows that refer
  // to a user (links, invitations) must still find it, ids unchanged.
  ASSERT_NO_FATAL_FAILURE(make_old_file(
      9,
      "INSERT INTO roles (id, name, key, hierarchy, all_sources, all_sales_channels) "
      "VALUES (7, 'Viewer', 'viewer', 5, 0, 1);"
      "INSERT INTO sources (id, external_id, name, type, enabled) VALUES (3, 'S1', 'S', 'store', "
      "1);"
      "INSERT INTO role_sources VALUES (7, 3);"
      "INSERT INTO users (id, username, email, enabled, all_sales_channels, all_sources, timezone, "
      "role_id, created_at, created_by, updated_at, updated_by) VALUES (42, 'bob', "
      "'bob@x.com', 1, 1, 0, 'UTC', 7, 't0', 'alice', 't1', 'alice');"
      "INSERT INTO user_sources VALUES (42, 3);"
      "INSERT INTO invitations (job_id, user_id, username, email, application, reason, "
      "created_at) VALUES (1, 42, 'bob', 'bob@x.com', 'backoffice', 'created', 't0');"));
  auto d = open_new();
  EXPECT_EQ(*d->schema_version(), Directory::latest_schema_version());
  auto bob = d->find_user("BOB");
  ASSERT_TRUE(bob.is_ok());
  ASSERT_TRUE(bob->has_value());
  EXPECT_EQ((*bob)->id, 42);
  EXPECT_EQ((*bob)->email, "bob@x.com");
  EXPECT_EQ((*bob)->role_id, 7);
  EXPECT_EQ((*bob)->sources, std::vector<int64_t>{3});
  EXPECT_TRUE((*bob)->app_roles.empty());
  EXPECT_EQ(d->role_by_id(7)->application_id, kBackOfficeApplicationId);
  ASSERT_EQ(d->applications().size(), 1u);
  EXPECT_EQ(d->applications()[0].key, "backoffice");
  EXPECT_EQ(query(db_, "PRAGMA foreign_key_check"), "");
  // Foreign keys are back on for this connection after the migration.
  User ghost;
  ghost.username = "ghost";
  ghost.email = "ghost@x.com";
  ghost.timezone = "UTC";
  ghost.role_id = 7;
  ghost.sources = {999};
  ASSERT_TRUE(d->begin().is_ok());
  EXPECT_FALSE(d->insert_user(ghost).is_ok());
  d->rollback();
  EXPECT_EQ(query(db_, "SELECT count(*) FROM invitations WHERE user_id = 42"), "1");
  // A user of other applications only: no e-mail, no back-office role, stored as NULLs.
  EXPECT_NO_THROW(
      testing::exec(db_,
                    "INSERT INTO users (username, email, enabled, all_sales_channels, "
                    "all_sources, timezone, role_id, created_at, created_by, updated_at, "
                    "updated_by) VALUES ('a', NULL, 1, 1, 1, 'UTC', NULL, 't', 'x', 't', 'x'),"
                    "('b', NULL, 1, 1, 1, 'UTC', NULL, 't', 'x', 't', 'x')"));
}

TEST_F(DirectoryTest, PerFieldAuditRowsOfVersion3BecomeEntries) {
  ASSERT_NO_FATAL_FAILURE(
      make_old_file(3,
                    "INSERT INTO audit (job_id, at, actor, target_type, target, action, "
                    "field, before, after) VALUES (1, '2026-01-01T00:00:00Z', 'alice', "
                    "'user', 'bob', 'disable', 'Enabled', '1', '0')"));
  auto d = open_new();
  std::vector<AuditEntry> seen;
  ASSERT_TRUE(d->for_each_audit({}, [&](const AuditEntry& e) { seen.push_back(e); }).is_ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "bob");
  EXPECT_EQ(seen[0].action, "disable");
  EXPECT_EQ(seen[0].change.field, "Enabled");
  EXPECT_EQ(seen[0].change.before, "1");
  EXPECT_EQ(seen[0].change.after, "0");
  EXPECT_EQ(query(db_, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_by_target'"), "0");
}

TEST_F(DirectoryTest, AuditEntriesOfVersion5BecomeObjectsWithTheJobsTimeAndActor) {
  ASSERT_NO_FATAL_FAILURE(
      make_old_file(5,
                    "INSERT INTO audit (job_id, at, actor, target_type, target, action, changes) "
                    "VALUES (1, '2026-01-01T00:00:00Z', 'alice', 'user', 'bob', 'create', "
                    "'[{\"field\":\"Username\",\"after\":\"bob\"},"
                    "{\"field\":\"Timezone\",\"after\":\"UTC\"}]'),"
                    "(1, '2026-01-01T00:00:00Z', 'alice', 'user', 'bob', 'disable', "
                    "'[{\"field\":\"Timezone\",\"before\":\"UTC\",\"after\":\"Asia/Tokyo\"},"
                    "{\"field\":\"Enabled\",\"before\":\"1\",\"after\":\"0\"}]')"));
  auto d = open_new();
  EXPECT_EQ(query(db_, "SELECT changes FROM audit ORDER BY id"),
            "{\"Username\":\"bob\",\"Timezone\":\"UTC\"}\n"
            "{\"Timezone\":[\"UTC\",\"Asia/Tokyo\"],\"Enabled\":[\"1\",\"0\"]}");
  EXPECT_EQ(query(db_, "SELECT count(*) FROM pragma_table_info('audit') WHERE name = 'at'"), "0");
  std::vector<AuditEntry> seen;
  ASSERT_TRUE(d->for_each_audit({}, [&](const AuditEntry& e) { seen.push_back(e); }).is_ok());
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].at, "2026-01-01T00:00:00Z");
  EXPECT_EQ(seen[0].actor, "alice");
  EXPECT_EQ(seen[1].change.field, "Timezone");
  EXPECT_EQ(seen[1].change.after, "UTC");
  EXPECT_EQ(seen[1].action, "create");
  EXPECT_EQ(seen[2].change.before, "UTC");
  EXPECT_EQ(seen[2].action, "update");
  EXPECT_EQ(seen[3].change.field, "Enabled");
  EXPECT_EQ(seen[3].action, "disable");
  EXPECT_EQ(query(db_, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_by_target'"), "0");
}

TEST_F(DirectoryTest, AuditEntriesOfVersion6KeepTheirRowsAndTheActionCheck) {
  ASSERT_NO_FATAL_FAILURE(
      make_old_file(6,
                    "INSERT INTO audit (id, job_id, target_type, target, action, changes) "
                    "VALUES (7, 1, 'user', 'bob', 'enable', "
                    "'{\"Enabled\":[\"0\",\"1\"]}')"));
  auto d = open_new();
  EXPECT_EQ(query(db_, "SELECT id || ' ' || target || ' ' || action || ' ' || changes FROM audit"),
            "7 bob enable {\"Enabled\":[\"0\",\"1\"]}");
  EXPECT_EQ(query(db_,
                  "SELECT group_concat(name) FROM sqlite_master WHERE tbl_name = 'audit' AND "
                  "type = 'index'"),
            "audit_by_job");
  // The check still holds, and an insert no longer builds a temporary table.
  EXPECT_FALSE(d->add_audit(1, "user", "bob", "delete", {}).is_ok());
  std::string plan = opcodes(db_,
                             "INSERT INTO audit (job_id, target_type, target, action, changes) "
                             "VALUES (1, 'user', 'bob', 'update', '{}')");
  EXPECT_NE(plan.find(" Insert "), std::string::npos) << plan;
  EXPECT_EQ(plan.find("OpenEphemeral"), std::string::npos) << plan;
}

TEST_F(DirectoryTest, ANewerFileIsRefused) {
  open_new();
  testing::exec(db_, "PRAGMA user_version = 99");
  Directory::Options o;
  auto d = Directory::open(db_, o);
  ASSERT_FALSE(d.is_ok());
  EXPECT_NE(d.status().message().find("newer roster"), std::string::npos);
}

// A page size is fixed once a file has content: a directory that an older
// roster made with 4 KiB pages keeps them, and opens and upgrades as before.
TEST_F(DirectoryTest, AFileWithOlderPagesKeepsThem) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA page_size = 4096; CREATE TABLE t (x); DROP TABLE t;", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  { ASSERT_TRUE(Directory::open_at_version(db_, 9).is_ok()); }
  auto d = open_new();
  EXPECT_EQ(*d->schema_version(), Directory::latest_schema_version());
  EXPECT_EQ(query(db_, "PRAGMA page_size"), "4096");
}

TEST_F(DirectoryTest, Version11GainsFeedsAndKeepsItsAuditAndJobs) {
  ASSERT_NO_FATAL_FAILURE(
      make_old_file(11,
                    "INSERT INTO audit (id, job_id, target_type, target, action, changes) "
                    "VALUES (7, 1, 'user', 'bob', 'disable', '{\"Enabled\":[\"1\",\"0\"]}')"));
  auto d = open_new();
  EXPECT_EQ(*d->schema_version(), Directory::latest_schema_version());
  EXPECT_EQ(query(db_, "SELECT id || ' ' || action || ' ' || coalesce(reason, '-') FROM audit"),
            "7 disable -");
  // The new actions are allowed, and the check still refuses others.
  EXPECT_TRUE(d->add_audit(1, "user", "bob", "claim", {{"Managed by", "", "hr"}}, "why").is_ok());
  EXPECT_FALSE(d->add_audit(1, "user", "bob", "delete", {}).is_ok());
  EXPECT_EQ(query(db_,
                  "SELECT enabled, disabled, disabled_missing, coalesce(feed, '-'), sync "
                  "FROM jobs WHERE id = 1"),
            "0|0|0|-|0");
  // A feed's enabled users are read from the index alone.
  std::string plan = query(db_,
                           "EXPLAIN QUERY PLAN SELECT id, username FROM users WHERE feed = 'hr' "
                           "AND enabled = 1 ORDER BY id");
  EXPECT_NE(plan.find("users_by_feed"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

}  // namespace
}  // namespace roster
