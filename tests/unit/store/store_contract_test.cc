// The Store seam's contract, the same cases on each backend: on a SQLite file
// always, and on a database of the PostgreSQL test server when ROSTER_TEST_PG
// names one (scripts/test.sh starts one), skipped otherwise.

#include <gtest/gtest.h>

#include <cstdlib>

#include "cli/commands.h"
#include "roster/open_store.h"
#include "roster/schema_tables.h"
#include "roster/store.h"
#include "test_util.h"

namespace roster {
namespace {

class StoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      const char* server = std::getenv("ROSTER_TEST_PG");
      if (server == nullptr || *server == '\0') GTEST_SKIP() << "no ROSTER_TEST_PG";
      std::string name =
          "contract_" +
          std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
      for (char& c : name) c = c == '/' ? '_' : static_cast<char>(std::tolower(c));
      pg_name_ = name;
      testing::exec(testing::pg_uri("postgres"), "DROP DATABASE IF EXISTS " + name);
      testing::exec(testing::pg_uri("postgres"), "CREATE DATABASE " + name);
      address_ = testing::pg_uri(name);
    } else {
      address_ = tmp_ / "roster.db";
    }
    StoreOptions o;
    o.create = true;
    o.lock_timeout_ms = 2000;
    auto store = open_current_store(address_, o, &catalog_);
    ASSERT_TRUE(store.is_ok()) << store.status().message();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    if (!pg_name_.empty()) {
      testing::exec(testing::pg_uri("postgres"), "DROP DATABASE " + pg_name_ + " WITH (FORCE)");
    }
  }

  // A role with a list of sources, and two sources, saved in the open transaction.
  void reference(Role& role, Source& a, Source& b) {
    a = Source{0, "S-A", "Shop A", "store", true};
    b = Source{0, "S-B", "Shop B", "warehouse", false};
    ASSERT_TRUE(store_->save_source(a).is_ok());
    ASSERT_TRUE(store_->save_source(b).is_ok());
    role.name = "Clerk";
    role.key = "clerk";
    role.hierarchy = 3;
    role.permissions = {"configuration.users"};
    role.sources = Scope{false, {a.id, b.id}};
    role.channels = Scope{true, {}};
    ASSERT_TRUE(store_->save_role(role).is_ok());
  }
  User user(const std::string& name, int64_t role_id, std::vector<int64_t> sources) {
    User u;
    u.username = name;
    u.email = name + "@Example.com";
    u.timezone = "UTC";
    u.role_id = role_id;
    u.sources = std::move(sources);
    u.all_channels = true;
    u.created_at = u.updated_at = "2026-01-01T00:00:00Z";
    u.created_by = u.updated_by = "test";
    return u;
  }

  // A users job of alice's on `file`, started at `at`, not yet recorded.
  static Job users_job(const std::string& file, const std::string& at) {
    Job job;
    job.kind = "users";
    job.file = file;
    job.actor = "alice";
    job.mode = "skip";
    job.started_at = at;
    return job;
  }

  testing::TempDir tmp_;
  std::string address_, pg_name_;
  std::vector<Permission> catalog_ = permission_catalog();
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContractTest, ReferenceDataComesBackAsSaved) {
  ASSERT_TRUE(store_->begin().is_ok());
  Role role;
  Source a, b;
  reference(role, a, b);
  ASSERT_TRUE(store_->commit().is_ok());
  ReferenceData data;
  ASSERT_TRUE(store_->load_reference(data).is_ok());
  EXPECT_EQ(data.permissions.size(), catalog_.size());
  EXPECT_TRUE(std::is_sorted(data.permissions.begin(), data.permissions.end(),
                             [](auto& x, auto& y) { return x.key < y.key; }));
  ASSERT_EQ(data.applications.size(), 1u);
  EXPECT_EQ(data.applications[0].key, "backoffice");
  ASSERT_EQ(data.sources.size(), 2u);
  ASSERT_EQ(data.roles.size(), 1u);
  const Role& r = data.roles[0];
  EXPECT_EQ(r.name, "Clerk");
  EXPECT_EQ(r.key, "clerk");
  EXPECT_EQ(r.hierarchy, 3);
  EXPECT_EQ(r.application_id, kBackOfficeApplicationId);
  EXPECT_EQ(r.permissions, std::vector<std::string>{"configuration.users"});
  EXPECT_FALSE(r.sources.all);
  EXPECT_EQ(r.sources.ids, (std::vector<int64_t>{a.id, b.id}));
  EXPECT_TRUE(r.channels.all);
  EXPECT_TRUE(r.channels.ids.empty());
  for (const Source& s : data.sources) {
    EXPECT_EQ(s.enabled, s.external_id == "S-A") << s.external_id;
  }
}

TEST_P(StoreContractTest, UsersAreFoundWithoutRegardToCaseAndUpdatedInPlace) {
  ASSERT_TRUE(store_->begin().is_ok());
  Role role;
  Source a, b;
  reference(role, a, b);
  User bob = user("Bob", role.id, {b.id, a.id});
  std::sort(bob.sources.begin(), bob.sources.end());
  ASSERT_TRUE(store_->insert_user(bob).is_ok());
  User amy = user("amy", role.id, {});
  amy.enabled = false;
  ASSERT_TRUE(store_->insert_user(amy).is_ok());
  EXPECT_GT(bob.id, 0);
  ASSERT_TRUE(store_->commit().is_ok());

  User found;
  auto hit = store_->find_user("BOB", found);
  ASSERT_TRUE(hit.is_ok() && *hit);
  EXPECT_EQ(found.username, "Bob");
  EXPECT_EQ(found.sources, bob.sources);
  EXPECT_TRUE(found.channels.empty());  // all channels: no list stored
  auto owner = store_->email_owner("bob@EXAMPLE.COM");
  ASSERT_TRUE(owner.is_ok() && owner->has_value());
  EXPECT_EQ(**owner, "Bob");
  auto enabled = store_->count_enabled_users();
  ASSERT_TRUE(enabled.is_ok());
  EXPECT_EQ(*enabled, 1);
  auto max_id = store_->max_user_id();
  ASSERT_TRUE(max_id.is_ok());
  EXPECT_EQ(*max_id, amy.id);

  ASSERT_TRUE(store_->begin().is_ok());
  User after = found;
  after.email = "robert@example.com";
  after.sources = {a.id};
  ASSERT_TRUE(store_->update_user(found, after).is_ok());
  store_->rollback();  // nothing of it stays
  hit = store_->find_user("bob", found);
  ASSERT_TRUE(hit.is_ok() && *hit);
  EXPECT_EQ(found.email, bob.email);
  ASSERT_TRUE(store_->begin().is_ok());
  ASSERT_TRUE(store_->update_user(found, after).is_ok());
  ASSERT_TRUE(store_->commit().is_ok());
  hit = store_->find_user("bob", found);
  ASSERT_TRUE(hit.is_ok() && *hit);
  EXPECT_EQ(found.id, bob.id);  // the same user, changed in place
  EXPECT_EQ(found.email, "robert@example.com");
  EXPECT_EQ(found.sources, std::vector<int64_t>{a.id});

  std::vector<std::string> order;
  ASSERT_TRUE(store_
                  ->for_each_user(role.id,
                                  [&](User& u) {
                                    order.push_back(u.username);
                                    return true;
                                  })
                  .is_ok());
  EXPECT_EQ(order, (std::vector<std::string>{"amy", "Bob"}));  // case-insensitive order
}

TEST_P(StoreContractTest, TheScratchListKnowsANameOnceWithoutRegardToCase) {
  ASSERT_TRUE(store_->begin().is_ok());
  ASSERT_TRUE(store_->clear_names().is_ok());
  auto listed = store_->name_listed("ghost");
  ASSERT_TRUE(listed.is_ok());
  EXPECT_FALSE(*listed);
  auto added = store_->list_name("Ghost");
  ASSERT_TRUE(added.is_ok());
  EXPECT_TRUE(*added);
  added = store_->list_name("GHOST");
  ASSERT_TRUE(added.is_ok());
  EXPECT_FALSE(*added);
  listed = store_->name_listed("ghost");
  ASSERT_TRUE(listed.is_ok());
  EXPECT_TRUE(*listed);
  ASSERT_TRUE(store_->clear_names().is_ok());
  listed = store_->name_listed("ghost");
  ASSERT_TRUE(listed.is_ok());
  EXPECT_FALSE(*listed);
  store_->rollback();
}

TEST_P(StoreContractTest, JobsAuditAndInvitations) {
  Job job = users_job("hires.csv", "2026-02-01T00:00:00Z");
  auto id = store_->start_job(job);
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto running = store_->running_job(0);
  ASSERT_TRUE(running.is_ok() && running->has_value());
  EXPECT_EQ((*running)->id, *id);
  EXPECT_EQ((*running)->outcome, "running");  // its owner (this process) is alive

  ASSERT_TRUE(store_->begin().is_ok());
  Role role;
  Source a, b;
  reference(role, a, b);
  User bob = user("Bob", role.id, {a.id});
  ASSERT_TRUE(store_->insert_user(bob).is_ok());
  ASSERT_TRUE(store_->add_audit(*id, "user", "Bob", "create", R"({"Username":"Bob"})", "").is_ok());
  ASSERT_TRUE(store_->add_audit(*id, "role", "Clerk", "create", R"({"Name":"Clerk"})", "").is_ok());
  ASSERT_TRUE(store_
                  ->add_audit(*id, "user", "Bob", "claim", R"({"Managed by":["","hr"]})",
                              "claimed by feed hr (job 1)")
                  .is_ok());
  Invitation inv;
  inv.job_id = *id;
  inv.user_id = bob.id;
  inv.username = "Bob";
  inv.email = bob.email;
  inv.application = "backoffice";
  inv.reason = "created";
  inv.created_at = job.started_at;
  ASSERT_TRUE(store_->add_invitation(inv).is_ok());
  job.id = *id;
  job.sha256 = "abc";
  job.finished_at = "2026-02-01T00:01:00Z";
  job.rows_read = job.created = 1;
  job.outcome = "committed";
  ASSERT_TRUE(store_->finish_job(job).is_ok());
  ASSERT_TRUE(store_->commit().is_ok());

  auto found = store_->find_job(*id);
  ASSERT_TRUE(found.is_ok() && found->has_value());
  EXPECT_EQ((*found)->outcome, "committed");
  EXPECT_EQ((*found)->file, "hires.csv");
  EXPECT_EQ((*found)->created, 1);
  auto same = store_->committed_job_with_sha("users", "abc");
  ASSERT_TRUE(same.is_ok() && same->has_value());
  EXPECT_EQ((*same)->id, *id);
  same = store_->committed_job_with_sha("roles", "abc");
  ASSERT_TRUE(same.is_ok());
  EXPECT_FALSE(same->has_value());

  AuditFilter filter;
  filter.user = "BOB";
  std::vector<std::string> targets;
  ASSERT_TRUE(store_
                  ->for_each_audit(filter,
                                   [&](const StoredAudit& e) {
                                     targets.push_back(e.target + "/" + e.actor + "/" + e.at + "/" +
                                                       e.action + "/" + e.reason);
                                     return Status::ok();
                                   })
                  .is_ok());
  EXPECT_EQ(targets, (std::vector<std::string>{
                         "Bob/alice/2026-02-01T00:00:00Z/create/",
                         "Bob/alice/2026-02-01T00:00:00Z/claim/claimed by feed hr (job 1)"}));

  std::vector<std::string> pending;
  auto collect = [&](const Invitation& i) {
    pending.push_back(i.username + ":" + (i.sent_at.empty() ? "pending" : i.sent_at));
    return Status::ok();
  };
  ASSERT_TRUE(store_->for_each_invitation(true, collect).is_ok());
  EXPECT_EQ(pending, std::vector<std::string>{"Bob:pending"});
  // Withdrawn: no longer pending, listed with the job that withdrew it.
  ASSERT_TRUE(store_->begin().is_ok());
  auto withdrawn = store_->withdraw_invitations(bob.id, *id);
  ASSERT_TRUE(withdrawn.is_ok());
  EXPECT_EQ(*withdrawn, 1);
  store_->rollback();  // kept pending for what follows
  ASSERT_TRUE(store_->begin().is_ok());
  inv.user_id = bob.id;
  inv.username = "Bob";
  ASSERT_TRUE(store_->add_invitation(inv).is_ok());
  withdrawn = store_->withdraw_invitations(bob.id, *id);
  ASSERT_TRUE(withdrawn.is_ok());
  EXPECT_EQ(*withdrawn, 2);
  std::vector<int64_t> withdrawn_by;
  ASSERT_TRUE(store_
                  ->for_each_invitation(false,
                                        [&](const Invitation& i) {
                                          withdrawn_by.push_back(i.withdrawn_by);
                                          return Status::ok();
                                        })
                  .is_ok());
  EXPECT_EQ(withdrawn_by, (std::vector<int64_t>{*id, *id}));
  store_->rollback();
  ASSERT_TRUE(store_->begin().is_ok());
  auto marked = store_->mark_invitations_sent(*id, {}, "2026-02-02T00:00:00Z");
  ASSERT_TRUE(marked.is_ok());
  EXPECT_EQ(*marked, 1);
  ASSERT_TRUE(store_->commit().is_ok());
  pending.clear();
  ASSERT_TRUE(store_->for_each_invitation(true, collect).is_ok());
  EXPECT_TRUE(pending.empty());
  ASSERT_TRUE(store_->for_each_invitation(false, collect).is_ok());
  EXPECT_EQ(pending, std::vector<std::string>{"Bob:2026-02-02T00:00:00Z"});
}

TEST_P(StoreContractTest, AFeedsUsersAndJobsComeBackByFeed) {
  Job job = users_job("hr.csv", "2026-03-01T00:00:00Z");
  job.feed = "hr";
  job.sync = true;
  auto id = store_->start_job(job);
  ASSERT_TRUE(id.is_ok() && store_->begin().is_ok());
  Role role;
  Source a, b;
  reference(role, a, b);
  std::vector<User> users = {user("Ann", role.id, {a.id}), user("Ben", role.id, {a.id}),
                             user("Cat", role.id, {a.id}), user("Dan", role.id, {a.id})};
  users[0].feed = users[1].feed = users[2].feed = "hr";
  users[3].feed = "pos";
  for (User& u : users) ASSERT_TRUE(store_->insert_user(u).is_ok());
  User off = users[1], released = users[2];
  off.enabled = false;
  released.feed.clear();
  ASSERT_TRUE(store_->update_user(users[1], off).is_ok());
  ASSERT_TRUE(store_->update_user(users[2], released).is_ok());
  job.id = *id;
  job.finished_at = "2026-03-01T00:01:00Z";
  job.rows_read = job.created = 3;
  job.disabled_missing = 1;
  job.outcome = "committed";
  ASSERT_TRUE(store_->finish_job(job).is_ok());
  ASSERT_TRUE(store_->commit().is_ok());
  auto names = [&](bool enabled_only) {
    std::vector<std::string> out;
    auto add = [&](int64_t, const std::string& name) {
      out.push_back(name);
      return true;
    };
    EXPECT_TRUE(store_->for_each_feed_user("hr", enabled_only, add).is_ok());
    return out;
  };
  EXPECT_EQ(names(true), std::vector<std::string>{"Ann"});
  EXPECT_EQ(names(false), (std::vector<std::string>{"Ann", "Ben"}));
  User found;
  ASSERT_TRUE(*store_->find_user("ben", found));
  EXPECT_EQ(found.feed, "hr");
  ASSERT_TRUE(*store_->find_user("cat", found));
  EXPECT_EQ(found.feed, "");

  auto feeds = store_->list_feeds();
  ASSERT_TRUE(feeds.is_ok()) << feeds.status().message();
  ASSERT_EQ(feeds->size(), 2u);
  const FeedInfo& hr = (*feeds)[0];
  EXPECT_EQ(hr.name, "hr");
  EXPECT_EQ(hr.enabled_users, 1);
  EXPECT_EQ(hr.disabled_users, 1);
  EXPECT_EQ(hr.last_job, *id);
  EXPECT_EQ(hr.last_sync_job, *id);
  EXPECT_EQ(hr.last_sync_at, "2026-03-01T00:00:00Z");
  EXPECT_EQ(hr.last_sync_rows, 3);
  EXPECT_EQ((*feeds)[1].name, "pos");
  EXPECT_EQ((*feeds)[1].last_job, 0);

  auto jobs = store_->feed_jobs("hr", 5);
  ASSERT_TRUE(jobs.is_ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].feed, "hr");
  EXPECT_TRUE((*jobs)[0].sync);
  EXPECT_EQ((*jobs)[0].disabled_missing, 1);
  EXPECT_TRUE(store_->feed_jobs("pos", 5)->empty());
}

TEST_P(StoreContractTest, EveryTableOfTheListCanBeCountedAndScanned) {
  for (const TableSpec& t : schema_tables()) {
    auto n = store_->count_rows(t);
    ASSERT_TRUE(n.is_ok()) << t.name << ": " << n.status().message();
    int64_t scanned = 0;
    ASSERT_TRUE(store_
                    ->scan_table(t,
                                 [&](const TableRow& row) {
                                   EXPECT_EQ(row.size(), t.columns.size()) << t.name;
                                   ++scanned;
                                   return Status::ok();
                                 })
                    .is_ok())
        << t.name;
    EXPECT_EQ(scanned, *n) << t.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace roster
