// Running roster unattended and watched: the progress line on a terminal, and
// nothing of it when nobody watches.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e_util.h"
#include "roster/import_job.h"

namespace roster {
namespace {

using testing::kRoster;

class OperationsTest : public testing::BinaryTest {
 protected:
  // Runs roster under script(1), which gives it a pseudo-terminal.
  testing::ProcessResult on_terminal(const std::string& args) {
    return testing::run_process(
        {"/usr/bin/script", "-qec", kRoster + " --db " + db_ + " " + args, "/dev/null"},
        tmp_.path());
  }
};

TEST_F(OperationsTest, AProgressLineOnlyOnATerminal) {
  if (!std::filesystem::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is not installed";
  testing::write_file(tmp_ / "big.csv", testing::viewers("big", 20000));  // > 1 MiB
  ASSERT_GT(std::filesystem::file_size(tmp_ / "big.csv"), kProgressMinBytes);

  auto watched = on_terminal("import big.csv --as alice");
  EXPECT_EQ(watched.exit_code, 0) << watched.out;
  EXPECT_NE(watched.out.find(" rows/s, "), std::string::npos) << watched.out;
  EXPECT_NE(watched.out.find("% read, ETA "), std::string::npos);
  EXPECT_NE(watched.out.find("\r\033[K"), std::string::npos);  // erased at the end

  restore_sample();
  auto quiet = on_terminal("import big.csv --as alice --no-progress");
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.out.find("rows/s"), std::string::npos) << quiet.out;

  restore_sample();
  auto cron = roster({"import", "big.csv", "--as", "alice"});  // no terminal
  EXPECT_EQ(cron.exit_code, 0);
  EXPECT_EQ(cron.err.find("rows/s"), std::string::npos) << cron.err;
  EXPECT_EQ(cron.out.find("rows/s"), std::string::npos);
}

TEST_F(OperationsTest, ACronStyleRunTakesEverythingFromTheConfigFile) {
  // No --db and no options on the command line: ROSTER_CONFIG names the file.
  testing::write_file(tmp_ / "roster.conf",
                      "db = " + db_ + "\nas = alice\nlog-file = " + (tmp_ / "roster.log") +
                          "\nlog-format = json\nreport-dir = " + (tmp_ / "reports") + "\n");
  std::filesystem::create_directories(tmp_ / "reports");
  testing::write_file(tmp_ / "feed.csv", testing::viewers("feed", 3));
  auto r = testing::run_process({kRoster, "-q", "import", "feed.csv"}, tmp_.path(),
                                {{"ROSTER_CONFIG", tmp_ / "roster.conf"}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");  // -q: nothing for cron to mail
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'feed.%'"), "3");
  EXPECT_TRUE(std::filesystem::exists(tmp_ / "reports/feed.summary.json"));
  std::istringstream log(testing::read_file(tmp_ / "roster.log"));
  std::string line;
  nlohmann::json job;
  while (std::getline(log, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("job_id")) job = j;
  }
  // The counts, the job, the file and the exit code are fields a log shipper
  // reads as they are (issue 31, item 12).
  EXPECT_EQ(job.value("file", ""), "feed.csv") << testing::read_file(tmp_ / "roster.log");
  EXPECT_EQ(job.value("actor", ""), "alice");
  EXPECT_EQ(job.value("created", -1), 3);
  EXPECT_EQ(job.value("exit_code", -1), 0);
  auto summary = nlohmann::json::parse(testing::read_file(tmp_ / "reports/feed.summary.json"));
  EXPECT_EQ(job.value("job_id", int64_t{0}), summary["job_id"]);

  // The command line wins over the environment, which wins over the file.
  std::string other = tmp_ / "other.db";
  auto env_db =
      testing::run_process({kRoster, "-q", "init"}, tmp_.path(),
                           {{"ROSTER_CONFIG", tmp_ / "roster.conf"}, {"ROSTER_DB", other}});
  EXPECT_EQ(env_db.exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(other));
  std::string flag = tmp_ / "flag.db";
  auto flag_db =
      testing::run_process({kRoster, "--db", flag, "-q", "init"}, tmp_.path(),
                           {{"ROSTER_CONFIG", tmp_ / "roster.conf"}, {"ROSTER_DB", other}});
  EXPECT_EQ(flag_db.exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(flag));
}

TEST_F(OperationsTest, TheLogFileRotatesBySize) {
  testing::write_file(tmp_ / "feed.csv", testing::viewers("rot", 1));
  for (int run = 0; run < 8; ++run) {
    auto r =
        roster({"--log-file", tmp_ / "roster.log", "--log-max-size", "0.0002", "--log-max-files",
                "2", "-q", "import", "feed.csv", "--as", "alice", "--upsert"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_TRUE(std::filesystem::exists(tmp_ / "roster.log"));
  EXPECT_TRUE(std::filesystem::exists(tmp_ / "roster.1.log"));
  EXPECT_TRUE(std::filesystem::exists(tmp_ / "roster.2.log"));
  EXPECT_FALSE(std::filesystem::exists(tmp_ / "roster.3.log"));  // only two are kept
  EXPECT_LE(std::filesystem::file_size(tmp_ / "roster.log"), 400u);
}

TEST_F(OperationsTest, SyslogDoesNotGetInTheWay) {
  testing::write_file(tmp_ / "feed.csv", testing::viewers("sys", 2));
  auto r = roster({"--syslog", "--log-level", "info", "import", "feed.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'sys.%'"), "2");
}

}  // namespace
}  // namespace roster
