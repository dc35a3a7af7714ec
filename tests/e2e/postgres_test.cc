// Faults of a PostgreSQL server, over the real binary: an unreachable server,
// wrong credentials, a database that is empty or another program's, and a
// server that drops the connection in the middle of an import. Every one exits
// 5 with a message that names the server (never a password) and applies
// nothing. Runs as "pg:PgFaultsTest.*"; skipped on SQLite.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "e2e_util.h"
#include "roster/schema_tables.h"
#include "roster/text.h"

namespace roster {
namespace {

using testing::kRoster;
using testing::run_process;
using testing::viewers;
using testing::write_file;

class PgFaultsTest : public testing::BinaryTest {
 protected:
  void SetUp() override {
    if (!testing::on_postgres())
      GTEST_SKIP() << "faults of a PostgreSQL server (see pg:PgFaultsTest)";
    BinaryTest::SetUp();
    if (HasFatalFailure()) return;
    write_file(tmp_ / "ok.csv", viewers("ok", 5));
  }
  // db_ with `userinfo` in place of the test server's "roster" user.
  std::string as_user(const std::string& userinfo) const {
    std::string uri = db_;
    uri.replace(uri.find("roster@"), 7, userinfo + "@");
    return uri;
  }
  testing::ProcessResult roster_on(const std::string& db, std::vector<std::string> args) {
    args.insert(args.begin(), {kRoster, "--db", db});
    return run_process(args, tmp_.path());
  }
};

TEST_F(PgFaultsTest, AnUnreachableServerExits5NamingItWithoutThePassword) {
  // Nothing listens on port 1: the connection is refused at once.
  auto r = roster_on("postgresql://hq:s3cret-pw@127.0.0.1:1/roster",
                     {"import", "ok.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("postgresql://hq@127.0.0.1:1/roster"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("s3cret-pw"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'ok.%'"), "0");
}

TEST_F(PgFaultsTest, WrongCredentialsExit5AndTheRightOnesWorkWithTheDocumentedGrants) {
  testing::exec(db_,
                "DROP ROLE IF EXISTS roster_pw; CREATE ROLE roster_pw LOGIN PASSWORD 'right-pw'");
  for (const std::string& db :
       {as_user("roster_pw:wrong-pw"), db_ + "&password=wrong-pw&user=roster_pw"}) {
    SCOPED_TRACE(db);
    auto r = roster_on(db, {"import", "ok.csv", "--as", "alice"});
    EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
    EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
    EXPECT_EQ((r.out + r.err).find("wrong-pw"), std::string::npos) << r.out << r.err;
  }
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'ok.%'"), "0");
  // Connected but without grants: refused, nothing applied.
  auto denied = roster_on(as_user("roster_pw:right-pw"), {"import", "ok.csv", "--as", "alice"});
  EXPECT_EQ(denied.exit_code, 5) << denied.out << denied.err;
  EXPECT_NE((denied.out + denied.err).find("permission denied"), std::string::npos)
      << denied.out << denied.err;
  // The grants docs/operations.md gives an operator's login role.
  testing::exec(db_,
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO roster_pw;"
                "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO roster_pw;"
                "GRANT TEMPORARY ON DATABASE " +
                    q("SELECT current_database()") + " TO roster_pw");
  auto r = roster_on(as_user("roster_pw:right-pw"), {"import", "ok.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("right-pw"), std::string::npos);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'ok.%'"), "5");
  testing::exec(db_,
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM roster_pw;"
                "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM roster_pw;"
                "REVOKE ALL ON DATABASE " +
                    q("SELECT current_database()") + " FROM roster_pw; DROP ROLE roster_pw");
}

TEST_F(PgFaultsTest, AnEmptyDatabaseAsksForInitAndAnotherProgramsIsRefused) {
  std::string name = q("SELECT current_database()") + "_other";
  std::string other = db_;
  other.replace(other.find(q("SELECT current_database()")), q("SELECT current_database()").size(),
                name);
  testing::exec(testing::pg_uri("postgres"), "DROP DATABASE IF EXISTS " + name);
  testing::exec(testing::pg_uri("postgres"), "CREATE DATABASE " + name);
  auto empty = roster_on(other, {"import", "ok.csv", "--as", "alice"});
  EXPECT_EQ(empty.exit_code, 5) << empty.err;
  EXPECT_NE(empty.err.find("roster init"), std::string::npos) << empty.err;

  testing::exec(other,
                "CREATE TABLE orders (id integer PRIMARY KEY); INSERT INTO orders VALUES (7)");
  for (std::vector<std::string> args :
       {std::vector<std::string>{"init", "--admin", "alice", "--email", "alice@x.com"},
        {"import", "ok.csv", "--as", "alice"}}) {
    auto r = roster_on(other, args);
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_NE(r.err.find("another program"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
  }
  EXPECT_EQ(testing::query(other, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
            "1");  // orders alone: nothing was created beside it
  EXPECT_EQ(testing::query(other, "SELECT id FROM orders"), "7");
  testing::exec(testing::pg_uri("postgres"), "DROP DATABASE " + name + " WITH (FORCE)");
}

TEST_F(PgFaultsTest, AServerThatDropsTheConnectionMidImportAppliesNothing) {
  std::string before = q("SELECT count(*) FROM users");
  write_file(tmp_ / "big.csv", viewers("big", 200000));
  testing::ProcessResult result;
  std::thread import([&] { result = roster({"import", "big.csv", "--as", "alice"}); });
  // Once the run has started, its server process goes away (as in a server
  // crash or a failover): the job's pid is that process.
  bool terminated = false;
  for (int i = 0; i < 3000 && !terminated; ++i) {
    terminated = q("SELECT count(pg_terminate_backend(pid)) FROM jobs WHERE file = 'big.csv' "
                   "AND outcome = 'running'") == "1";
    if (!terminated) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  import.join();
  ASSERT_TRUE(terminated) << result.out << result.err;
  EXPECT_EQ(result.exit_code, 5) << result.out << result.err;
  EXPECT_NE((result.out + result.err).find("connection to the server was lost"), std::string::npos)
      << result.out << result.err;
  EXPECT_NE((result.out + result.err).find(db_), std::string::npos) << result.out << result.err;
  testing::wait_for_other_sessions_to_end(db_);
  EXPECT_EQ(q("SELECT count(*) FROM users"), before);
  EXPECT_EQ(testing::integrity(db_), "ok");
  auto jobs = roster({"jobs", "--limit", "1"});
  EXPECT_NE(jobs.out.find("interrupted"), std::string::npos) << jobs.out;
  // The directory works on as before.
  EXPECT_EQ(roster({"import", "ok.csv", "--as", "alice"}).exit_code, 0);
}

// roster migrate, both ways, over the binary.
class PgMigrateTest : public PgFaultsTest {
 protected:
  // Everything the directory shows: users, reference data, audit and jobs.
  std::string everything(const std::string& db) {
    std::string all;
    for (std::vector<std::string> args : {std::vector<std::string>{"export", "--as", "alice"},
                                          {"roles", "export"},
                                          {"sources", "export"},
                                          {"sales-channels", "export"},
                                          {"audit"},
                                          {"jobs", "--limit", "99"},
                                          {"feeds"}}) {
      auto r = roster_on(db, args);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      all += r.out;
    }
    return all;
  }
};

TEST_F(PgMigrateTest, ASqliteDirectoryMovesWholeAndGoesOnWhereItLeftOff) {
  std::string file = tmp_ / "hq.db";
  testing::make_sample_directory(file, tmp_.path());
  // A feed's state moves too: users it manages, one it disabled, its jobs.
  write_file(tmp_ / "hr.csv", viewers("hr", 4));
  ASSERT_EQ(roster_on(file, {"import", "hr.csv", "--as", "alice", "--feed", "hr"}).exit_code, 0);
  write_file(tmp_ / "hr-night.csv", viewers("hr", 3, "Update"));
  ASSERT_EQ(roster_on(file, {"import", "hr-night.csv", "--as", "alice", "--feed", "hr", "--sync"})
                .exit_code,
            0);
  ASSERT_EQ(testing::query(file, "SELECT count(*) FROM users WHERE feed = 'hr' AND enabled = 0"),
            "1");
  // And dates (SPEC §12): a hire not started yet, a contract ended; and a login.
  write_file(tmp_ / "dated.csv",
             testing::kUsersHeader.substr(0, testing::kUsersHeader.size() - 1) +
                 ",Start date,End date\n"
                 "hire.later,hire.later@x.example,1,1,1,UTC,Viewer,,Create,2999-01-01,\n"
                 "season.over,season.over@x.example,1,1,1,UTC,Viewer,,Create,,2000-01-01\n");
  ASSERT_EQ(roster_on(file, {"import", "dated.csv", "--as", "alice"}).exit_code, 0);
  // The test's own account bound to alice: the file is bound, the copy on
  // PostgreSQL open until its pg: logins are bound (docs/decisions.md).
  std::string me = roster_on(file, {"logins", "list"}).out;  // "you are os:NAME; ..."
  me = me.substr(8, me.find(';') - 8);
  ASSERT_EQ(roster_on(file, {"logins", "bind", "alice", me, "--as", "alice"}).exit_code, 0);
  std::string name = q("SELECT current_database()") + "_moved";
  std::string target = testing::pg_uri(name);
  testing::exec(testing::pg_uri("postgres"), "DROP DATABASE IF EXISTS " + name);
  testing::exec(testing::pg_uri("postgres"), "CREATE DATABASE " + name);

  auto moved = run_process({kRoster, "migrate", "--from", file, "--to", target}, tmp_.path());
  ASSERT_EQ(moved.exit_code, 0) << moved.out << moved.err;
  EXPECT_NE(moved.out.find(" " + testing::query(file, "SELECT count(*) FROM users") + " users,"),
            std::string::npos)
      << moved.out;
  EXPECT_EQ(everything(target), everything(file));
  // Every table of the schema, row for row, through the list the stores copy by
  // (the seeded back office included; a running job would read interrupted).
  for (const TableSpec& t : schema_tables()) {
    std::string sql =
        "SELECT " + join(t.columns, ", ") + " FROM " + t.name + " ORDER BY " + t.order_by;
    if (t.name == "jobs") sql = "SELECT id, kind, file, outcome FROM jobs ORDER BY id";
    EXPECT_EQ(testing::query(target, sql), testing::query(file, sql)) << t.name;
  }
  EXPECT_EQ(testing::integrity(target), "ok");
  EXPECT_NE(roster_on(target, {"logins", "list"}).out.find("the directory is open"),
            std::string::npos);
  EXPECT_EQ(testing::query(target,
                           "SELECT username, active, start_date, end_date FROM users "
                           "WHERE username IN ('hire.later', 'season.over') ORDER BY 1"),
            "hire.later|0|2999-01-01|\nseason.over|0||2000-01-01");

  // The moved directory goes on: new ids follow the copied ones.
  std::string last_job = testing::query(target, "SELECT max(id) FROM jobs");
  std::string last_user = testing::query(target, "SELECT max(id) FROM users");
  auto r = roster_on(target, {"import", "ok.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(testing::query(target, "SELECT min(id) FROM users WHERE username LIKE 'ok.%'"),
            std::to_string(std::stoll(last_user) + 1));
  EXPECT_NE(r.out.find("(job " + std::to_string(std::stoll(last_job) + 1) + ")"), std::string::npos)
      << r.out;

  // Never into a directory that holds anything.
  std::string before = everything(target);
  auto again = run_process({kRoster, "migrate", "--from", file, "--to", target}, tmp_.path());
  EXPECT_EQ(again.exit_code, 5);
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
  EXPECT_EQ(everything(target), before);
  testing::exec(testing::pg_uri("postgres"), "DROP DATABASE " + name + " WITH (FORCE)");

  // And back: the shared database into a new file.
  std::string back = tmp_ / "back.db";
  auto returned = run_process({kRoster, "migrate", "--from", db_, "--to", back}, tmp_.path());
  ASSERT_EQ(returned.exit_code, 0) << returned.out << returned.err;
  EXPECT_EQ(everything(back), everything(db_));
}

}  // namespace
}  // namespace roster
