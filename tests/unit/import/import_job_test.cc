#include "roster/import_job.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <sstream>

#include "cli/commands.h"
#include "test_util.h"

namespace roster {
namespace {

using testing::cli;
using testing::query;
using testing::read_file;
using testing::write_file;

// Runs imports in-process on a copy of the sample retailer's directory.
class ImportJobTest : public testing::OpenSampleDirectoryTest {
 protected:
  ExitCode import(const std::string& content, ImportOptions o = {}) {
    write_file(tmp_ / "in.csv", content);
    o.file = tmp_ / "in.csv";
    if (o.actor.empty()) o.actor = "alice";
    std::ostringstream out;
    ExitCode code = run_import(*dir_, o, out, &summary_);
    output_ = out.str();
    return code;
  }
  int64_t count(const std::string& sql) { return std::stoll(query(db_, sql)); }

  Summary summary_;
  std::string output_;
};

TEST_F(ImportJobTest, ActorIsCheckedBeforeAnyRowIsRead) {
  int64_t jobs = count("SELECT count(*) FROM jobs");
  ImportOptions o;
  o.actor = "nobody";
  EXPECT_EQ(import("garbage", o), ExitCode::kActor);
  o.actor = "svc.oms-sync";  // API Integration: no configuration.users
  EXPECT_EQ(import(testing::kUsersHeader, o), ExitCode::kActor);
  EXPECT_NE(output_.find("configuration.users"), std::string::npos) << output_;
  testing::exec(db_, "UPDATE users SET enabled = 0 WHERE username = 'd.chen'");
  o.actor = "d.chen";
  EXPECT_EQ(import(testing::kUsersHeader, o), ExitCode::kActor);
  EXPECT_EQ(count("SELECT count(*) FROM jobs"), jobs);
  EXPECT_FALSE(testing::file_exists(tmp_ / "in.summary.json"));
}

// Only the first row of a username counts, whatever became of it: created,
// updated, unchanged or rejected; in a dry run too.
TEST_F(ImportJobTest, ALaterRowOfTheSameUsernameIsADuplicate) {
  std::string file = testing::kUsersHeader +
                     "new.one,new.one@x.com,1,0,0,UTC,Viewer,,Create\n"                     // 2
                     "NEW.ONE,new.one2@x.com,1,0,0,UTC,Viewer,,Update\n"                    // 3
                     "hq.ops,hq.ops@northwind-retail.com,1,1,1,UTC,Headquarters,,Update\n"  // 4
                     "Hq.Ops,hq.ops@northwind-retail.com,0,1,1,UTC,Headquarters,,Update\n"  // 5
                     "new.bad,new.bad@x.com,1,0,0,UTC,Nope,,Create\n"                       // 6
                     "new.bad,new.bad@x.com,1,0,0,UTC,Viewer,,Create\n"                     // 7
                     "new.two,new.two@x.com,1,0,0,UTC,Viewer,,Create\n";                    // 8
  for (bool dry_run : {true, false}) {
    ImportOptions o;
    o.dry_run = dry_run;
    o.upsert = true;
    EXPECT_EQ(import(file, o), ExitCode::kRowsRejected) << output_;
    EXPECT_EQ(summary_.created, 2);
    EXPECT_EQ(summary_.updated, 1);
    EXPECT_EQ(summary_.rejected, 4);
    std::string rejected = read_file(tmp_ / "in.rejected.csv");
    for (auto [line, code] : {std::pair{3, "USERNAME_DUPLICATE_IN_FILE"},
                              {5, "USERNAME_DUPLICATE_IN_FILE"},
                              {6, "ROLE_UNKNOWN"},
                              {7, "USERNAME_DUPLICATE_IN_FILE"}}) {
      EXPECT_EQ(testing::rejected_errors(rejected, line).rfind(code, 0), 0u) << line << " in\n"
                                                                             << rejected;
    }
  }
  EXPECT_EQ(query(db_, "SELECT email FROM users WHERE username LIKE 'new.%' ORDER BY 1"),
            "new.one@x.com\nnew.two@x.com");
}

// Each field alone: the plan names exactly the fields that changed, with their
// values before and after; an equal row names none.
TEST_F(ImportJobTest, ThePlanNamesExactlyTheChangedFields) {
  const std::string header =
      "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
      "Sources,Sales channels,Action\n";
  const std::string same =
      "tom.reilly,tom.reilly@northwind-retail.com,1,1,0,America/New_York,Store Manager,"
      "EAST-001,,Update\n";
  struct Case {
    std::string row;
    std::vector<std::string> lines;
  };
  const std::vector<Case> cases = {
      {same, {"2,tom.reilly,unchanged,,,"}},
      {"tom.reilly,Tom.R@northwind-retail.com,1,1,0,America/New_York,Store Manager,EAST-001,,"
       "Update\n",
       {"2,tom.reilly,updated,E-mail,tom.reilly@northwind-retail.com,Tom.R@northwind-retail.com"}},
      {"tom.reilly,tom.reilly@northwind-retail.com,0,1,0,America/New_York,Store Manager,"
       "EAST-001,,Update\n",
       {"2,tom.reilly,updated,Enabled,1,0"}},
      {"tom.reilly,tom.reilly@northwind-retail.com,1,1,0,America/Chicago,Store Manager,"
       "EAST-001,,Update\n",
       {"2,tom.reilly,updated,Timezone,America/New_York,America/Chicago"}},
      {"tom.reilly,tom.reilly@northwind-retail.com,1,1,0,America/New_York,Store Manager,"
       "\"EAST-002,EAST-001\",,Update\n",
       {"2,tom.reilly,updated,Sources,EAST-001,\"EAST-001,EAST-002\""}},
      {"tom.reilly,tom.reilly@northwind-retail.com,1,0,0,America/New_York,Store Associate,"
       "EAST-001,web,Update\n",
       {"2,tom.reilly,updated,Access all sales channels,1,0",
        "2,tom.reilly,updated,Role,Store Manager,Store Associate",
        "2,tom.reilly,updated,Sales channels,,web"}},
  };
  for (const Case& c : cases) {
    // Back to the stored state first, then the change alone (the same file
    // again each time: --force).
    ImportOptions force;
    force.force = true;
    ASSERT_EQ(import(header + same, force), ExitCode::kOk) << output_;
    ASSERT_EQ(import(header + c.row, force), ExitCode::kOk) << c.row << output_;
    std::vector<std::string> lines;
    std::istringstream plan(read_file(tmp_ / "in.changes.csv"));
    for (std::string line; std::getline(plan, line);) {
      if (line.rfind("2,", 0) == 0) lines.push_back(line);
    }
    EXPECT_EQ(lines, c.lines) << c.row;
  }
}

TEST_F(ImportJobTest, SkipCommitsTheValidRowsAbortCommitsNothing) {
  std::string file = testing::kUsersHeader +
                     "new.one,new.one@x.com,1,0,0,UTC,Viewer,,Create\n"
                     "new.two,new.two@x.com,1,0,0,UTC,Nope,,Create\n";
  ImportOptions abort;
  abort.on_error = OnError::kAbort;
  EXPECT_EQ(import(file, abort), ExitCode::kRowsRejected);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE username LIKE 'new.%'"), 0);
  EXPECT_EQ(summary_.outcome, "rolled-back");
  EXPECT_EQ(import(file), ExitCode::kRowsRejected);
  EXPECT_EQ(query(db_, "SELECT username FROM users WHERE username LIKE 'new.%'"), "new.one");
  EXPECT_EQ(summary_.created, 1);
  EXPECT_EQ(summary_.rejected, 1);
  EXPECT_TRUE(summary_.committed);
}

TEST_F(ImportJobTest, DryRunReportsTheSameCountsAndCommitsNothing) {
  std::string file = testing::kUsersHeader + "new.one,new.one@x.com,1,0,0,UTC,Viewer,,Create\n";
  ImportOptions dry;
  dry.dry_run = true;
  EXPECT_EQ(import(file, dry), ExitCode::kOk);
  EXPECT_EQ(summary_.created, 1);
  EXPECT_FALSE(summary_.committed);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE username = 'new.one'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM audit a JOIN jobs j ON j.id = a.job_id "
                  "WHERE j.dry_run = 1"),
            0);
  // The plan is written for a dry run too.
  EXPECT_NE(read_file(tmp_ / "in.changes.csv").find("new.one,created,E-mail,,new.one@x.com"),
            std::string::npos);
}

TEST_F(ImportJobTest, EachRowSeesTheEarlierRowsOfTheSameFile) {
  std::string file = testing::kUsersHeader +
                     "zed,zed@x.com,1,0,0,UTC,Viewer,,Create\n"
                     "hq.ops,ops@northwind-retail.com,1,1,1,America/New_York,Headquarters,,"
                     "Update\n"
                     "amy,hq.ops@northwind-retail.com,1,0,0,UTC,Viewer,,Create\n"
                     "bea,zed@x.com,1,0,0,UTC,Viewer,,Create\n";
  EXPECT_EQ(import(file), ExitCode::kRowsRejected) << output_;
  EXPECT_EQ(summary_.created, 2);  // zed, amy (hq.ops freed its old e-mail on line 3)
  EXPECT_EQ(summary_.updated, 1);
  EXPECT_EQ(summary_.errors_by_code["EMAIL_TAKEN"], 1);  // bea: zed took it on line 2
  EXPECT_EQ(query(db_, "SELECT email FROM users WHERE username = 'amy'"),
            "hq.ops@northwind-retail.com");
}

TEST_F(ImportJobTest, MaxErrorsStopsAndCommitsNothing) {
  std::string file = testing::kUsersHeader + "ok.1,ok1@x.com,1,0,0,UTC,Viewer,,Create\n";
  for (int i = 0; i < 5; ++i) file += "bad" + std::to_string(i) + ",x,1,0,0,UTC,Viewer,,Create\n";
  ImportOptions o;
  o.max_errors = 2;
  EXPECT_EQ(import(file, o), ExitCode::kRowsRejected);
  EXPECT_EQ(summary_.rejected, 3);  // stopped on the third
  EXPECT_EQ(summary_.rows_read, 4);
  EXPECT_FALSE(summary_.committed);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE username = 'ok.1'"), 0);
}

TEST_F(ImportJobTest, UpsertTurnsCreateIntoUpdateAndBack) {
  std::string file = testing::kUsersHeader +
                     "hq.ops,hq.ops@northwind-retail.com,1,1,1,Europe/Paris,Headquarters,,Create\n"
                     "newbie,newbie@x.com,1,0,0,UTC,Viewer,,Update\n";
  EXPECT_EQ(import(file), ExitCode::kRowsRejected);
  ImportOptions o;
  o.upsert = true;
  EXPECT_EQ(import(file, o), ExitCode::kOk) << output_;
  EXPECT_EQ(summary_.updated, 1);
  EXPECT_EQ(summary_.created, 1);
  EXPECT_EQ(query(db_, "SELECT timezone FROM users WHERE username = 'hq.ops'"), "Europe/Paris");
}

TEST_F(ImportJobTest, TheSameFileIsNotAppliedTwiceUnlessForced) {
  std::string file = testing::kUsersHeader + "once,once@x.com,1,0,0,UTC,Viewer,,Create\n";
  ASSERT_EQ(import(file), ExitCode::kOk);
  int64_t first_job = summary_.job_id;
  testing::exec(db_,
                "DELETE FROM audit WHERE target = 'once'; DELETE FROM invitations WHERE "
                "username = 'once'; DELETE FROM users WHERE username = 'once'");
  EXPECT_EQ(import(file), ExitCode::kOk);
  EXPECT_EQ(summary_.duplicate_of_job, first_job);
  EXPECT_NE(output_.find("already imported by job " + std::to_string(first_job)),
            std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE username = 'once'"), 0);
  ImportOptions o;
  o.force = true;
  EXPECT_EQ(import(file, o), ExitCode::kOk);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE username = 'once'"), 1);
}

TEST_F(ImportJobTest, BlastRadiusGuardRefusesMassDisables) {
  // 238 users are enabled; disabling 30 associates is > 10% and > 10.
  std::string rows = query(db_,
                           "SELECT u.username || ',' || u.email || ',0,0,0,UTC,Store Associate,"
                           "' || (SELECT s.external_id FROM user_sources us JOIN sources s ON "
                           "s.id = us.source_id WHERE us.user_id = u.id LIMIT 1) || ',Update' "
                           "FROM users u JOIN roles r ON r.id = u.role_id "
                           "WHERE r.key = 'store_associate' ORDER BY u.username LIMIT 30");
  std::string file = testing::kUsersHeader + rows + "\n";
  EXPECT_EQ(import(file), ExitCode::kGuard) << output_;
  EXPECT_EQ(summary_.disabled, 30);
  EXPECT_NE(output_.find("disable 30"), std::string::npos) << output_;
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE enabled = 0"), 0);
  ImportOptions o;
  o.max_disable_percent = 100;
  EXPECT_EQ(import(file, o), ExitCode::kOk) << output_;
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE enabled = 0"), 30);
  EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'disable'"), 30);
}

TEST_F(ImportJobTest, AnUnchangedExportReimportsAsAllUnchanged) {
  dir_.reset();  // the CLI opens the file itself
  auto exported = cli({"--db", db_, "export", "--as", "alice", "--out", tmp_ / "all.csv"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  int64_t audit = count("SELECT count(*) FROM audit");
  auto again = cli({"--db", db_, "import", tmp_ / "all.csv", "--as", "alice"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("239 rows read, 0 created, 0 updated, 239 unchanged, 0 rejected"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(count("SELECT count(*) FROM audit"), audit);
}

TEST_F(ImportJobTest, ChangesAreAuditedFieldByFieldWithTheJob) {
  std::string file = testing::kUsersHeader +
                     "hq.ops,hq.ops@northwind-retail.com,0,1,1,Europe/Paris,Headquarters,,Update\n";
  ASSERT_EQ(import(file), ExitCode::kOk) << output_;
  // One entry for the user, its fields before and after.
  EXPECT_EQ(query(db_,
                  "SELECT a.action, c.key, c.value ->> 0, c.value ->> 1 "
                  "FROM audit a, json_each(a.changes) c WHERE a.job_id = " +
                      std::to_string(summary_.job_id) + " ORDER BY a.id, c.key"),
            "disable|Enabled|1|0\ndisable|Timezone|America/New_York|Europe/Paris");
  EXPECT_EQ(query(db_, "SELECT outcome, updated, exit_code FROM jobs WHERE id = " +
                           std::to_string(summary_.job_id)),
            "committed|1|0");
}

TEST_F(ImportJobTest, ABusyDatabaseExits5NamingTheRunningJob) {
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other,
                         "INSERT INTO jobs (kind, file, sha256, actor, mode, dry_run, "
                         "started_at, outcome) VALUES ('users', 'nightly.csv', '', 'hq.it', "
                         "'skip', 0, '2026-11-24T03:00:00Z', 'running');"
                         "BEGIN IMMEDIATE;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  dir_.reset();
  Directory::Options o;
  o.busy_timeout_ms = 200;
  auto d = Directory::open(db_, o);
  ASSERT_TRUE(d.is_ok());
  dir_ = std::move(*d);
  EXPECT_EQ(import(testing::kUsersHeader + "x,x@x.com,1,0,0,UTC,Viewer,,Create\n"),
            ExitCode::kDatabase);
  EXPECT_NE(output_.find("nightly.csv"), std::string::npos) << output_;
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE username = 'x'"), 0);
}

TEST_F(ImportJobTest, ARefusedFileIsExit3AndRecordedAsRefused) {
  EXPECT_EQ(import("Username,E-mail\nbob,b@x.com\n"), ExitCode::kFileRefused);
  EXPECT_EQ(summary_.file_error, "HEADER_MISSING_COLUMN");
  EXPECT_EQ(query(db_, "SELECT outcome FROM jobs ORDER BY id DESC LIMIT 1"), "refused");
  auto json = read_file(tmp_ / "in.summary.json");
  EXPECT_NE(json.find("\"file_error\": \"HEADER_MISSING_COLUMN\""), std::string::npos) << json;
}

}  // namespace
}  // namespace roster
