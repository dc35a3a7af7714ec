#include "store/user_sorter.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace roster {
namespace {

User make_user(int64_t id, std::string name) {
  User u;
  u.id = id;
  u.email = name + "@example.com";
  u.username = std::move(name);
  u.enabled = id % 2 == 0;
  u.all_channels = id % 3 == 0;
  u.all_sources = id % 5 == 0;
  u.timezone = id % 2 ? "Europe/Paris" : "UTC";
  u.role_id = id % 7 + 1;
  for (int64_t s = 0; s < id % 4; ++s) u.sources.push_back(100 + s);
  if (id % 3 != 0) u.channels = {1, 3};
  u.created_at = "2026-12-02T10:00:00Z";
  u.created_by = "admin";
  u.updated_at = "2026-12-02T11:00:00Z";
  u.updated_by = "hr-feed";
  if (id % 2 == 0) u.feed = "hr-workday";
  return u;
}

// Usernames that stress the collation: case, digits, punctuation, a prefix of
// another, bytes above ASCII (which NOCASE does not fold).
std::vector<std::string> awkward_names(size_t n) {
  std::mt19937 rng(7);
  const std::string alphabet = "aAbBzZ09._-@\xC3\xA9\xC3\x89";
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) {
    std::string s;
    size_t len = 1 + rng() % 6;
    for (size_t k = 0; k < len; ++k) s += alphabet[rng() % alphabet.size()];
    names.push_back(s + "#" + std::to_string(i));  // unique, even folded
  }
  names.push_back("abc");
  names.push_back("ABCD");
  names.push_back("Abc_");
  return names;
}

// The order SQLite's own NOCASE index gives the same names.
std::vector<std::string> sqlite_order(const std::vector<std::string>& names) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t (name TEXT UNIQUE COLLATE NOCASE)", nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1)", -1, &ins, nullptr);
  for (const std::string& n : names) {
    sqlite3_bind_text(ins, 1, n.data(), static_cast<int>(n.size()), SQLITE_STATIC);
    EXPECT_EQ(sqlite3_step(ins), SQLITE_DONE) << n;
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  std::vector<std::string> out;
  sqlite3_stmt* sel = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM t ORDER BY name", -1, &sel, nullptr);
  while (sqlite3_step(sel) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(sel, 0)),
                     static_cast<size_t>(sqlite3_column_bytes(sel, 0)));
  }
  sqlite3_finalize(sel);
  sqlite3_close(db);
  return out;
}

std::vector<std::string> sorted_names(UserSorter& sorter) {
  std::vector<std::string> out;
  Status st = sorter.for_each([&](User& u) {
    out.push_back(u.username);
    return true;
  });
  EXPECT_TRUE(st.is_ok()) << st.message();
  return out;
}

TEST(UserSorter, OrdersLikeTheNocaseIndexInMemory) {
  std::vector<std::string> names = awkward_names(2000);
  UserSorter sorter;
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(sorter.add(make_user(static_cast<int64_t>(i + 1), names[i])).is_ok());
  }
  EXPECT_EQ(sorter.spilled_runs(), 0u);
  EXPECT_EQ(sorted_names(sorter), sqlite_order(names));
}

TEST(UserSorter, OrdersLikeTheNocaseIndexThroughManyRuns) {
  std::vector<std::string> names = awkward_names(5000);
  UserSorter sorter(4096);  // a few dozen users per run
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(sorter.add(make_user(static_cast<int64_t>(i + 1), names[i])).is_ok());
  }
  EXPECT_GT(sorter.spilled_runs(), 50u);
  EXPECT_EQ(sorted_names(sorter), sqlite_order(names));
}

TEST(UserSorter, EveryFieldComesBackAsItWent) {
  for (size_t run_bytes : {size_t{1} << 20, size_t{64}}) {
    UserSorter sorter(run_bytes);
    std::vector<User> users;
    for (int64_t id = 30; id >= 1; --id) {
      users.push_back(make_user(id, "user" + std::to_string(100 + id)));
      users.back().sources.resize(static_cast<size_t>(id) * 40, id);  // some over the 64 bytes
      ASSERT_TRUE(sorter.add(users.back()).is_ok());
    }
    size_t i = users.size();
    Status st = sorter.for_each([&](User& u) {
      const User& want = users[--i];  // added in descending order
      EXPECT_EQ(u.id, want.id);
      EXPECT_EQ(u.username, want.username);
      EXPECT_EQ(u.email, want.email);
      EXPECT_EQ(u.enabled, want.enabled);
      EXPECT_EQ(u.all_channels, want.all_channels);
      EXPECT_EQ(u.all_sources, want.all_sources);
      EXPECT_EQ(u.timezone, want.timezone);
      EXPECT_EQ(u.role_id, want.role_id);
      EXPECT_EQ(u.sources, want.sources);
      EXPECT_EQ(u.channels, want.channels);
      EXPECT_EQ(u.created_at, want.created_at);
      EXPECT_EQ(u.created_by, want.created_by);
      EXPECT_EQ(u.updated_at, want.updated_at);
      EXPECT_EQ(u.updated_by, want.updated_by);
      EXPECT_EQ(u.feed, want.feed);
      return true;
    });
    ASSERT_TRUE(st.is_ok()) << st.message();
    EXPECT_EQ(i, 0u) << "run_bytes " << run_bytes;
  }
}

TEST(UserSorter, StopsWhenTheCallbackSaysSo) {
  UserSorter sorter(256);
  for (int64_t id = 1; id <= 100; ++id) {
    ASSERT_TRUE(sorter.add(make_user(id, "u" + std::to_string(1000 - id))).is_ok());
  }
  int calls = 0;
  ASSERT_TRUE(sorter.for_each([&](User&) { return ++calls < 5; }).is_ok());
  EXPECT_EQ(calls, 5);
}

TEST(UserSorter, NamesTheFolderWhenItCannotSpill) {
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  setenv("TMPDIR", "/nonexistent/roster-tmp", 1);
  UserSorter sorter(64);
  Status st = sorter.add(make_user(1, std::string(100, 'x')));
  if (old) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.exit_code(), ExitCode::kDatabase);
  EXPECT_NE(st.message().find("/nonexistent/roster-tmp"), std::string::npos) << st.message();
}

// Runs are written by the sorter's own thread: a write that fails there (here
// the file-size limit, as on a full disk) must reach the caller from the next
// add() that fills a buffer, so that the scan stops there, and never turn into
// a shorter list of users.
TEST(UserSorter, AWriteThatFailsOnTheSpillingThreadReachesTheCaller) {
  struct rlimit old;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  struct sigaction ignore = {}, saved = {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGXFSZ, &ignore, &saved), 0);
  struct rlimit small = old;
  small.rlim_cur = 64 << 10;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  Status st;
  int64_t added = 0;
  int delivered = 0;
  {
    UserSorter sorter(4096);  // about 40 users a run: 64 KiB hold some 16 runs
    while (added < 5000 && st.is_ok()) {
      ++added;
      st = sorter.add(make_user(added, "u" + std::to_string(added * 7919 % 5000)));
    }
    if (st.is_ok()) {
      st = sorter.for_each([&](User&) {
        ++delivered;
        return true;
      });
    }
  }
  setrlimit(RLIMIT_FSIZE, &old);
  sigaction(SIGXFSZ, &saved, nullptr);
  ASSERT_FALSE(st.is_ok()) << delivered << " users delivered";
  EXPECT_LT(added, 5000);  // an add() reported it
  EXPECT_EQ(delivered, 0);
  EXPECT_EQ(st.exit_code(), ExitCode::kDatabase);
  EXPECT_NE(st.message().find("cannot write"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace roster
