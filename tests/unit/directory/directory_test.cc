#include "roster/directory.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "cli/commands.h"
#include "directory/directory_fixture.h"
#include "roster/open_store.h"
#include "roster/store.h"
#include "test_util.h"

namespace roster {
namespace {

using testing::DirectoryTest;
using testing::opcodes;
using testing::query;
using testing::TempDir;
using testing::write_file;

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
