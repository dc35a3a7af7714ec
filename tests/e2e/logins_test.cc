// Logins (SPEC §14): --as is a claim until a login is bound, then a fact:
// over the real binary, on SQLite and PostgreSQL, with a second operating-
// system account and two PostgreSQL logins.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "e2e_util.h"

namespace roster {
namespace {

namespace fs = std::filesystem;
using testing::viewers;
using testing::write_file;

class LoginsTest : public testing::BinaryTest {
 protected:
  // The login this test process runs roster as (os:root, pg:roster).
  std::string my_login() {
    std::string said = roster({"logins", "list"}).out;  // "you are LOGIN; the directory is ..."
    return said.substr(8, said.find(';') - 8);
  }
  // Binds this process's login to `user`, as `actor`.
  void bind(const std::string& user, const std::string& actor) {
    auto r = roster({"logins", "bind", user, my_login(), "--as", actor});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  std::string counts() {
    return q("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM jobs)");
  }
};

TEST_F(LoginsTest, AnOpenDirectoryTakesAsOnTrustAndSaysSo) {
  write_file(tmp_ / "new.csv", viewers("open", 2));
  auto r = roster({"import", "new.csv", "--as", "alice"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary("new")["actors"], "unauthenticated");
  EXPECT_EQ(summary("new")["login"], my_login());
  EXPECT_NE(roster({"logins", "list"}).out.find("the directory is open"), std::string::npos);
  auto none = roster({"import", "new.csv"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--as ACTOR is required"), std::string::npos) << none.err;
}

TEST_F(LoginsTest, ABoundDirectoryRefusesAnUnboundAsEverywhereAndChangesNothing) {
  bind("alice", "alice");  // the first administrator binds itself while open
  std::string login = my_login();
  write_file(tmp_ / "new.csv", viewers("bound", 2));
  std::string before = counts();
  auto refused = roster({"import", "new.csv", "--as", "d.chen"});
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_NE(refused.err.find("ACTOR_NOT_BOUND: login " + login + " may not act as \"d.chen\""),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(counts(), before);  // no user, no job
  EXPECT_FALSE(fs::exists(tmp_ / "new.summary.json"));
  // Every command that takes --as.
  fs::create_directories(tmp_ / "inbox");
  write_file(tmp_ / "inbox/hr.csv", viewers("inbox", 1));
  for (std::vector<std::string> args : {std::vector<std::string>{"validate", "new.csv"},
                                        {"sources", "import", testing::sample("sources.csv")},
                                        {"export", "--out", "x.csv"},
                                        {"audit", "--job", "1", "--reverse", "--out", "undo.csv"},
                                        {"feeds", "release", "hr", "--user", "tom.reilly"},
                                        {"logins", "bind", "tom.reilly", "os:tom"},
                                        {"import", "--inbox", "inbox", "--min-age", "0"}}) {
    args.insert(args.end(), {"--as", "d.chen"});
    auto r = roster(args);
    EXPECT_EQ(r.exit_code, 4) << args[0] << " " << args[1] << "\n" << r.err;
    EXPECT_NE(r.err.find("ACTOR_NOT_BOUND"), std::string::npos) << args[0] << "\n" << r.err;
  }
  EXPECT_TRUE(fs::exists(tmp_ / "inbox/hr.csv"));  // left for a run that may
  EXPECT_EQ(counts(), before);

  // The bound user acts, with --as and without.
  auto with = roster({"import", "new.csv", "--as", "ALICE"});
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(summary("new")["actors"], "authenticated");
  EXPECT_EQ(summary("new")["actor"], "alice");
  write_file(tmp_ / "more.csv", viewers("more", 1));
  auto without = roster({"import", "more.csv"});
  EXPECT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(summary("more")["actor"], "alice");
  EXPECT_EQ(roster({"export", "--out", "all.csv"}).exit_code, 0);
}

TEST_F(LoginsTest, WhoMayBindWhomAndEveryChangeIsAudited) {
  bind("alice", "alice");
  std::string login = my_login();
  // Bound now: nobody binds a login to itself any more.
  auto self = roster({"logins", "bind", "alice", "os:spare", "--as", "alice"});
  EXPECT_EQ(self.exit_code, 4);
  EXPECT_NE(self.err.find("SELF_MODIFICATION"), std::string::npos) << self.err;
  bind("d.chen", "alice");
  auto which = roster({"export", "--out", "x.csv"});
  EXPECT_EQ(which.exit_code, 4);
  EXPECT_NE(which.err.find("is bound to alice, d.chen; say which with --as"), std::string::npos)
      << which.err;
  // A login is bound only by someone who outranks its user.
  auto up = roster({"logins", "bind", "alice", "os:spare", "--as", "d.chen"});
  EXPECT_EQ(up.exit_code, 4);
  EXPECT_NE(up.err.find("TARGET_OUTRANKS_ACTOR"), std::string::npos) << up.err;
  EXPECT_EQ(roster({"logins", "bind", "tom.reilly", "pg:tom", "--as", "d.chen"}).exit_code, 0);

  std::string list = roster({"logins", "list"}).out;
  EXPECT_NE(list.find("the directory is bound"), std::string::npos) << list;
  EXPECT_NE(list.find("pg:tom"), std::string::npos) << list;
  std::string audit = roster({"audit", "--user", "d.chen"}).out;
  EXPECT_NE(audit.find(",update,Login,," + login + ",login " + login + " bound"), std::string::npos)
      << audit;

  EXPECT_EQ(roster({"logins", "unbind", "d.chen", login, "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(roster({"logins", "unbind", "d.chen", login, "--as", "alice"}).exit_code, 2);
  EXPECT_EQ(roster({"logins", "bind", "d.chen", "root", "--as", "alice"}).exit_code, 2);
  auto gone = roster({"export", "--as", "d.chen", "--out", "x.csv"});
  EXPECT_EQ(gone.exit_code, 4) << gone.err;
}

}  // namespace
}  // namespace roster
