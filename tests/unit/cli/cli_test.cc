#include "roster/cli.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_util.h"

namespace roster {
namespace {

using testing::cli;
using testing::TempDir;
using testing::write_file;

TEST(Cli, UsageErrorsExit2) {
  EXPECT_EQ(cli({}).exit_code, 2);
  EXPECT_EQ(cli({"frobnicate"}).exit_code, 2);
  // Without --as, the directory's logins decide (LoginsTest, over the binary).
  auto r = cli({"import", "x.csv", "--as", "a", "--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bogus"), std::string::npos) << r.err;
  EXPECT_EQ(cli({"import", "x.csv", "--as", "a", "--on-error", "maybe"}).exit_code, 2);
  EXPECT_EQ(cli({"template", "customers"}).exit_code, 2);
}

TEST(Cli, AGroupsFirstWordAloneListsItsCommands) {
  auto bare = cli({"invitations"});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_NE(bare.err.find("'invitations' needs a command after it"), std::string::npos) << bare.err;
  EXPECT_NE(bare.err.find("roster invitations mark-sent --job ID | --file FILE"), std::string::npos)
      << bare.err;
  auto typo = cli({"sources", "exprot"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown command 'sources exprot'"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("roster sources export [--out FILE]"), std::string::npos) << typo.err;
  auto help = cli({"roles", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("roster roles import FILE --as ACTOR"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("roster sources"), std::string::npos) << help.out;  // only its group
  EXPECT_EQ(cli({"frobnicate", "--help"}).exit_code, 2);
}

TEST(Cli, HelpAndVersion) {
  auto v = cli({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("roster "), std::string::npos);
  auto h = cli({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("sales-channels import"), std::string::npos);
  for (const char* command : {"init", "template", "import", "validate", "export", "jobs"}) {
    auto c = cli({command, "--help"});
    EXPECT_EQ(c.exit_code, 0) << command;
    EXPECT_NE(c.out.find("example:"), std::string::npos) << command;
  }
  auto sub = cli({"roles", "import", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--on-error"), std::string::npos);
  // Issue 31, item 10: positional arguments are not offered as options, and
  // the global options are one line away rather than repeated.
  auto jobs = cli({"jobs", "--help"});
  EXPECT_EQ(jobs.out.find("--args"), std::string::npos) << jobs.out;
  EXPECT_EQ(cli({"template", "--help"}).out.find("--which"), std::string::npos);
  EXPECT_EQ(cli({"import", "--help"}).out.find("--file "), std::string::npos);
  EXPECT_EQ(jobs.out.find("--log-max-size"), std::string::npos) << jobs.out;
  EXPECT_NE(jobs.out.find("roster --help"), std::string::npos) << jobs.out;
}

TEST(Cli, TyposGetADidYouMean) {
  auto command = cli({"improt", "x.csv", "--as", "alice"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_NE(command.err.find("unknown command 'improt'; did you mean 'import'?"), std::string::npos)
      << command.err;
  auto option = cli({"import", "x.csv", "--as", "alice", "--dryrun"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_NE(option.err.find("unknown option '--dryrun'; did you mean '--dry-run'?"),
            std::string::npos)
      << option.err;
  auto users = cli({"users", "import", "x.csv", "--as", "alice"});
  EXPECT_EQ(users.exit_code, 2);
  EXPECT_NE(users.err.find("with 'roster import'"), std::string::npos) << users.err;
}

TEST(Cli, TemplatesAreTheDocumentedHeaders) {
  TempDir dir;
  ASSERT_EQ(cli({"template", "users", "--out", dir / "u.csv"}).exit_code, 0);
  EXPECT_EQ(testing::read_file(dir / "u.csv"),
            "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,"
            "Role,Sources,Action\n");
  auto roles = cli({"template", "roles", "--out", "-"});
  EXPECT_EQ(roles.exit_code, 0);
  EXPECT_EQ(roles.out.rfind("Name,Key,Hierarchy,Permissions", 0), 0u) << roles.out;
}

TEST(Cli, DatabaseComesFromFlagThenEnvironmentThenConfig) {
  TempDir dir;
  write_file(dir / "roster.ini", "db = " + (dir / "from-config.db") + "\n");
  ASSERT_EQ(cli({"--config", dir / "roster.ini", "-q", "init"}).exit_code, 0);
  EXPECT_TRUE(testing::file_exists(dir / "from-config.db"));

  ::setenv("ROSTER_DB", (dir / "from-env.db").c_str(), 1);
  EXPECT_EQ(cli({"--config", dir / "roster.ini", "-q", "init"}).exit_code, 0);
  EXPECT_TRUE(testing::file_exists(dir / "from-env.db"));
  EXPECT_EQ(
      cli({"--config", dir / "roster.ini", "--db", dir / "from-flag.db", "-q", "init"}).exit_code,
      0);
  ::unsetenv("ROSTER_DB");
  EXPECT_TRUE(testing::file_exists(dir / "from-flag.db"));
}

TEST(Cli, CommandOptionsComeFromTheConfigFileToo) {
  TempDir dir;
  std::string db = dir / "r.db";
  ASSERT_EQ(cli({"--db", db, "-q", "init", "--admin", "alice", "--email", "a@x.com"}).exit_code, 0);
  write_file(dir / "roster.ini", "as = alice\non-error = abort\n");
  write_file(dir / "s.csv",
             "External ID,Name,Type,Enabled,Action\nS1,Shop,store,1,Create\n"
             "S2,Shop,kiosk,1,Create\n");
  auto r = cli({"--db", db, "--config", dir / "roster.ini", "sources", "import", dir / "s.csv"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // on-error = abort came from the file: the valid row was not committed either.
  EXPECT_EQ(testing::query(db, "SELECT count(*) FROM sources"), "0");
}

TEST(Cli, ConfigFileFromTheEnvironmentWhenNotGiven) {
  TempDir dir;
  write_file(dir / "env.ini", "db = " + (dir / "from-roster-config.db") + "\n");
  ::setenv("ROSTER_CONFIG", (dir / "env.ini").c_str(), 1);
  auto r = cli({"-q", "init"});
  ::unsetenv("ROSTER_CONFIG");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(testing::file_exists(dir / "from-roster-config.db"));
}

TEST(Cli, EveryRunLogsItsJobToTheLogFileAsJson) {
  TempDir dir;
  std::string db = dir / "r.db";
  ASSERT_EQ(cli({"--db", db, "-q", "init", "--admin", "alice", "--email", "a@x.com"}).exit_code, 0);
  write_file(dir / "s.csv",
             "External ID,Name,Type,Enabled,Action\nS1,Shop \"One\",store,1,Create\n");
  auto r = cli({"--db", db, "--log-file", dir / "roster.log", "--log-format", "json", "sources",
                "import", dir / "s.csv", "--as", "alice"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // standard error stays at warn
  std::istringstream log(testing::read_file(dir / "roster.log"));
  std::string line;
  bool found = false;
  while (std::getline(log, line)) {
    auto j = nlohmann::json::parse(line);  // every line is one JSON object
    ASSERT_TRUE(j.contains("time") && j.contains("level") && j.contains("pid"));
    // The job's figures are fields of their own, not prose (issue 31, item 12).
    if (j.value("job_id", 0) == 2) {
      EXPECT_EQ(j["kind"], "sources");
      EXPECT_EQ(j["actor"], "alice");
      EXPECT_EQ(j["file"], dir / "s.csv");
      EXPECT_EQ(j["created"], 1);
      EXPECT_EQ(j["rejected"], 0);
      EXPECT_EQ(j["exit_code"], 0);
      EXPECT_EQ(j["outcome"], "committed");
      found = true;
    }
  }
  EXPECT_TRUE(found) << testing::read_file(dir / "roster.log");
}

TEST(Cli, BadLoggingOptionsAreUsageErrors) {
  EXPECT_EQ(cli({"--log-format", "xml", "jobs"}).exit_code, 2);
  EXPECT_EQ(cli({"--log-level", "loud", "jobs"}).exit_code, 2);
}

TEST(Cli, MissingConfigFileIsAUsageError) {
  EXPECT_EQ(cli({"--config", "/nonexistent/roster.ini", "jobs"}).exit_code, 2);
}

TEST(Cli, CommandsOnAMissingDirectoryExit5) {
  TempDir dir;
  auto r = cli({"--db", dir / "none.db", "jobs"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("roster init"), std::string::npos);
}

// A misspelt key would leave a safety option at its default without a word.
TEST(Cli, AConfigKeyThatNoCommandTakesIsRefusedNamingTheNearestOne) {
  TempDir dir;
  std::string db = dir / "r.db";
  ASSERT_EQ(cli({"--db", db, "-q", "init", "--admin", "alice", "--email", "a@x.com"}).exit_code, 0);
  write_file(dir / "typo.ini", "as = alice\nmax-dissable = 5\n");
  write_file(dir / "s.csv", "External ID,Name,Type,Enabled,Action\nS1,Shop,store,1,Create\n");
  auto r = cli({"--db", db, "--config", dir / "typo.ini", "sources", "import", dir / "s.csv"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown key \"max-dissable\"; did you mean \"max-disable\"?"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(testing::query(db, "SELECT count(*) FROM sources"), "0");
  // A key of another command is not this one's mistake: one file serves all.
  write_file(dir / "shared.ini", "as = alice\nmax-disable = 5\nlimit = 3\n");
  auto jobs = cli({"--db", db, "--config", dir / "shared.ini", "jobs"});
  EXPECT_EQ(jobs.exit_code, 0) << jobs.err;
}

}  // namespace
}  // namespace roster
