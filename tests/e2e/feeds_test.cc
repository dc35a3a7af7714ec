// Feeds (SPEC §11): a nightly HR snapshot turned into leavers, safely. Every
// test runs the binary on SQLite and, as pg:FeedsTest, on PostgreSQL.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <set>
#include <thread>

#include "e2e_util.h"

namespace roster {
namespace {

using testing::read_file;
using testing::write_file;

// The HR feed's people: hr.0 ... hr.N-1, viewers of every source, each row as
// testing::viewers() writes it.
std::string hr_row(int i, const char* enabled = "1", const char* action = "Update") {
  const char* zones[] = {"UTC", "Europe/Paris", "America/Chicago", "Asia/Tokyo"};
  std::string u = "hr." + std::to_string(i);
  return u + "," + u + "@load.example," + enabled + ",1,1," + zones[i % 4] + ",Viewer,," + action +
         "\n";
}

class FeedsTest : public testing::BinaryTest {
 protected:
  // hr.0 ... hr.<n-1> created by a first snapshot of feed hr.
  void hire(int n) {
    write_file(tmp_ / "hr-first.csv", testing::viewers("hr", n));
    auto r = roster({"import", "hr-first.csv", "--as", "alice", "--feed", "hr", "--sync"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  // A snapshot of feed hr naming hr.i for every i of [0, n) not in `gone`.
  std::string snapshot(int n, const std::set<int>& gone) {
    std::string text = testing::kUsersHeader;
    for (int i = 0; i < n; ++i) {
      if (!gone.count(i)) text += hr_row(i);
    }
    return text;
  }
  testing::ProcessResult sync(const std::string& file, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"import", file, "--as", "alice", "--feed", "hr", "--sync"};
    args.insert(args.end(), more.begin(), more.end());
    return roster(args);
  }
  // The usernames matching `where`, sorted, joined by spaces.
  std::string users_where(const std::string& where) {
    std::string rows = q("SELECT username FROM users WHERE " + where + " ORDER BY username");
    for (char& c : rows) c = c == '\n' ? ' ' : c;
    return rows;
  }
  std::string enabled_state() { return q("SELECT username, enabled FROM users ORDER BY id"); }
};

TEST_F(FeedsTest, ASnapshotDisablesExactlyTheFeedsMissingUsers) {
  hire(12);
  // Users of another feed, and the sample's users that no feed manages.
  write_file(tmp_ / "pos.csv", testing::viewers("pos", 3));
  ASSERT_EQ(roster({"import", "pos.csv", "--as", "alice", "--feed", "pos"}).exit_code, 0);
  std::string unmanaged_before = q("SELECT count(*) FROM users WHERE feed IS NULL AND enabled = 1");

  write_file(tmp_ / "night.csv", snapshot(12, {3, 7}));
  auto r = sync("night.csv");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(users_where("enabled = 0 AND username LIKE 'hr.%'"), "hr.3 hr.7");
  EXPECT_EQ(users_where("enabled = 0 AND username LIKE 'pos.%'"), "");
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE feed IS NULL AND enabled = 1"), unmanaged_before);
  // Disabled, never deleted, and still the feed's.
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE feed = 'hr'"), "12");

  EXPECT_NE(r.out.find("2 users missing from feed hr disabled"), std::string::npos) << r.out;
  auto s = summary("night");
  EXPECT_EQ(s["feed"], "hr");
  EXPECT_EQ(s["sync"], true);
  EXPECT_EQ(s["disabled_missing"], 2);
  EXPECT_EQ(s["rows"]["unchanged"], 10);
  std::string plan = read_file(tmp_ / "night.changes.csv");
  EXPECT_NE(plan.find("\n,hr.3,disabled-missing,Enabled,1,0\n"), std::string::npos) << plan;
  EXPECT_NE(plan.find("\n,hr.7,disabled-missing,Enabled,1,0\n"), std::string::npos) << plan;
  int64_t job = s["job_id"];
  auto audit = roster({"audit", "--user", "hr.3"});
  EXPECT_NE(audit.out.find(",alice,user,hr.3,disable,Enabled,1,0,missing from feed hr (job " +
                           std::to_string(job) + ")\n"),
            std::string::npos)
      << audit.out;
  auto jobs = roster({"jobs", "show", std::to_string(job)});
  EXPECT_NE(jobs.out.find("2 missing from the snapshot disabled"), std::string::npos) << jobs.out;

  // The same snapshot again changes nothing, and is no "already imported" run.
  auto again = sync("night.csv");
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 users missing from feed hr disabled"), std::string::npos)
      << again.out;
}

TEST_F(FeedsTest, ARejectedRowKeepsItsUser) {
  hire(6);
  std::string text = snapshot(6, {1, 2});
  // hr.1's e-mail is invalid; hr.2's time zone cell is not text (a formula).
  text += "hr.1,not-an-email,1,1,1,UTC,Viewer,,Update\n";
  text += "hr.2,hr.2@load.example,1,1,1,=cmd(),Viewer,,Update\n";
  write_file(tmp_ / "night.csv", text);
  auto r = sync("night.csv");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(summary("night")["rows"]["rejected"], 2);
  EXPECT_EQ(summary("night")["disabled_missing"], 0);
  EXPECT_EQ(users_where("enabled = 0 AND username LIKE 'hr.%'"), "");
}

TEST_F(FeedsTest, AnUntrustworthySnapshotDisablesNobody) {
  hire(6);
  std::string before = enabled_state();
  // A row cut short (ROW_MALFORMED): its username cannot be trusted.
  write_file(tmp_ / "cut.csv", snapshot(6, {4, 5}) + "hr.4,hr.4@load.example,1\n");
  auto cut = sync("cut.csv", {"-q"});
  EXPECT_EQ(cut.exit_code, 1) << cut.out << cut.err;
  EXPECT_EQ(summary("cut")["warnings_by_code"]["SYNC_SKIPPED"], 1);
  EXPECT_NE(cut.err.find("SYNC_SKIPPED"), std::string::npos) << cut.err;  // cron mails it
  EXPECT_EQ(enabled_state(), before);

  // A row whose username cannot be read.
  write_file(tmp_ / "blank.csv",
             snapshot(6, {5}) + ",someone@load.example,1,1,1,UTC,Viewer,,Update\n");
  auto blank = sync("blank.csv");
  EXPECT_EQ(blank.exit_code, 1);
  EXPECT_EQ(summary("blank")["warnings_by_code"]["SYNC_SKIPPED"], 1);
  EXPECT_EQ(enabled_state(), before);

  // A run stopped by --max-errors.
  std::string bad = snapshot(6, {0, 1, 2});
  for (int i = 0; i < 3; ++i) bad += "bad." + std::to_string(i) + ",x,1,1,1,UTC,Viewer,,Update\n";
  write_file(tmp_ / "stop.csv", bad);
  auto stop = sync("stop.csv", {"--max-errors", "1"});
  EXPECT_EQ(stop.exit_code, 1);
  EXPECT_EQ(summary("stop")["warnings_by_code"]["SYNC_SKIPPED"], 1);
  EXPECT_EQ(enabled_state(), before);

  // A header and no rows: the file is refused whole.
  write_file(tmp_ / "empty.csv", testing::kUsersHeader);
  auto empty = sync("empty.csv");
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_EQ(summary("empty")["file_error"], "FEED_EMPTY");
  EXPECT_NE(empty.err.find("FEED_EMPTY"), std::string::npos) << empty.err;
  EXPECT_EQ(enabled_state(), before);
}

TEST_F(FeedsTest, TheGuardCountsTheSyncsDisablesAndTheDryRunListsThem) {
  hire(30);
  std::string before = enabled_state();
  std::set<int> gone;
  for (int i = 0; i < 20; ++i) gone.insert(i);
  write_file(tmp_ / "truncated.csv", snapshot(30, gone));
  auto refused = sync("truncated.csv", {"--max-disable", "5"});
  EXPECT_EQ(refused.exit_code, 6) << refused.out << refused.err;
  EXPECT_EQ(summary("truncated")["disabled_missing"], 20);
  EXPECT_NE(refused.err.find("20 missing from feed hr"), std::string::npos) << refused.err;
  EXPECT_EQ(enabled_state(), before);

  // One row disabling a user counts with the missing ones.
  write_file(tmp_ / "both.csv", snapshot(30, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) +
                                    "hr.0,hr.0@load.example,0,1,1,UTC,Viewer,,Update\n");
  auto both = sync("both.csv", {"--max-disable", "1"});
  EXPECT_EQ(both.exit_code, 6) << both.out << both.err;
  EXPECT_EQ(summary("both")["disabled_missing"], 10);
  EXPECT_EQ(summary("both")["rows"]["disabled"], 1);
  EXPECT_EQ(enabled_state(), before);

  // A dry run lists exactly who would go, and changes nothing.
  write_file(tmp_ / "plan.csv", snapshot(30, {2, 5}));
  auto plan = sync("plan.csv", {"--dry-run"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("2 users missing from feed hr would be disabled"), std::string::npos)
      << plan.out;
  std::string lines = read_file(tmp_ / "plan.changes.csv");
  size_t count = 0;
  for (size_t at = lines.find("disabled-missing"); at != std::string::npos;
       at = lines.find("disabled-missing", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << lines;
  EXPECT_NE(lines.find(",hr.2,disabled-missing,"), std::string::npos);
  EXPECT_NE(lines.find(",hr.5,disabled-missing,"), std::string::npos);
  EXPECT_EQ(enabled_state(), before);
}

TEST_F(FeedsTest, AReturnerIsEnabledAgainAndInvitedAndALeaversInvitationIsWithdrawn) {
  hire(4);
  // hr.2 has never been sent its invitation when it leaves.
  write_file(tmp_ / "leave.csv", snapshot(4, {2}));
  ASSERT_EQ(sync("leave.csv").exit_code, 0);
  EXPECT_EQ(q("SELECT enabled FROM users WHERE username = 'hr.2'"), "0");
  auto pending = roster({"invitations", "export"});
  EXPECT_EQ(pending.out.find("hr.2@"), std::string::npos) << pending.out;
  EXPECT_NE(pending.out.find("hr.1@"), std::string::npos) << pending.out;

  write_file(tmp_ / "back.csv", snapshot(4, {}));
  auto back = sync("back.csv");
  EXPECT_EQ(back.exit_code, 0) << back.out << back.err;
  EXPECT_EQ(q("SELECT enabled FROM users WHERE username = 'hr.2'"), "1");
  EXPECT_NE(back.out.find("1 enabled, 0 disabled"), std::string::npos) << back.out;
  EXPECT_EQ(q("SELECT reason FROM invitations WHERE username = 'hr.2' AND sent_at IS NULL "
              "AND withdrawn_by IS NULL"),
            "enabled");
}

TEST_F(FeedsTest, ALowerRankedActorsSyncLeavesUsersItMayNotChangeAlone) {
  // d.chen (Retail Director East, sources EAST-*) may change a store
  // associate of EAST-001 but not a viewer of every source.
  std::string text = testing::kUsersHeader +
                     "east.1,east.1@load.example,1,0,0,UTC,Store Associate,EAST-001,Create\n"
                     "east.2,east.2@load.example,1,0,0,UTC,Store Associate,EAST-001,Create\n" +
                     hr_row(0, "1", "Create");
  write_file(tmp_ / "first.csv", text);
  ASSERT_EQ(roster({"import", "first.csv", "--as", "alice", "--feed", "hr"}).exit_code, 0);

  write_file(tmp_ / "east.csv",
             testing::kUsersHeader +
                 "east.1,east.1@load.example,1,0,0,UTC,Store Associate,EAST-001,Update\n");
  auto r = roster({"import", "east.csv", "--as", "d.chen", "--feed", "hr", "--sync"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // a warning changes no exit code
  EXPECT_EQ(users_where("feed = 'hr' AND enabled = 0"), "east.2");
  EXPECT_EQ(summary("east")["warnings_by_code"]["SYNC_NOT_ALLOWED"], 1);
  EXPECT_NE(r.out.find("1 user missing from feed hr disabled; 1 more left alone"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(summary("east")["disabled_missing"], 1);
}

TEST_F(FeedsTest, FeedsClaimAndOwnTheirUsersAndManualRunsChangeAnyone) {
  // tom.reilly (no feed yet) is named unchanged by feed hr: claimed, audited.
  std::string tom =
      "tom.reilly,tom.reilly@northwind-retail.com,1,1,0,America/New_York,Store Manager,EAST-001,";
  write_file(tmp_ / "claim.csv", testing::kUsersHeader + tom + "Update\n");
  auto claim = roster({"import", "claim.csv", "--as", "alice", "--feed", "hr"});
  EXPECT_EQ(claim.exit_code, 0) << claim.out << claim.err;
  EXPECT_EQ(summary("claim")["rows"]["unchanged"], 1);
  // The plan shows the claim on the row's line.
  EXPECT_NE(read_file(tmp_ / "claim.changes.csv").find("\n2,tom.reilly,unchanged,Managed by,,hr\n"),
            std::string::npos)
      << read_file(tmp_ / "claim.changes.csv");
  EXPECT_EQ(q("SELECT feed FROM users WHERE username = 'tom.reilly'"), "hr");
  auto audit = roster({"audit", "--user", "tom.reilly"});
  EXPECT_NE(audit.out.find(",alice,user,tom.reilly,claim,Managed by,,hr,claimed by feed hr"),
            std::string::npos)
      << audit.out;

  // Another feed may not touch it.
  auto other = roster({"import", "claim.csv", "--as", "alice", "--feed", "pos", "--force"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(read_file(tmp_ / "claim.rejected.csv").find("USER_OTHER_FEED"), std::string::npos);
  EXPECT_NE(read_file(tmp_ / "claim.rejected.csv").find("feed \"\"hr\"\""), std::string::npos)
      << read_file(tmp_ / "claim.rejected.csv");

  // A manual run (no --feed) changes it and leaves it managed by hr.
  write_file(tmp_ / "fix.csv", testing::kUsersHeader +
                                   "tom.reilly,tom.reilly@northwind-retail.com,1,1,0,UTC,"
                                   "Store Manager,EAST-001,Update\n");
  EXPECT_EQ(roster({"import", "fix.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(q("SELECT timezone, feed FROM users WHERE username = 'tom.reilly'"), "UTC|hr");

  // The actor's own row is never claimed: it may not change itself.
  auto mine = roster({"export", "--as", "alice", "--out", "all.csv"});
  ASSERT_EQ(mine.exit_code, 0);
  EXPECT_EQ(roster({"import", "all.csv", "--as", "alice", "--feed", "hr"}).exit_code, 0);
  EXPECT_EQ(q("SELECT coalesce(feed, '-') FROM users WHERE username = 'alice'"), "-");
  EXPECT_EQ(roster({"export", "--as", "alice", "--feed", "hr", "--out", "hr.csv"}).exit_code, 0);
  EXPECT_EQ(read_file(tmp_ / "hr.csv").find("alice,"), std::string::npos);
  EXPECT_NE(read_file(tmp_ / "hr.csv").find("\ntom.reilly,"), std::string::npos);
}

TEST_F(FeedsTest, FeedsListShowAndRelease) {
  hire(5);
  write_file(tmp_ / "night.csv", snapshot(5, {4}));
  ASSERT_EQ(sync("night.csv").exit_code, 0);
  auto list = roster({"feeds"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("hr                              4        1"), std::string::npos)
      << list.out;
  auto show = roster({"feeds", "show", "hr"});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("night.csv"), std::string::npos) << show.out;
  EXPECT_EQ(roster({"feeds", "show", "nope"}).exit_code, 2);

  // A lower actor may not release users it may not change: nothing released.
  auto refused = roster({"feeds", "release", "hr", "--as", "d.chen"});
  EXPECT_EQ(refused.exit_code, 4) << refused.out << refused.err;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE feed = 'hr'"), "5");

  auto one = roster({"feeds", "release", "hr", "--user", "hr.1", "--as", "alice"});
  EXPECT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_EQ(q("SELECT coalesce(feed, '-') FROM users WHERE username = 'hr.1'"), "-");
  EXPECT_NE(roster({"audit", "--user", "hr.1"}).out.find(",release,Managed by,hr,,released"),
            std::string::npos);
  // Released, hr.1 is no longer the feed's to disable.
  write_file(tmp_ / "next.csv", snapshot(5, {1, 4}));
  ASSERT_EQ(sync("next.csv").exit_code, 0);
  EXPECT_EQ(q("SELECT enabled FROM users WHERE username = 'hr.1'"), "1");
  EXPECT_EQ(roster({"feeds", "release", "hr", "--user", "hr.1", "--as", "alice"}).exit_code, 2);

  EXPECT_EQ(roster({"feeds", "release", "hr", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE feed IS NOT NULL"), "0");
}

TEST_F(FeedsTest, UsageErrors) {
  write_file(tmp_ / "x.csv", testing::viewers("x", 1));
  EXPECT_EQ(roster({"import", "x.csv", "--as", "alice", "--sync"}).exit_code, 2);
  EXPECT_EQ(roster({"import", "x.csv", "--as", "alice", "--feed", "hr workday"}).exit_code, 2);
  EXPECT_EQ(roster({"export", "--as", "alice", "--feed", "nope"}).exit_code, 2);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username = 'x.0'"), "0");
}

TEST_F(FeedsTest, TheInboxTakesAFeedAndSync) {
  hire(5);
  std::filesystem::create_directories(tmp_ / "inbox");
  write_file(tmp_ / "inbox/hr-2026-12-08.csv", snapshot(5, {0}));
  auto r = roster(
      {"import", "--inbox", "inbox", "--min-age", "0", "--as", "alice", "--feed", "hr", "--sync"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(users_where("feed = 'hr' AND enabled = 0"), "hr.0");
}

// SPEC §4 holds for the missing-user step too: killed while it disables, the
// run leaves the directory exactly as before.
TEST_F(FeedsTest, AKillDuringTheMissingUserStepLeavesTheDirectoryAsItWas) {
#if defined(__SANITIZE_ADDRESS__)
  const int n = testing::on_postgres() ? 2000 : 20000;
#else
  const int n = testing::on_postgres() ? 4000 : 50000;
#endif
  hire(n);
  auto state = [&] {
    return q("SELECT count(*), sum(enabled) FROM users") + "/" + q("SELECT count(*) FROM audit") +
           "/" + q("SELECT count(*) FROM invitations WHERE withdrawn_by IS NULL");
  };
  std::string before = state();
  write_file(tmp_ / "one.csv", snapshot(1, {}));  // everyone but hr.0 is missing
  pid_t pid = start_roster({"--log-file", "run.log", "--log-level", "info", "import", "one.csv",
                            "--as", "alice", "--feed", "hr", "--sync", "--max-disable", "100"});
  // The run logs how many are missing just before it starts disabling them.
  bool in_step = false;
  for (int i = 0; i < 12000 && !in_step; ++i) {
    in_step = read_file(tmp_ / "run.log").find("missing from the snapshot") != std::string::npos;
    if (!in_step) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(in_step) << read_file(tmp_ / "run.log");
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  testing::wait_for_other_sessions_to_end(db_);
  EXPECT_EQ(testing::integrity(db_), "ok");
  EXPECT_EQ(state(), before);
  EXPECT_NE(roster({"jobs", "--limit", "1"}).out.find("interrupted"), std::string::npos);
  // And the same snapshot, run through, disables them all.
  auto done = sync("one.csv", {"--max-disable", "100"});
  EXPECT_EQ(done.exit_code, 0) << done.out << done.err;
  EXPECT_EQ(summary("one")["disabled_missing"], n - 1);
}

}  // namespace
}  // namespace roster
