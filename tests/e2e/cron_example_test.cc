// The cron example as shipped (contrib/cron/roster), run as cron runs it: its
// command line through sh, standard output and error both mailed. Nothing to
// mail on success; on each failing exit code, mail that says why (SPEC §15).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <sstream>

#include "e2e_util.h"

namespace roster {
namespace {

using testing::viewers;
using testing::write_file;

class CronExampleTest : public testing::BinaryTest {
 protected:
  void SetUp() override {
    BinaryTest::SetUp();
    inbox_ = tmp_ / "inbox";
    ASSERT_EQ(::mkdir(inbox_.c_str(), 0755), 0);
    command_ = crontab_command();
    ASSERT_FALSE(command_.empty());
    configure("");
  }

  // The command of the example's crontab line (after minute, hour, day,
  // month, weekday and user), with this test's binary and inbox.
  std::string crontab_command() {
    std::istringstream lines(testing::read_file(testing::source_dir() + "/contrib/cron/roster"));
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line[0] == '#' || line.find('=') < line.find(' ')) continue;
      std::istringstream words(line);
      std::string word, command;
      for (int field = 0; words >> word; ++field) {
        if (field >= 6) command += (command.empty() ? "" : " ") + word;
      }
      replace(command, "/usr/bin/roster", testing::kRoster);
      replace(command, "/var/spool/roster/inbox", inbox_);
      return command;
    }
    return "";
  }
  static void replace(std::string& s, const std::string& from, const std::string& to) {
    size_t at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from << " is not in the example: " << s;
    s.replace(at, from.size(), to);
  }

  // /etc/roster/roster.conf as contrib/roster.conf.example has it, with
  // this test's directory, log and actor, and `extra` after it.
  void configure(const std::string& extra, const std::string& actor = "alice") {
    std::istringstream lines(
        testing::read_file(testing::source_dir() + "/contrib/roster.conf.example"));
    std::map<std::string, std::string> ours = {
        {"db", db_}, {"log-file", tmp_ / "roster.log"}, {"as", actor}, {"lock-timeout", "0"}};
    std::string conf;
    for (std::string line; std::getline(lines, line);) {
      std::string key = line.substr(0, line.find(" = "));
      conf += (ours.count(key) ? key + " = " + ours[key] : line) + "\n";
    }
    write_file(tmp_ / "roster.conf", conf + "min-age = 0\n" + extra);
  }

  // One night: what cron would mail (nothing, or the text), and the exit code.
  testing::ProcessResult night(const std::string& name, const std::string& snapshot) {
    write_file(inbox_ + "/" + name, snapshot);
    auto r = testing::run_process({"/bin/sh", "-c", command_}, tmp_.path(),
                                  {{"ROSTER_CONFIG", tmp_ / "roster.conf"}});
    r.out += r.err;  // cron mails both
    return r;
  }

  std::string inbox_, command_;
};

TEST_F(CronExampleTest, MailsNothingOnSuccessAndWhyOnEveryFailingExit) {
  auto ok = night("hr-1.csv", viewers("cron", 40));
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.out, "");  // no mail
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE feed IS NOT NULL"), "40");

  // 1: a row rejected; the rest applied.
  auto rows = night("hr-2.csv",
                    viewers("cron", 40) + "cron.bad,cron.bad@x.example,1,1,1,UTC,Nope,,Create\n");
  EXPECT_EQ(rows.exit_code, 1);
  EXPECT_NE(rows.out.find("1 row rejected"), std::string::npos) << rows.out;

  // 3: a file Excel saved with semicolons.
  std::string semicolons = viewers("cron", 40);
  for (char& c : semicolons) c = c == ',' ? ';' : c;
  auto refused = night("hr-3.csv", semicolons);
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.out.find("--delimiter ';'"), std::string::npos) << refused.out;

  // 5: another import holds the directory; the file waits for the next night.
  {
    testing::WriteLockHolder lock(db_);
    auto locked = night("hr-4.csv", viewers("cron", 40));
    EXPECT_EQ(locked.exit_code, 5);
    EXPECT_NE(locked.out.find("stopped at " + inbox_ + "/hr-4.csv"), std::string::npos)
        << locked.out;
  }
  ASSERT_EQ(std::remove((inbox_ + "/hr-4.csv").c_str()), 0);

  // 6: a snapshot that lost most of the workforce.
  auto guard = night("hr-5.csv", viewers("cron", 5));
  EXPECT_EQ(guard.exit_code, 6);
  EXPECT_NE(guard.out.find("would disable 35 of the"), std::string::npos) << guard.out;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE feed IS NOT NULL AND enabled = 1"), "40");

  // 4: the scheduler's account is not a user.
  configure("", "svc.gone");
  auto actor = night("hr-6.csv", viewers("cron", 40));
  EXPECT_EQ(actor.exit_code, 4);
  EXPECT_NE(actor.out.find("svc.gone"), std::string::npos) << actor.out;

  // 2: a mistyped key in the config file.
  configure("max-dissable = 5\n");
  auto usage = night("hr-7.csv", viewers("cron", 40));
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.out.find("did you mean \"max-disable\"?"), std::string::npos) << usage.out;
}

}  // namespace
}  // namespace roster
