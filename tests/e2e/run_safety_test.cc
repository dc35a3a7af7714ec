// Round trips, run semantics, concurrency and history, over the real binary.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_util.h"

namespace roster {
namespace {

using testing::read_file;
using testing::run_process;
using testing::write_file;

using testing::kRoster;
using testing::kUsersHeader;
using testing::viewers;

class RunSafetyTest : public testing::BinaryTest {
 protected:
  // The numbers of the debug line in run.log that holds `marker`, in order;
  // none when no line holds it.
  std::vector<long> logged_numbers(const std::string& marker) {
    std::string log = read_file(tmp_ / "run.log");
    size_t at = log.find(marker);
    if (at == std::string::npos) return {};
    size_t begin = log.rfind("debug: ", at) + 7;
    std::string line = log.substr(begin, log.find('\n', at) - begin);
    std::vector<long> numbers;
    const char* digits = "0123456789";
    for (size_t i = line.find_first_of(digits); i != std::string::npos;
         i = line.find_first_of(digits, i)) {
      size_t end = line.find_first_not_of(digits, i);
      numbers.push_back(std::stol(line.substr(i, end - i)));  // to the end when npos
      i = end;
    }
    return numbers;
  }
};

TEST_F(RunSafetyTest, ExportFiltersCombineOrWithinAndAcross) {
  auto count_rows = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"export", "--as", "alice"});
    auto r = roster(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::count(r.out.begin(), r.out.end(), '\n') - 1;  // minus the header
  };
  auto expect = [&](const std::string& where) {
    return std::stol(
        q("SELECT count(*) FROM users u JOIN roles r ON r.id = u.role_id WHERE " + where));
  };
  EXPECT_EQ(count_rows({"--role", "viewer"}), expect("r.key = 'viewer'"));
  EXPECT_EQ(count_rows({"--role", "viewer", "--role", "Store Manager"}),
            expect("r.key IN ('viewer', 'store_manager')"));
  EXPECT_EQ(count_rows({"--source", "EAST-001"}),
            expect("u.all_sources = 1 OR u.id IN (SELECT user_id FROM user_sources us JOIN "
                   "sources s ON s.id = us.source_id WHERE s.external_id = 'EAST-001')"));
  EXPECT_EQ(count_rows({"--role", "store_manager", "--source", "EAST-001"}), 1);  // tom.reilly
  write_file(tmp_ / "off.csv", kUsersHeader +
                                   "hq.it,hq.it@northwind-retail.com,0,1,1,"
                                   "America/Chicago,Headquarters,,Update\n");
  ASSERT_EQ(roster({"import", "off.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(count_rows({"--enabled", "0"}), 1);
  EXPECT_EQ(count_rows({"--changed-since", "2999-01-01T00:00:00Z"}), 0);
  // Age every record but hq.it's, whose change above is the only recent one.
  testing::exec(db_,
                "UPDATE users SET updated_at = '2026-01-01T00:00:00Z' WHERE username != 'hq.it'");
  std::string hq_changed = q("SELECT updated_at FROM users WHERE username = 'hq.it'");
  EXPECT_EQ(count_rows({"--changed-since", hq_changed}), 1);  // only hq.it
  EXPECT_EQ(count_rows({"--changed-since", "2026-01-01T00:00:00Z"}), 239);
  EXPECT_EQ(roster({"export", "--as", "alice", "--changed-since", "last week"}).exit_code, 2);
  EXPECT_EQ(roster({"export", "--as", "alice", "--role", "Nobody"}).exit_code, 2);
}

TEST_F(RunSafetyTest, TenThousandUsersRoundTripAndAnEditIsExactlyItsUpdates) {
  write_file(tmp_ / "load.csv", viewers("load", 10000));
  auto load = roster({"import", "load.csv", "--as", "alice"});
  ASSERT_EQ(load.exit_code, 0) << load.out;
  ASSERT_EQ(roster({"export", "--as", "alice", "--out", "all.csv"}).exit_code, 0);
  std::string audit_before = q("SELECT count(*) FROM audit");

  auto again = roster({"import", "all.csv", "--as", "alice"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(summary("all")["rows"]["unchanged"], 10239);
  EXPECT_EQ(summary("all")["rows"]["read"], 10239);
  EXPECT_EQ(q("SELECT count(*) FROM audit"), audit_before);

  // Three cells edited, as in a spreadsheet.
  std::string csv = read_file(tmp_ / "all.csv");
  auto edit = [&](const std::string& from, const std::string& to) {
    size_t at = csv.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    csv.replace(at, from.size(), to);
  };
  edit("load.17,load.17@load.example,1,1,1,Europe/Paris",
       "load.17,load.17@load.example,1,1,1,Asia/Tokyo");
  edit("load.4242,load.4242@load.example,1,", "load.4242,load.4242@load.example,0,");
  edit("\nhq.it,hq.it@northwind-retail.com", "\nhq.it,it-team@northwind-retail.com");
  write_file(tmp_ / "edited.csv", csv);
  auto edited = roster({"import", "edited.csv", "--as", "alice"});
  EXPECT_EQ(edited.exit_code, 0) << edited.out;
  EXPECT_EQ(summary("edited")["rows"]["updated"], 3);
  EXPECT_EQ(summary("edited")["rows"]["unchanged"], 10236);
  std::string plan = read_file(tmp_ / "edited.changes.csv");
  EXPECT_NE(plan.find(",load.17,updated,Timezone,Europe/Paris,Asia/Tokyo\n"), std::string::npos);
  EXPECT_NE(plan.find(",load.4242,updated,Enabled,1,0\n"), std::string::npos);
  EXPECT_NE(plan.find(",hq.it,updated,E-mail,hq.it@northwind-retail.com,"
                      "it-team@northwind-retail.com\n"),
            std::string::npos);
  EXPECT_EQ(std::stol(q("SELECT count(*) FROM audit")), std::stol(audit_before) + 3);
}

TEST_F(RunSafetyTest, ReferenceDataEditedInAnExportImportsAsThatUpdate) {
  ASSERT_EQ(roster({"sources", "export", "--out", "sources.csv"}).exit_code, 0);
  std::string csv = read_file(tmp_ / "sources.csv");
  size_t at = csv.find("EAST-002,New York Soho store,store,1,");
  ASSERT_NE(at, std::string::npos);
  csv.replace(at, 37, "EAST-002,New York Soho store,store,0,");
  write_file(tmp_ / "sources.csv", csv);
  ASSERT_EQ(roster({"sources", "import", "sources.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(summary("sources")["rows"]["updated"], 1);
  EXPECT_EQ(q("SELECT enabled FROM sources WHERE external_id = 'EAST-002'"), "0");
}

TEST_F(RunSafetyTest, ADirectorReimportsTheRolesExportUnchanged) {
  // Store Manager holds permissions a director lacks; unchanged rows give nothing.
  ASSERT_EQ(roster({"roles", "export", "--out", "roles.csv"}).exit_code, 0);
  auto r = roster({"roles", "import", "roles.csv", "--as", "d.chen"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(summary("roles")["rows"]["unchanged"], summary("roles")["rows"]["read"]);
  // A change to such a role is still checked against what the director holds.
  std::string csv = read_file(tmp_ / "roles.csv");
  size_t at = csv.find("\nViewer,viewer,5,");
  ASSERT_NE(at, std::string::npos);
  csv.replace(at, 17, "\nViewer,viewer,6,");
  write_file(tmp_ / "roles.csv", csv);
  auto changed = roster({"roles", "import", "roles.csv", "--as", "d.chen"});
  EXPECT_EQ(changed.exit_code, 1) << changed.out;
  EXPECT_NE(changed.out.find("ALL_SOURCES_NOT_GRANTABLE"), std::string::npos) << changed.out;
  EXPECT_EQ(q("SELECT hierarchy FROM roles WHERE key = 'viewer'"), "5");
}

TEST_F(RunSafetyTest, UpsertMaxErrorsAndDuplicateFilesOverTheBinary) {
  write_file(tmp_ / "upsert.csv", viewers("up", 3, "Update"));
  EXPECT_EQ(roster({"import", "upsert.csv", "--as", "alice"}).exit_code, 1);
  EXPECT_EQ(roster({"import", "upsert.csv", "--as", "alice", "--upsert"}).exit_code, 0);
  EXPECT_EQ(summary("upsert")["rows"]["created"], 3);

  // Same bytes again: not applied, says which job, exit 0.
  int64_t job = summary("upsert")["job_id"];
  auto dup = roster({"import", "upsert.csv", "--as", "alice", "--upsert"});
  EXPECT_EQ(dup.exit_code, 0);
  EXPECT_NE(dup.out.find("already imported by job " + std::to_string(job)), std::string::npos)
      << dup.out;
  // Its reports are the first job's still (SPEC §15).
  EXPECT_EQ(summary("upsert")["job_id"], job);
  EXPECT_EQ(summary("upsert")["outcome"], "committed");

  std::string bad = kUsersHeader;
  for (int i = 0; i < 10; ++i)
    bad += "bad." + std::to_string(i) + ",nope,1,1,1,UTC,Viewer,,Create\n";
  write_file(tmp_ / "bad.csv", viewers("fine", 2).substr(0) + bad.substr(kUsersHeader.size()));
  auto r = roster({"import", "bad.csv", "--as", "alice", "--max-errors", "3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(summary("bad")["rows"]["rejected"], 4);
  EXPECT_EQ(summary("bad")["committed"], false);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'fine.%'"), "0");
}

// Each row sees the directory as the earlier rows of its file left it, within
// a batch of rows and across batches (a store may look a batch's users up
// ahead): e-mails taken and freed by earlier rows, users created earlier.
TEST_F(RunSafetyTest, EveryRowSeesWhatTheEarlierRowsDidWithinAndAcrossBatches) {
  std::string file = kUsersHeader +
                     "x1,shared@x.example,1,1,1,UTC,Viewer,,Create\n"  // 2
                     "x2,SHARED@x.example,1,1,1,UTC,Viewer,,Create\n"  // 3 taken
                     "hq.it,hq.it.new@northwind-retail.com,1,1,1,America/Chicago,"
                     "Headquarters,,Update\n"                                     // 4
                     "x3,hq.it@northwind-retail.com,1,1,1,UTC,Viewer,,Create\n";  // 5 freed
  file += viewers("fill", 600).substr(kUsersHeader.size());  // lines 6-605: the next batches
  file +=
      "x4,HQ.IT.NEW@northwind-retail.com,1,1,1,UTC,Viewer,,Create\n"  // 606 taken by line 4
      "X1,other@x.example,1,1,1,UTC,Viewer,,Create\n"                 // 607 duplicate of 2
      "x5,shared@x.example,1,1,1,UTC,Viewer,,Create\n"                // 608 taken by line 2
      "x3,x3@x.example,1,1,1,UTC,Viewer,,Update\n";                   // 609 duplicate of 5
  write_file(tmp_ / "chain.csv", file);
  auto r = roster({"import", "chain.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto s = summary("chain");
  EXPECT_EQ(s["rows"]["created"], 602);
  EXPECT_EQ(s["rows"]["updated"], 1);
  EXPECT_EQ(s["errors_by_code"]["EMAIL_TAKEN"], 3);
  EXPECT_EQ(s["errors_by_code"]["USERNAME_DUPLICATE_IN_FILE"], 2);
  std::string rejected = read_file(tmp_ / "chain.rejected.csv");
  for (auto [line, code] : {std::pair{3, "EMAIL_TAKEN"},
                            {606, "EMAIL_TAKEN"},
                            {607, "USERNAME_DUPLICATE_IN_FILE"},
                            {608, "EMAIL_TAKEN"},
                            {609, "USERNAME_DUPLICATE_IN_FILE"}}) {
    EXPECT_EQ(testing::rejected_errors(rejected, line).rfind(code, 0), 0u) << line << rejected;
  }
  EXPECT_EQ(q("SELECT email FROM users WHERE username = 'x3'"), "hq.it@northwind-retail.com");
  EXPECT_EQ(q("SELECT email FROM users WHERE username = 'hq.it'"),
            "hq.it.new@northwind-retail.com");
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username IN ('x2', 'x4', 'x5')"), "0");
}

// The reading thread looks many rows' users up ahead in a snapshot of the
// directory before the run. A row must still see the user as the earlier rows
// left it, and never the user of another row that used the same slot before.
TEST_F(RunSafetyTest, UsersLookedUpAheadActAsLookupsOnTheRunsThread) {
  write_file(tmp_ / "pre.csv", viewers("pre", 3000));
  ASSERT_EQ(roster({"import", "pre.csv", "--as", "alice"}).exit_code, 0);
  // Existing and new users alternate over several batches: every third
  // existing one moves to Tokyo, the rest are unchanged.
  const char* zones[] = {"UTC", "Europe/Paris", "America/Chicago", "Asia/Tokyo"};
  std::string file = kUsersHeader;
  for (int i = 0; i < 3000; ++i) {
    std::string pre = "pre." + std::to_string(i), fresh = "new." + std::to_string(i);
    file += pre + "," + pre + "@load.example,1,1,1," + (i % 3 == 0 ? "Asia/Tokyo" : zones[i % 4]) +
            ",Viewer,,Update\n";
    file += fresh + "," + fresh + "@load.example,1,1,1,UTC,Viewer,,Create\n";
  }
  file +=
      "PRE.3,pre.3@load.example,1,1,1,Europe/Paris,Viewer,,Update\n"  // 6002 duplicate
      "new.7,other@load.example,1,1,1,UTC,Viewer,,Create\n"           // 6003 duplicate
      "hq.it,hq.it@northwind-retail.com,1,1,1,UTC,Viewer,,Create\n"   // 6004 exists
      "nobody,nobody@load.example,1,1,1,UTC,Viewer,,Update\n";        // 6005 not found
  write_file(tmp_ / "mixed.csv", file);
  auto r = roster(
      {"--log-file", "run.log", "--log-level", "debug", "import", "mixed.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto s = summary("mixed");
  EXPECT_EQ(s["rows"]["created"], 3000);
  EXPECT_EQ(s["rows"]["updated"], 750);  // i % 3 == 0 and not already in Tokyo (i % 4 != 3)
  EXPECT_EQ(s["rows"]["unchanged"], 2250);
  EXPECT_EQ(s["errors_by_code"]["USERNAME_DUPLICATE_IN_FILE"], 2);
  EXPECT_EQ(s["errors_by_code"]["USER_EXISTS"], 1);
  EXPECT_EQ(s["errors_by_code"]["USER_NOT_FOUND"], 1);
  std::string rejected = read_file(tmp_ / "mixed.rejected.csv");
  for (auto [line, code] : {std::pair{6002, "USERNAME_DUPLICATE_IN_FILE"},
                            {6003, "USERNAME_DUPLICATE_IN_FILE"},
                            {6004, "USER_EXISTS"},
                            {6005, "USER_NOT_FOUND"}}) {
    EXPECT_EQ(testing::rejected_errors(rejected, line).rfind(code, 0), 0u) << line << rejected;
  }
  EXPECT_EQ(q("SELECT timezone FROM users WHERE username = 'pre.3'"), "Asia/Tokyo");
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'new.%'"), "3000");
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'pre.%' AND timezone = 'Asia/Tokyo'"),
            "1500");
  // And the lookups ahead did happen (on SQLite: PostgreSQL offers no
  // snapshot yet, so there every lookup stays on the run's thread).
  std::vector<long> counts = logged_numbers(" rows were looked up ahead");
  if (testing::on_postgres()) {
    EXPECT_TRUE(counts.empty()) << read_file(tmp_ / "run.log");
    return;
  }
  ASSERT_EQ(counts.size(), 2u) << read_file(tmp_ / "run.log");
  EXPECT_GT(counts[0], 0);  // of counts[1] rows
}

// A row that creates a user whom nobody had before the run is checked by its
// insert instead of two lookups; an earlier row of the same run that took the
// name or the e-mail makes the insert write nothing, and the row is checked
// again the usual way. Every kind of such row, many times over several
// batches, must come out as the lookups would have it, its first error too.
TEST_F(RunSafetyTest, NewUsersCheckedByTheirInsertReportWhatLookupsWould) {
  const int n = 600;
  write_file(tmp_ / "pre.csv", viewers("pre", n));
  ASSERT_EQ(roster({"import", "pre.csv", "--as", "alice"}).exit_code, 0);
  std::string file = kUsersHeader;
  auto row = [&](const std::string& name, const std::string& email, const std::string& role,
                 const std::string& action) {
    file += name + "," + email + ",1,1,1,UTC," + role + ",," + action + "\n";
  };
  for (int i = 0; i < n; ++i) {
    std::string k = std::to_string(i);
    row("new." + k, "new." + k + "@load.example", "Viewer", "Create");          // created
    row("NEW." + k, "other." + k + "@load.example", "Viewer", "Create");        // name taken
    row("mail." + k, "New." + k + "@load.example", "Viewer", "Create");         // e-mail taken
    row("new." + k, "again." + k + "@load.example", "No such role", "Create");  // name first
    if (i % 2 == 0) {
      row("stored." + k, "pre." + k + "@load.example", "Viewer", "Create");  // pre.k's e-mail
    } else {
      row("pre." + k, "moved." + k + "@load.example", "Viewer", "Update");  // frees it
      row("freed." + k, "PRE." + k + "@load.example", "Viewer", "Create");  // and takes it
    }
  }
  write_file(tmp_ / "new.csv", file);
  auto r = roster(
      {"--log-file", "run.log", "--log-level", "debug", "import", "new.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto s = summary("new");
  EXPECT_EQ(s["rows"]["created"], n + n / 2);
  EXPECT_EQ(s["rows"]["updated"], n / 2);
  EXPECT_EQ(s["errors_by_code"]["USERNAME_DUPLICATE_IN_FILE"], 2 * n);
  EXPECT_EQ(s["errors_by_code"]["EMAIL_TAKEN"], n + n / 2);
  EXPECT_FALSE(s["errors_by_code"].contains("ROLE_UNKNOWN")) << s.dump();
  // Lines of the last group (i = n - 1, odd): 2 is the header's line.
  std::string rejected = read_file(tmp_ / "new.rejected.csv");
  int last = 2 + (n / 2) * 5 + (n / 2 - 1) * 6;
  EXPECT_EQ(testing::rejected_errors(rejected, last + 1).rfind("USERNAME_DUPLICATE_IN_FILE", 0),
            0u);
  EXPECT_NE(testing::rejected_errors(rejected, last + 2).find("belongs to user \"new.599\""),
            std::string::npos)
      << testing::rejected_errors(rejected, last + 2);
  EXPECT_EQ(testing::rejected_errors(rejected, last + 3).rfind("USERNAME_DUPLICATE_IN_FILE", 0),
            0u);
  EXPECT_NE(testing::rejected_errors(rejected, 2 + 4).find("belongs to user \"pre.0\""),
            std::string::npos)
      << testing::rejected_errors(rejected, 2 + 4);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'new.%'"), std::to_string(n));
  EXPECT_EQ(q("SELECT email FROM users WHERE username = 'freed.599'"), "PRE.599@load.example");
  EXPECT_EQ(
      q("SELECT count(*) FROM users WHERE username LIKE 'mail.%' OR username LIKE 'stored.%'"),
      "0");
  EXPECT_EQ(q("SELECT count(*) FROM invitations WHERE job_id = (SELECT max(id) FROM jobs)"),
            std::to_string(n + n / 2));
  // And both ways were taken on SQLite (PostgreSQL offers no snapshot).
  std::vector<long> counts = logged_numbers(" new users were checked by their insert alone; ");
  if (testing::on_postgres()) {
    EXPECT_TRUE(counts.empty()) << read_file(tmp_ / "run.log");
    return;
  }
  ASSERT_EQ(counts.size(), 2u) << read_file(tmp_ / "run.log");
  EXPECT_GT(counts[0], 0);  // created with the insert as their only check
  EXPECT_GT(counts[1], 0);  // checked again
}

using LockHolder = testing::WriteLockHolder;

TEST_F(RunSafetyTest, ASecondImportGivesUpAfterTheLockTimeoutNamingTheRunningJob) {
  write_file(tmp_ / "late.csv", viewers("late", 5));
  LockHolder lock(db_);
  auto r = roster({"import", "late.csv", "--as", "alice", "--lock-timeout", "1"});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("nightly-hr.csv"), std::string::npos) << r.out << r.err;
  lock.release();
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'late.%'"), "0");
}

TEST_F(RunSafetyTest, AnImportWaitsForTheLockAndThenRuns) {
  write_file(tmp_ / "patient.csv", viewers("patient", 5));
  auto lock = std::make_unique<LockHolder>(db_);
  pid_t child = ::fork();
  if (child == 0) {
    auto r = run_process({kRoster, "--db", db_, "-q", "import", "patient.csv", "--as", "alice",
                          "--lock-timeout", "120"},
                         tmp_.path());
    ::_exit(r.exit_code);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  lock.reset();  // the "running import" finishes
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'patient.%'"), "5");
}

TEST_F(RunSafetyTest, TwoImportsAtOnceBothApplyEveryRowOnce) {
  write_file(tmp_ / "a.csv", viewers("a", 3000));
  write_file(tmp_ / "b.csv", viewers("b", 3000));
  std::vector<pid_t> children;
  for (const char* f : {"a.csv", "b.csv"}) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto r = run_process(
          {kRoster, "--db", db_, "-q", "import", f, "--as", "alice", "--lock-timeout", "120"},
          tmp_.path());
      ::_exit(r.exit_code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_EQ(q("SELECT count(*), count(DISTINCT username) FROM users WHERE username LIKE 'a.%' "
              "OR username LIKE 'b.%'"),
            "6000|6000");
  EXPECT_EQ(q("SELECT count(*) FROM jobs WHERE file IN ('a.csv', 'b.csv') AND outcome = "
              "'committed'"),
            "2");
}

TEST_F(RunSafetyTest, AKilledImportAppliesNothingAndShowsAsInterrupted) {
  std::string before = q("SELECT count(*) FROM users");
  write_file(tmp_ / "big.csv", viewers("big", 200000));
  pid_t pid = start_import("big.csv");
  // Wait until the run is recorded, then kill it without warning.
  for (int i = 0; i < 6000; ++i) {
    if (q("SELECT count(*) FROM jobs WHERE file = 'big.csv'") == "1") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the import finished before it could be killed";
  testing::wait_for_other_sessions_to_end(db_);
  EXPECT_EQ(testing::integrity(db_), "ok");
  EXPECT_EQ(q("SELECT count(*) FROM users"), before);
  auto jobs = roster({"jobs", "--limit", "1"});
  EXPECT_NE(jobs.out.find("interrupted"), std::string::npos)
      << jobs.out << q("SELECT id, outcome, pid FROM jobs ORDER BY id DESC LIMIT 2");
  // The next import works normally.
  write_file(tmp_ / "after.csv", viewers("after", 3));
  EXPECT_EQ(roster({"import", "after.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM users"), std::to_string(std::stoi(before) + 3));
}

TEST_F(RunSafetyTest, AuditTrailAsCsv) {
  write_file(
      tmp_ / "change.csv",
      kUsersHeader + "hq.it,hq.it@northwind-retail.com,0,1,1,Europe/Paris,Headquarters,,Update\n");
  ASSERT_EQ(roster({"import", "change.csv", "--as", "alice"}).exit_code, 0);
  int64_t job = summary("change")["job_id"];
  auto a = roster({"audit", "--user", "HQ.IT", "--job", std::to_string(job)});
  EXPECT_EQ(a.exit_code, 0);
  std::string at = summary("change")["started_at"];
  EXPECT_EQ(a.out, "Time,Job,Actor,Type,Target,Action,Field,Before,After,Reason\n" + at + "," +
                       std::to_string(job) + ",alice,user,hq.it,disable,Enabled,1,0,\n" + at + "," +
                       std::to_string(job) +
                       ",alice,user,hq.it,update,Timezone,America/Chicago,Europe/Paris,\n");
  auto created = roster({"audit", "--user", "tom.reilly", "--out", "tom.csv"});
  EXPECT_EQ(created.exit_code, 0);
  EXPECT_NE(read_file(tmp_ / "tom.csv").find(",alice,user,tom.reilly,create,Sources,,EAST-001,\n"),
            std::string::npos);
  EXPECT_EQ(roster({"audit", "--since", "2999-01-01"}).out,
            "Time,Job,Actor,Type,Target,Action,Field,Before,After,Reason\n");
}

}  // namespace
}  // namespace roster
