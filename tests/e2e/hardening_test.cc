// Hostile input, storage faults, kills and concurrency, over the real binary.
// Every test checks that the directory is unchanged (or changed exactly as it
// should be) afterwards, not only the exit code.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_util.h"

namespace roster {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::run_process;
using testing::write_file;

using testing::kRoster;
using testing::kUsersHeader;
using testing::viewers;

class HardeningTest : public testing::BinaryTest {
 protected:
  // The whole directory as the exports show it.
  std::string snapshot() {
    std::string all;
    for (std::vector<std::string> args : {std::vector<std::string>{"export", "--as", "alice"},
                                          {"roles", "export"},
                                          {"sources", "export"},
                                          {"sales-channels", "export"}}) {
      auto r = roster(args);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      all += r.out;
    }
    return all;
  }
};

TEST_F(HardeningTest, SqlLookingValuesAreDataNeverStatements) {
  std::string before = snapshot();
  write_file(tmp_ / "sql.csv",
             kUsersHeader +
                 "robert');DROP TABLE users;--,bobby@x.com,1,1,1,UTC,Viewer,,Create\n"
                 "obrien,o'brien'--@x.com,1,1,1,UTC,Viewer,,Create\n"
                 "mallory,m@x.com,1,1,1,UTC,Viewer' OR '1'='1,,Create\n"
                 "eve,eve@x.com,1,0,0,UTC,Store Associate,\"EAST-001'; DELETE FROM sources; "
                 "--\",Create\n"
                 "trent,trent@x.com,1,1,1,UTC; DROP TABLE jobs,Viewer,,Create\n");
  auto r = roster({"import", "sql.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  auto s = nlohmann::json::parse(read_file(tmp_ / "sql.summary.json"));
  EXPECT_EQ(s["errors_by_code"]["USERNAME_INVALID"], 1);
  EXPECT_EQ(s["errors_by_code"]["ROLE_UNKNOWN"], 1);
  EXPECT_EQ(s["errors_by_code"]["SOURCE_UNKNOWN"], 1);
  EXPECT_EQ(s["errors_by_code"]["TIMEZONE_UNKNOWN"], 1);
  // The one valid row, quotes and all, is stored verbatim.
  EXPECT_EQ(q("SELECT email FROM users WHERE username = 'obrien'"), "o'brien'--@x.com");
  EXPECT_EQ(
      q(testing::on_postgres()
            ? "SELECT count(*) FROM pg_tables WHERE tablename IN ('users', 'sources', 'jobs')"
            : "SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'sources', 'jobs')"),
      "3");
  EXPECT_EQ(q("SELECT count(*) FROM sources"), "63");
  EXPECT_EQ(testing::integrity(db_), "ok");
}

TEST_F(HardeningTest, FormulaCellsAreRejectedInEveryTemplate) {
  struct Case {
    std::string command, header, row;
  };
  std::vector<Case> cases = {
      {"import", kUsersHeader, "f1,f1@x.com,1,1,1,UTC,Viewer,,Create\n"},
      {"roles",
       "Name,Key,Hierarchy,Permissions,Access all sources,Sources,"
       "Access all sales channels,Sales channels,Action\n",
       "Clerk,clerk,6,stock.view,1,,1,,Create\n"},
      {"sources", "External ID,Name,Type,Enabled,Action\n", "POP-1,Pop-up,store,1,Create\n"},
      {"sales-channels", "External ID,Name,Action\n", "tv,TV shop,Create\n"}};
  for (const Case& c : cases) {
    // Put a formula into each cell in turn.
    size_t cells = std::count(c.row.begin(), c.row.end(), ',') + 1;
    for (size_t i = 0; i < cells; ++i) {
      for (const char* formula : {"=1+2", "+cmd", "-2+3", "@SUM(A1)"}) {
        std::vector<std::string> parts;
        std::string row = c.row.substr(0, c.row.size() - 1), cell;
        for (size_t p = 0, n; p <= row.size(); p = n + 1) {
          n = std::min(row.find(',', p), row.size());
          parts.push_back(row.substr(p, n - p));
        }
        parts[i] = formula;
        std::string bad;
        for (size_t k = 0; k < parts.size(); ++k) bad += (k ? "," : "") + parts[k];
        write_file(tmp_ / "formula.csv", c.header + bad + "\n");
        std::vector<std::string> args;
        if (c.command != "import") args.push_back(c.command);
        args.insert(args.end(), {"import", "formula.csv", "--as", "alice"});
        auto r = roster(args);
        EXPECT_EQ(r.exit_code, 1) << c.command << " cell " << i << " " << formula << "\n" << r.out;
        EXPECT_NE(read_file(tmp_ / "formula.rejected.csv").find("TEXT_INVALID"), std::string::npos)
            << c.command << " cell " << i;
      }
    }
  }
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username = 'f1'"), "0");
  EXPECT_EQ(q("SELECT count(*) FROM sources WHERE external_id = 'POP-1'"), "0");
}

TEST_F(HardeningTest, StorageFaultsExit5AndChangeNothing) {
  if (testing::on_postgres())
    GTEST_SKIP() << "faults of a database file; PgFaultsTest has the server's";
  write_file(tmp_ / "ok.csv", viewers("ok", 5));
  // A folder that does not exist.
  auto missing = run_process({kRoster, "--db", tmp_ / "no/such/dir/r.db", "init"}, tmp_.path());
  EXPECT_EQ(missing.exit_code, 5);
  EXPECT_NE(missing.err.find("no/such/dir/r.db"), std::string::npos) << missing.err;

  // A truncated database file.
  fs::copy_file(db_, tmp_ / "truncated.db");
  fs::resize_file(tmp_ / "truncated.db", fs::file_size(db_) / 3);
  auto truncated = run_process(
      {kRoster, "--db", tmp_ / "truncated.db", "import", "ok.csv", "--as", "alice"}, tmp_.path());
  EXPECT_EQ(truncated.exit_code, 5) << truncated.out << truncated.err;
  EXPECT_NE((truncated.out + truncated.err).find("truncated.db"), std::string::npos);

  // Reports that cannot be written: refused before anything is applied.
  std::string before = snapshot();
  // A folder that is not there is the command line's mistake (issue 31, item
  // 11): exit 2, before any job, never a temporary file's name.
  std::string jobs = q("SELECT count(*) FROM jobs");
  auto no_reports = roster({"import", "ok.csv", "--as", "alice", "--report-dir", "/nonexistent"});
  EXPECT_EQ(no_reports.exit_code, 2) << no_reports.out << no_reports.err;
  EXPECT_NE(no_reports.err.find("\"/nonexistent\""), std::string::npos) << no_reports.err;
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(q("SELECT count(*) FROM jobs"), jobs);
  auto no_out = roster({"export", "--as", "alice", "--out", "/nonexistent/dir/x.csv"});
  EXPECT_EQ(no_out.exit_code, 2) << no_out.out << no_out.err;
  EXPECT_NE(no_out.err.find("\"/nonexistent/dir/x.csv\""), std::string::npos) << no_out.err;
  EXPECT_EQ(no_out.err.find(".tmp-"), std::string::npos) << no_out.err;
}

// Runs `command` in a private mount namespace where `path` is bind-mounted
// read-only (root ignores file modes, so chmod would prove nothing).
testing::ProcessResult read_only(const std::string& path, const std::string& command,
                                 const std::string& cwd) {
  return run_process({"/usr/bin/unshare", "-m", "/bin/sh", "-c",
                      "mount --bind -o ro '" + path + "' '" + path + "' && " + command},
                     cwd);
}

TEST_F(HardeningTest, ReadOnlyDatabaseOrFolderExit5NamingTheFile) {
  if (testing::on_postgres()) GTEST_SKIP() << "a read-only database file";
  auto probe = read_only(tmp_.path(), "true", tmp_.path());
  if (probe.exit_code != 0) GTEST_SKIP() << "no mount namespaces here: " << probe.err;
  write_file(tmp_ / "ok.csv", viewers("ro", 3));
  std::string before = snapshot();
  std::string import = kRoster + " --db '" + db_ + "' import '" + (tmp_ / "ok.csv") +
                       "' --as alice --report-dir /tmp";
  for (const std::string& target : {db_, tmp_.path()}) {  // the file, then its folder
    SCOPED_TRACE(target);
    auto r = read_only(target, import, "/");
    EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find(db_), std::string::npos) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("read-only"), std::string::npos) << r.out << r.err;
  }
  EXPECT_EQ(snapshot(), before);
}

// Runs roster with `args` in `cwd` under a file-size limit of `limit` bytes,
// which makes every write past it fail with EFBIG as a full disk would.
// Standard output and error go to `output`.
int run_with_file_limit(rlim_t limit, const std::vector<std::string>& args, const std::string& cwd,
                        const std::string& output) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl {
      limit, limit
    };
    ::setrlimit(RLIMIT_FSIZE, &rl);
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(out, 2);
    std::vector<char*> argv{const_cast<char*>(kRoster.c_str())};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(HardeningTest, ADiskThatFillsUpLeavesTheDirectoryAsItWas) {
  if (testing::on_postgres()) GTEST_SKIP() << "a file-size limit on roster's own writes";
  std::string before = snapshot();
  write_file(tmp_ / "big.csv", viewers("big", 20000));
  int code = run_with_file_limit(fs::file_size(db_) + 64 * 1024,
                                 {"--db", db_, "import", "big.csv", "--as", "alice"}, tmp_.path(),
                                 tmp_ / "output.txt");
  EXPECT_EQ(code, 5) << read_file(tmp_ / "output.txt");
  EXPECT_EQ(testing::integrity(db_), "ok");
  EXPECT_EQ(snapshot(), before);
}

// The rejected rows' report is how an operator gets them back: a run whose
// report cannot be written applies none of the file, not its good rows either.
TEST_F(HardeningTest, ARejectedReportThatCannotBeWrittenAppliesNothing) {
  std::string before = snapshot();
  std::string file = viewers("kept", 3);
  const std::string long_role(300, 'r');  // each rejected row then takes ~700 bytes of report
  for (int i = 0; i < 3000; ++i) {
    std::string u = "lost." + std::to_string(i);
    file += u + "," + u + "@load.example,1,1,1,UTC," + long_role + ",,Create\n";
  }
  write_file(tmp_ / "mixed.csv", file);
  // Room for the directory's own files (on SQLite) and the plan, not for the
  // 2 MB rejected report.
  rlim_t limit = 1 << 20;
  if (!testing::on_postgres()) limit += fs::file_size(db_);
  int code = run_with_file_limit(limit, {"--db", db_, "import", "mixed.csv", "--as", "alice"},
                                 tmp_.path(), tmp_ / "output.txt");
  std::string output = read_file(tmp_ / "output.txt");
  EXPECT_EQ(code, 5) << output;
  EXPECT_NE(output.find("mixed.rejected.csv"), std::string::npos) << output;
  EXPECT_NE(output.find("nothing committed"), std::string::npos) << output;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'kept.%'"), "0");
  EXPECT_TRUE(snapshot() == before) << "the directory changed";
  EXPECT_FALSE(fs::exists(tmp_ / "mixed.rejected.csv"));
  EXPECT_FALSE(fs::exists(tmp_ / "mixed.changes.csv"));
  auto summary = nlohmann::json::parse(read_file(tmp_ / "mixed.summary.json"));
  EXPECT_EQ(summary["outcome"], "failed");
  EXPECT_EQ(summary["exit_code"], 5);

  // A dry run applies nothing anyway, but must not exit as if its reports
  // were there to read.
  code = run_with_file_limit(limit, {"--db", db_, "validate", "mixed.csv", "--as", "alice"},
                             tmp_.path(), tmp_ / "output.txt");
  output = read_file(tmp_ / "output.txt");
  EXPECT_EQ(code, 5) << output;
  EXPECT_NE(output.find("mixed.rejected.csv"), std::string::npos) << output;
  EXPECT_EQ(output.find("rejected rows:"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(tmp_ / "mixed.rejected.csv"));
  EXPECT_EQ(nlohmann::json::parse(read_file(tmp_ / "mixed.summary.json"))["exit_code"], 5);

  // Without the limit the same file applies its good rows and reports the rest.
  auto r = roster({"import", "mixed.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'kept.%'"), "3");
  EXPECT_TRUE(fs::exists(tmp_ / "mixed.rejected.csv"));
}

TEST_F(HardeningTest, ConcurrentImportsEitherApplyWholeOrTimeOutApplyingNothing) {
  const int kProcesses = 4;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    std::string file = "p" + std::to_string(p) + ".csv";
    write_file(tmp_ / file, viewers("p" + std::to_string(p), 4000));
    pid_t pid = ::fork();
    if (pid == 0) {
      // Half of them give up at once when another holds the lock.
      auto r = run_process({kRoster, "--db", db_, "-q", "import", file, "--as", "alice",
                            "--lock-timeout", p % 2 ? "0" : "120"},
                           tmp_.path());
      ::_exit(r.exit_code);
    }
    children.push_back(pid);
  }
  int applied = 0;
  for (int p = 0; p < kProcesses; ++p) {
    int status = 0;
    ::waitpid(children[p], &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    int code = WEXITSTATUS(status);
    std::string rows =
        q("SELECT count(*) FROM users WHERE username LIKE 'p" + std::to_string(p) + ".%'");
    if (code == 0) {
      EXPECT_EQ(rows, "4000") << "process " << p;
      ++applied;
    } else {
      EXPECT_EQ(code, 5) << "process " << p;
      EXPECT_EQ(p % 2, 1) << "a patient import gave up";
      EXPECT_EQ(rows, "0") << "process " << p;
    }
  }
  EXPECT_GE(applied, 2);  // the patient ones always get their turn
  EXPECT_EQ(testing::integrity(db_), "ok");
}

TEST_F(HardeningTest, KilledAtTwentyPointsNeverHalfAFile) {
  // The kill points are spread over the run, however long it is, so a smaller
  // file where each row is slower (PostgreSQL's round trips, a sanitizer
  // build's checks) still spreads them over reading, applying and committing,
  // and keeps CI short.
#if defined(__SANITIZE_ADDRESS__)
  const int rows = testing::on_postgres() ? 5000 : 20000;
#else
  const int rows = testing::on_postgres() ? 15000 : 60000;
#endif
  write_file(tmp_ / "big.csv", viewers("big", rows));
  std::string before = snapshot();
  // How long one whole run takes here, to spread the kills over it.
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(roster({"-q", "import", "big.csv", "--as", "alice"}).exit_code, 0);
  double full = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string after = snapshot();

  // Twenty kill points spread over the run. Runs vary in speed, so whenever one
  // finishes before its kill, the span shrinks and the same point is tried again.
  double span = full * 0.8;
  int killed = 0;
  for (int attempt = 0; attempt < 80 && killed < 20; ++attempt) {
    restore_sample();
    pid_t pid = start_import("big.csv");
    std::this_thread::sleep_for(std::chrono::duration<double>(span * killed / 20.0));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status)) {
      span *= 0.7;
      continue;
    }
    ++killed;
    testing::wait_for_other_sessions_to_end(db_);
    // Never half a file: all of it (the kill came after COMMIT) or none of it,
    // and the job says which.
    EXPECT_EQ(testing::integrity(db_), "ok") << "kill point " << killed;
    std::string state = snapshot();
    std::string outcome = roster({"jobs", "--limit", "1"}).out;
    if (state == after) {
      EXPECT_NE(outcome.find("committed"), std::string::npos) << outcome;
    } else {
      EXPECT_TRUE(state == before) << "kill point " << killed << " left a partial import";
      // Killed before it recorded its job, or shown as interrupted.
      if (outcome.find("big.csv") != std::string::npos) {
        EXPECT_NE(outcome.find("interrupted"), std::string::npos) << outcome;
      }
    }
  }
  EXPECT_EQ(killed, 20);
  // The next import works normally.
  restore_sample();
  EXPECT_EQ(roster({"-q", "import", "big.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'big.%'"), std::to_string(rows));
}

}  // namespace
}  // namespace roster
