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

// The mode bits of `path`, or -1 when it does not exist.
int mode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

// Runs with the process umask at 000, the most permissive an operator's
// shell could have, and puts it back.
class PermissiveUmask {
 public:
  PermissiveUmask() : saved_(::umask(0)) {}
  ~PermissiveUmask() { ::umask(saved_); }

 private:
  mode_t saved_;
};

TEST_F(LoginsTest, NothingRosterWritesIsWorldReadableWhateverTheUmask) {
  if (testing::on_postgres()) GTEST_SKIP() << "file modes are a SQLite directory's";
  PermissiveUmask umask000;
  std::string db = tmp_ / "fresh.db";
  auto init = testing::run_process(
      {testing::kRoster, "--db", db, "init", "--admin", "alice", "--email", "a@x.example"},
      tmp_.path());
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(mode_of(db), 0600);

  // The WAL and shared-memory files, seen while an import holds them open.
  std::string rows = viewers("wal", 0);
  for (int i = 0; i < 20000; ++i) {
    rows += "wal." + std::to_string(i) + ",wal." + std::to_string(i) +
            "@x.example,1,1,1,UTC,Administrator,,Create\n";
  }
  write_file(tmp_ / "wal.csv", rows);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(tmp_.path().c_str()) != 0) ::_exit(127);
    ::execl(testing::kRoster.c_str(), testing::kRoster.c_str(), "--db", db.c_str(), "-q", "import",
            "wal.csv", "--as", "alice", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  int wal = -1, shm = -1;
  for (int i = 0; i < 20000 && (wal < 0 || shm < 0); ++i) {
    wal = mode_of(db + "-wal");
    shm = mode_of(db + "-shm");
    if (wal < 0 || shm < 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(wal, 0600);
  EXPECT_EQ(shm, 0600);

  // Every report, export and invitation file.
  write_file(tmp_ / "bad.csv", viewers("bad", 1) + "x y,xy@x.example,1,1,1,UTC,Nope,,Create\n");
  auto bad = testing::run_process(
      {testing::kRoster, "--db", db, "import", "bad.csv", "--as", "alice"}, tmp_.path());
  ASSERT_EQ(bad.exit_code, 1) << bad.err;
  for (const char* out : {"export", "invitations"}) {
    std::vector<std::string> args = {testing::kRoster, "--db", db, out};
    if (std::string(out) == "invitations") args.push_back("export");
    args.insert(args.end(), {"--out", std::string(out) + ".csv"});
    if (std::string(out) == "export") args.insert(args.end(), {"--as", "alice"});
    EXPECT_EQ(testing::run_process(args, tmp_.path()).exit_code, 0) << out;
  }
  for (const char* file : {"bad.rejected.csv", "bad.changes.csv", "bad.summary.json", "export.csv",
                           "invitations.csv", "wal.summary.json"}) {
    EXPECT_EQ(mode_of(tmp_ / file), 0600) << file;
  }

  // Shared with a group: the directory 0660, its reports readable by the group.
  std::string shared = tmp_ / "shared.db";
  auto grouped = testing::run_process({testing::kRoster, "--db", shared, "init", "--admin", "alice",
                                       "--email", "a@x.example", "--group", "users"},
                                      tmp_.path());
  ASSERT_EQ(grouped.exit_code, 0) << grouped.err;
  struct stat st {};
  ASSERT_EQ(::stat(shared.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_EQ(st.st_gid, 100u);  // Debian's "users"
  write_file(tmp_ / "team.csv",
             testing::kUsersHeader + "team.0,team.0@x.example,1,1,1,UTC,Administrator,,Create\n");
  ASSERT_EQ(
      testing::run_process(
          {testing::kRoster, "--db", shared, "import", "team.csv", "--as", "alice"}, tmp_.path())
          .exit_code,
      0);
  EXPECT_EQ(mode_of(tmp_ / "team.summary.json"), 0640);
  EXPECT_EQ(testing::run_process({testing::kRoster, "--db", shared, "init", "--group", "no-such"},
                                 tmp_.path())
                .exit_code,
            2);
}

TEST_F(LoginsTest, AnotherOsAccountIsRefusedByABoundDirectory) {
  if (testing::on_postgres()) GTEST_SKIP() << "os: logins are a SQLite directory's";
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run roster as nobody";
  bind("alice", "alice");
  // Let nobody open the file, so that the binding is all that stops it.
  ASSERT_EQ(::chmod(tmp_.path().c_str(), 0777), 0);
  ASSERT_EQ(::chmod(db_.c_str(), 0666), 0);
  write_file(tmp_ / "n.csv", viewers("nobody", 1));
  ASSERT_EQ(::chmod((tmp_ / "n.csv").c_str(), 0644), 0);
  std::string before = counts();
  auto as_nobody = [&](const std::string& actor) {
    return testing::run_process(
        {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
         testing::kRoster, "--db", db_, "import", "n.csv", "--as", actor},
        tmp_.path());
  };
  auto r = as_nobody("alice");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("ACTOR_NOT_BOUND: login os:nobody may not act as \"alice\""),
            std::string::npos)
      << r.err;
  EXPECT_EQ(counts(), before);
  // Bound, the same account acts as its own user, and only as that.
  ASSERT_EQ(roster({"logins", "bind", "tom.reilly", "os:nobody", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(as_nobody("alice").exit_code, 4);
  auto own = as_nobody("tom.reilly");
  EXPECT_NE(own.exit_code, 4) << own.err;
  EXPECT_EQ(summary("n")["actor"], "tom.reilly");
  EXPECT_EQ(summary("n")["login"], "os:nobody");
}

TEST_F(LoginsTest, TwoPostgresLoginsEachActOnlyAsTheirOwnUser) {
  if (!testing::on_postgres()) GTEST_SKIP() << "pg: logins are a PostgreSQL directory's";
  // Two people, each with a server login of their own and the grants
  // docs/operations.md lists.
  for (const char* name : {"roster_alice", "roster_dchen"}) {
    testing::exec(testing::pg_uri("postgres"),
                  std::string("DO $$ BEGIN CREATE ROLE ") + name +
                      " LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    testing::exec(db_, std::string("GRANT USAGE ON SCHEMA public TO ") + name +
                           "; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                           "public TO " +
                           name + "; GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " +
                           name);
  }
  auto as_login = [&](const std::string& login, std::vector<std::string> args) {
    std::string uri = db_;
    uri.replace(uri.find("://") + 3, uri.find('@') - uri.find("://") - 3, login);
    args.insert(args.begin(), {testing::kRoster, "--db", uri});
    return testing::run_process(args, tmp_.path());
  };
  // The first binding while open; from then on, alice through her own login.
  ASSERT_EQ(roster({"logins", "bind", "alice", "pg:roster_alice", "--as", "alice"}).exit_code, 0);
  auto bound = as_login("roster_alice", {"logins", "bind", "d.chen", "pg:roster_dchen"});
  ASSERT_EQ(bound.exit_code, 0) << bound.err;
  write_file(tmp_ / "a.csv", viewers("pga", 1));
  write_file(tmp_ / "d.csv", testing::kUsersHeader +
                                 "pgd.0,pgd.0@x.example,1,0,0,America/New_York,Store "
                                 "Associate,EAST-001,Create\n");
  auto alice_as_dchen = as_login("roster_alice", {"import", "d.csv", "--as", "d.chen"});
  EXPECT_EQ(alice_as_dchen.exit_code, 4) << alice_as_dchen.err;
  EXPECT_NE(alice_as_dchen.err.find("login pg:roster_alice may not act as \"d.chen\""),
            std::string::npos)
      << alice_as_dchen.err;
  auto dchen_as_alice = as_login("roster_dchen", {"import", "a.csv", "--as", "alice"});
  EXPECT_EQ(dchen_as_alice.exit_code, 4) << dchen_as_alice.err;
  // The server's own login (the owner's) is bound to nobody either.
  EXPECT_EQ(roster({"import", "a.csv", "--as", "alice"}).exit_code, 4);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'pg_.0'"), "0");

  auto dchen = as_login("roster_dchen", {"import", "d.csv"});  // no --as: its own user
  EXPECT_EQ(dchen.exit_code, 0) << dchen.out << dchen.err;
  EXPECT_EQ(summary("d")["actor"], "d.chen");
  EXPECT_EQ(summary("d")["login"], "pg:roster_dchen");
  auto alice = as_login("roster_alice", {"import", "a.csv", "--as", "alice"});
  EXPECT_EQ(alice.exit_code, 0) << alice.out << alice.err;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'pg_.0'"), "2");
}

}  // namespace
}  // namespace roster
