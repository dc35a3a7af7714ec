// Inbox mode over the real binary: name order, one job per file, archive and
// failed folders with the reports, files still being written left alone, no
// file processed twice, and one run at a time.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "e2e_util.h"

namespace roster {
namespace {

namespace fs = std::filesystem;
using testing::kUsersHeader;
using testing::read_file;
using testing::write_file;

class InboxTest : public testing::BinaryTest {
 protected:
  void SetUp() override {
    BinaryTest::SetUp();
    if (HasFatalFailure()) return;
    fs::create_directories(inbox_);
  }
  testing::ProcessResult run(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"import", "--inbox", inbox_, "--as", "alice"};
    args.insert(args.end(), extra.begin(), extra.end());
    return roster(args);
  }
  std::vector<std::string> names(const fs::path& folder) {
    std::vector<std::string> out;
    if (!fs::exists(folder)) return out;
    for (const auto& e : fs::directory_iterator(folder)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string inbox_ = tmp_ / "inbox";
};

TEST_F(InboxTest, EachFileIsImportedOnceAndFiledWithItsReports) {
  write_file(inbox_ + "/2-bad.csv", kUsersHeader + "b.1,not-an-email,1,1,1,UTC,Viewer,,Create\n" +
                                        "b.2,b.2@x.com,1,1,1,UTC,Viewer,,Create\n");
  write_file(inbox_ + "/1-good.csv", testing::viewers("g", 3));
  write_file(inbox_ + "/3-refused.csv", "not,a,template\n");
  write_file(inbox_ + "/4-late.csv.part", testing::viewers("late", 2));  // still being written
  auto r = run({"--min-age", "0"});
  EXPECT_EQ(r.exit_code, 3) << r.out;  // the worst outcome: a refused file
  // Name order: 1-good's job comes before 2-bad's.
  EXPECT_EQ(q("SELECT group_concat(exit_code) FROM (SELECT exit_code FROM jobs WHERE kind = "
              "'users' AND id > 5 ORDER BY id) AS t"),
            "0,1,3");
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'g.%' OR username = 'b.2'"), "4");
  EXPECT_EQ(names(inbox_ + "/archive").size(), 7u) << r.out;  // 2 files, their reports
  auto failed = names(inbox_ + "/failed");
  ASSERT_EQ(failed.size(), 2u);  // the file and its summary
  EXPECT_NE(failed[0].find("3-refused.csv"), std::string::npos);
  bool summary_beside = false;
  for (const std::string& n : names(inbox_ + "/archive")) {
    if (n.find("2-bad.rejected.csv") != std::string::npos) {
      summary_beside =
          read_file(inbox_ + "/archive/" + n).find("EMAIL_INVALID") != std::string::npos;
    }
  }
  EXPECT_TRUE(summary_beside);
  EXPECT_EQ(names(inbox_), (std::vector<std::string>{".processing", ".roster-inbox.lock",
                                                     "4-late.csv.part", "archive", "failed"}));

  // A second run finds nothing to do and applies nothing again.
  std::string jobs = q("SELECT count(*) FROM jobs");
  auto again = run({"--min-age", "0"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("nothing to import"), std::string::npos);
  EXPECT_EQ(q("SELECT count(*) FROM jobs"), jobs);
}

TEST_F(InboxTest, AnArchiveOnAnotherFileSystemWorksToo) {
  if (!fs::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm here";
  std::string archive = "/dev/shm/roster-test-archive-" + std::to_string(::getpid());
  fs::remove_all(archive);
  write_file(inbox_ + "/a.csv", testing::viewers("a", 2));
  auto r = run({"--min-age", "0", "--archive", archive});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(names(archive).size(), 3u);  // the file, its plan and its summary
  EXPECT_TRUE(names(inbox_ + "/.processing").empty());
  fs::remove_all(archive);
}

TEST_F(InboxTest, RecentFilesWaitForTheNextRun) {
  write_file(inbox_ + "/fresh.csv", testing::viewers("fresh", 2));
  auto r = run({"--min-age", "3600"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(fs::exists(inbox_ + "/fresh.csv"));
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'fresh.%'"), "0");
}

TEST_F(InboxTest, OneRunAtATime) {
  write_file(inbox_ + "/a.csv", testing::viewers("a", 2));
  int fd = ::open((inbox_ + "/.roster-inbox.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // another run holds the inbox
  auto r = run({"--min-age", "0", "--lock-timeout", "0"});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 5) << r.out;
  EXPECT_NE(r.err.find("another roster run"), std::string::npos);
  EXPECT_TRUE(fs::exists(inbox_ + "/a.csv"));  // untouched
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'a.%'"), "0");
}

TEST_F(InboxTest, AnActorThatMayNotImportLeavesTheFilesInPlace) {
  write_file(inbox_ + "/a.csv", testing::viewers("a", 2));
  auto r = roster({"import", "--inbox", inbox_, "--as", "svc.oms-sync", "--min-age", "0"});
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_TRUE(fs::exists(inbox_ + "/a.csv"));
  EXPECT_TRUE(names(inbox_ + "/.processing").empty());
}

TEST_F(InboxTest, FileOrInboxNotBoth) {
  EXPECT_EQ(roster({"import", "--as", "alice"}).exit_code, 2);
  EXPECT_EQ(roster({"import", "x.csv", "--inbox", inbox_, "--as", "alice"}).exit_code, 2);
}

// Issue 31, item 3: what the run prints and records are the paths where the
// file and its reports end up, never .processing.
TEST_F(InboxTest, TheRunPrintsAndRecordsTheFinalPaths) {
  write_file(inbox_ + "/hr.csv",
             testing::viewers("fin", 1) + "fin.bad,nope,1,1,1,UTC,Viewer,,Create\n");
  auto r = run({"--min-age", "0"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find(".processing"), std::string::npos) << r.out << r.err;
  auto archived = names(inbox_ + "/archive");
  std::string stem;
  for (const std::string& n : archived) {
    if (n.size() > 4 && n.substr(n.size() - 7) == "-hr.csv") stem = n.substr(0, n.size() - 4);
  }
  ASSERT_FALSE(stem.empty()) << r.out;
  std::string in_archive = inbox_ + "/archive/" + stem;
  EXPECT_NE(r.out.find("users import of " + in_archive + ".csv:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rejected rows: " + in_archive + ".rejected.csv"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find(in_archive + ".rejected.csv"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(in_archive + ".rejected.csv"));
  EXPECT_EQ(q("SELECT file FROM jobs ORDER BY id DESC LIMIT 1"), in_archive + ".csv");
  EXPECT_EQ(nlohmann::json::parse(read_file(in_archive + ".summary.json"))["file"],
            in_archive + ".csv");
  // A refused file's reason names it where it is now: in failed/.
  write_file(inbox_ + "/empty.csv", "");
  auto empty = run({"--min-age", "0", "-q"});
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_NE(empty.err.find("FILE_EMPTY"), std::string::npos) << empty.err;
  EXPECT_NE(empty.err.find(inbox_ + "/failed/"), std::string::npos) << empty.err;
  EXPECT_EQ(empty.err.find(".processing"), std::string::npos) << empty.err;
}

// Issue 31, item 4: each file left alone is named with why; .CSV counts; a
// sources file dropped beside the people's comes in as sources, in name order.
TEST_F(InboxTest, SkippedFilesAreNamedAndReferenceFilesComeInAsWhatTheyAre) {
  write_file(inbox_ + "/1-STORES.CSV",
             "External ID,Name,Type,Enabled,Action\nNEW-001,New store,store,1,Create\n");
  write_file(inbox_ + "/2-HR_EXPORT.CSV",
             kUsersHeader + "new.one,new.one@x.com,1,1,0,UTC,Viewer,NEW-001,Create\n");
  write_file(inbox_ + "/3-notes.txt", "not for roster\n");
  auto r = run({"--min-age", "0", "--log-level", "info"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(q("SELECT name FROM sources WHERE external_id = 'NEW-001'"), "New store");
  EXPECT_EQ(q("SELECT count(*) FROM users u JOIN user_sources s ON s.user_id = u.id "
              "WHERE u.username = 'new.one'"),
            "1");
  EXPECT_EQ(q("SELECT group_concat(kind) FROM (SELECT kind FROM jobs ORDER BY id DESC LIMIT 2) t"),
            "users,sources");
  EXPECT_NE(r.out.find("left 3-notes.txt: not a .csv file"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("3-notes.txt"), std::string::npos) << r.err;  // the log, at info
  EXPECT_NE(r.out.find("2 of 2 files run, 1 left for a later run"), std::string::npos) << r.out;

  // A file too young is named with its age, even at -q's level in the log.
  write_file(inbox_ + "/4-young.csv", testing::viewers("young", 1));
  auto young = run({"--min-age", "3600", "--log-level", "info"});
  EXPECT_EQ(young.exit_code, 0);
  EXPECT_NE(young.out.find("left 4-young.csv: modified "), std::string::npos) << young.out;
  EXPECT_NE(young.out.find("younger than --min-age 3600"), std::string::npos) << young.out;
}

}  // namespace
}  // namespace roster
