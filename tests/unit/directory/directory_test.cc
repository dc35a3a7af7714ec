#include "roster/directory.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "cli/commands.h"
#include "roster/open_store.h"
#include "roster/store.h"
#include "test_util.h"

namespace roster {
namespace {

using testing::query;
using testing::TempDir;
using testing::write_file;

// The opcodes of the program SQLite compiles for `sql`, space-separated. On a
// writable connection: a read-only one leaves out the CHECK constraints.
std::string opcodes(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(h, ("EXPLAIN " + sql).c_str(), -1, &s, nullptr) == SQLITE_OK) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      out += reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
      out += ' ';
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return out;
}

class DirectoryTest : public ::testing::Test {
 protected:
  std::unique_ptr<Directory> open_new() {
    Directory::Options o;
    o.create = true;
    o.catalog = &catalog_;
    auto d = Directory::open(db_, o);
    EXPECT_TRUE(d.is_ok()) << (d.is_ok() ? "" : d.status().message());
    return std::move(*d);
  }
  // Leaves a file at schema `version` holding job 1 (alice's, committed) and
  // whatever `sql` then inserts: what an older roster left behind.
  void make_old_file(int version, const std::string& sql) {
    auto old = Directory::open_at_version(db_, version);
    ASSERT_TRUE(old.is_ok());
    testing::exec(db_,
                  "INSERT INTO jobs (kind, file, sha256, actor, mode, dry_run, "
                  "started_at, outcome) VALUES ('users', 'f.csv', '', 'alice', 'skip', "
                  "0, '2026-01-01T00:00:00Z', 'committed');" +
                      sql);
  }
  TempDir dir_;
  std::string db_ = dir_ / "roster.db";
  std::vector<Permission> catalog_ = permission_catalog();
};

TEST_F(DirectoryTest, OpeningAMissingFileWithoutCreateFails) {
  auto d = Directory::open(db_, {});
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().exit_code(), ExitCode::kDatabase);
  EXPECT_NE(d.status().message().find("roster init"), std::string::npos);
  EXPECT_FALSE(testing::file_exists(db_));
}

TEST_F(DirectoryTest, CreatesTheLatestSchemaInWalWithTheCatalog) {
  auto d = open_new();
  EXPECT_EQ(*d->schema_version(), Directory::latest_schema_version());
  EXPECT_EQ(query(db_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query(db_, "PRAGMA page_size"), "8192");
  EXPECT_EQ(d->permissions().size(), catalog_.size());
  EXPECT_TRUE(d->permission_exists("configuration.users"));
  EXPECT_TRUE(d->permission_exists("stock.sources"));
  EXPECT_FALSE(d->permission_exists("nope"));
}

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

TEST_F(DirectoryTest, AuditEntriesKeepAwkwardTextIntact) {
  auto d = open_new();
  Job job;
  job.kind = "users";
  auto job_id = d->start_job(job);
  ASSERT_TRUE(job_id.is_ok());
  ASSERT_TRUE(d->begin().is_ok());
  std::string awkward = "quote \" back\\slash , comma \xC3\xA9t\xC3\xA9";
  ASSERT_TRUE(d->add_audit(*job_id, "user", "bob", "update",
                           {{"Timezone", awkward, "UTC"}, {"Enabled", "1", "0"}})
                  .is_ok());
  ASSERT_TRUE(d->commit().is_ok());
  EXPECT_EQ(query(db_, "SELECT json_valid(changes) FROM audit"), "1");
  std::vector<AuditEntry> seen;
  ASSERT_TRUE(d->for_each_audit({}, [&](const AuditEntry& e) { seen.push_back(e); }).is_ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].change.before, awkward);
  EXPECT_EQ(seen[0].action, "update");
  EXPECT_EQ(seen[1].action, "disable");
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

TEST_F(DirectoryTest, NotADatabaseIsExit5NamingTheFile) {
  write_file(db_, "this is a CSV, not a database\n" + std::string(4096, 'x'));
  auto d = Directory::open(db_, {});
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().exit_code(), ExitCode::kDatabase);
  EXPECT_NE(d.status().message().find(db_), std::string::npos);
}

TEST_F(DirectoryTest, ConstraintsEnforceCaseInsensitiveUniqueness) {
  auto d = open_new();
  Role r;
  r.name = "Clerk";
  r.hierarchy = 3;
  ASSERT_TRUE(d->begin().is_ok());
  ASSERT_TRUE(d->save_role(r).is_ok());
  User u;
  u.username = "Bob";
  u.email = "Bob@X.com";
  u.timezone = "UTC";
  u.role_id = r.id;
  u.created_at = u.updated_at = "2026-01-01T00:00:00Z";
  ASSERT_TRUE(d->insert_user(u).is_ok());
  User same_name = u;
  same_name.username = "bob";
  same_name.email = "other@x.com";
  EXPECT_FALSE(d->insert_user(same_name).is_ok());
  User same_mail = u;
  same_mail.username = "robert";
  same_mail.email = "bob@x.COM";
  EXPECT_FALSE(d->insert_user(same_mail).is_ok());
  Role clerk2;
  clerk2.name = "CLERK";
  EXPECT_FALSE(d->save_role(clerk2).is_ok());
  User with_source = u;
  with_source.sources = {999};
  EXPECT_FALSE(d->update_user(u, with_source).is_ok());  // foreign key
  ASSERT_TRUE(d->commit().is_ok());
  EXPECT_EQ(query(db_, "SELECT username FROM users"), "Bob");
}

// SQLite lets its unique indexes refuse a taken username or e-mail; the
// default (PostgreSQL's) looks both up first. Either way nothing is written.
TEST_F(DirectoryTest, InsertUserIfFreeRefusesATakenNameOrEmailAndWritesNothing) {
  open_new();  // the schema
  auto opened = open_store(db_, StoreOptions{});
  ASSERT_TRUE(opened.is_ok());
  Store& store = **opened;
  ASSERT_TRUE(store.begin().is_ok());
  Source shop{0, "S1", "Shop", "store", true};
  ASSERT_TRUE(store.save_source(shop).is_ok());
  Role clerk;
  clerk.name = "Clerk";
  clerk.hierarchy = 3;
  ASSERT_TRUE(store.save_role(clerk).is_ok());
  auto user = [&](const std::string& name, const std::string& email) {
    User u;
    u.username = name;
    u.email = email;
    u.timezone = "UTC";
    u.role_id = clerk.id;
    u.sources = {shop.id};
    u.created_at = u.updated_at = "2026-01-01T00:00:00Z";
    return u;
  };
  for (bool by_lookups : {false, true}) {
    auto insert = [&](User& u) {
      ImportAccelerator& fast = *store.accelerator();
      return by_lookups ? fast.ImportAccelerator::insert_user_if_free(u)
                        : fast.insert_user_if_free(u);
    };
    std::string k = by_lookups ? "L" : "S";
    User first = user("Bob" + k, "Bob" + k + "@x.com");
    auto inserted = insert(first);
    ASSERT_TRUE(inserted.is_ok() && *inserted) << k;
    EXPECT_GT(first.id, 0);
    User same_name = user("bob" + k, "other" + k + "@x.com");
    inserted = insert(same_name);
    ASSERT_TRUE(inserted.is_ok()) << k;
    EXPECT_FALSE(*inserted) << k;
    User same_mail = user("robert" + k, "BOB" + k + "@X.COM");
    inserted = insert(same_mail);
    ASSERT_TRUE(inserted.is_ok()) << k;
    EXPECT_FALSE(*inserted) << k;
  }
  ASSERT_TRUE(store.commit().is_ok());
  EXPECT_EQ(
      query(db_,
            "SELECT group_concat(username, ' ') FROM (SELECT username FROM users ORDER BY id)"),
      "BobS BobL");
  EXPECT_EQ(query(db_, "SELECT count(*) FROM user_sources"), "2");
}

TEST_F(DirectoryTest, RollbackDiscardsWritesAndReloadsReferenceData) {
  auto d = open_new();
  ASSERT_TRUE(d->begin().is_ok());
  Source s{0, "S1", "Shop", "store", true};
  ASSERT_TRUE(d->save_source(s).is_ok());
  EXPECT_NE(d->source_by_external_id("S1"), nullptr);
  d->rollback();
  EXPECT_EQ(d->source_by_external_id("S1"), nullptr);
  EXPECT_EQ(query(db_, "SELECT count(*) FROM sources"), "0");
}

TEST_F(DirectoryTest, FindsUsersWithTheirLinks) {
  auto d = open_new();
  ASSERT_TRUE(d->begin().is_ok());
  Source a{0, "A", "Shop A", "store", true}, b{0, "B", "Shop B", "store", true};
  ASSERT_TRUE(d->save_source(a).is_ok());
  ASSERT_TRUE(d->save_source(b).is_ok());
  SalesChannel web{0, "WEB", "Web shop"}, app{0, "APP", "App"};
  ASSERT_TRUE(d->save_channel(web).is_ok());
  ASSERT_TRUE(d->save_channel(app).is_ok());
  Role r;
  r.name = "Clerk";
  r.hierarchy = 3;
  r.sources.ids = {a.id, b.id};
  ASSERT_TRUE(d->save_role(r).is_ok());
  User u;
  u.username = "bob";
  u.email = "bob@x.com";
  u.timezone = "UTC";
  u.role_id = r.id;
  u.sources = {a.id, b.id};
  u.channels = {web.id, app.id};
  ASSERT_TRUE(d->insert_user(u).is_ok());
  ASSERT_TRUE(d->commit().is_ok());
  auto found = d->find_user("BOB");
  ASSERT_TRUE(found.is_ok() && found->has_value());
  EXPECT_EQ((*found)->sources, (std::vector<int64_t>{a.id, b.id}));
  EXPECT_EQ((*found)->channels, (std::vector<int64_t>{web.id, app.id}));
  EXPECT_EQ((*found)->email, "bob@x.com");
  EXPECT_EQ((*found)->role_id, r.id);
  EXPECT_EQ(d->role_by_name_or_key("clerk")->sources.ids, (std::vector<int64_t>{a.id, b.id}));
  auto owner = d->email_owner("BOB@x.com");
  ASSERT_TRUE(owner.is_ok() && owner->has_value());
  EXPECT_EQ(**owner, "bob");
}

TEST_F(DirectoryTest, ASnapshotReadsTheUsersAsCommittedBeforeTheTransaction) {
  auto d = open_new();
  ASSERT_TRUE(d->begin().is_ok());
  User bob;
  bob.username = "bob";
  bob.email = "bob@x.com";
  bob.timezone = "UTC";
  ASSERT_TRUE(d->insert_user(bob).is_ok());
  ASSERT_TRUE(d->commit().is_ok());
  EXPECT_FALSE(d->accelerator()->open_snapshot().is_ok());  // only inside a write transaction

  ASSERT_TRUE(d->begin().is_ok());
  User changed = bob;
  changed.timezone = "Europe/Paris";
  ASSERT_TRUE(d->update_user(bob, changed).is_ok());
  User carol = bob;
  carol.username = "carol";
  carol.email = "carol@x.com";
  ASSERT_TRUE(d->insert_user(carol).is_ok());
  auto snapshot = d->accelerator()->open_snapshot();
  ASSERT_TRUE(snapshot.is_ok()) << snapshot.status().message();
  ASSERT_NE(*snapshot, nullptr);
  User seen;
  auto found = (*snapshot)->find_user("BOB", seen);
  ASSERT_TRUE(found.is_ok() && *found);
  EXPECT_EQ(seen.timezone, "UTC");  // not the transaction's change
  EXPECT_EQ(seen.id, bob.id);
  found = (*snapshot)->find_user("carol", seen);
  ASSERT_TRUE(found.is_ok());
  EXPECT_FALSE(*found);  // nor its new user
  found = d->find_user("bob", seen);
  ASSERT_TRUE(found.is_ok() && *found);
  EXPECT_EQ(seen.timezone, "Europe/Paris");  // which the transaction itself sees
  snapshot->reset();
  ASSERT_TRUE(d->commit().is_ok());
  EXPECT_EQ(query(db_, "SELECT group_concat(username || ' ' || timezone, ', ') FROM users"),
            "bob Europe/Paris, carol UTC");
}

}  // namespace
}  // namespace roster
