// Start and end dates (SPEC §12) over the real binary, on SQLite and
// PostgreSQL: who is active by date, invitations on the first day, `roster
// lifecycle run` and the guard, on both sides of midnight UTC. "Now" is set
// through ROSTER_FAKE_NOW, which only a build with the tests honours.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e_util.h"

namespace roster {
namespace {

using testing::write_file;

const std::string kHeader =
    "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,Sources,"
    "Action,Start date,End date\n";

std::string row(const std::string& name, const std::string& tz, const std::string& start,
                const std::string& end, const std::string& action = "Create") {
  return name + "," + name + "@dates.example,1,1,1," + tz + ",Viewer,," + action + "," + start +
         "," + end + "\n";
}

class DatesTest : public testing::BinaryTest {
 protected:
  // roster at the instant `now` (UTC).
  testing::ProcessResult at(const std::string& now, std::vector<std::string> args) {
    args.insert(args.begin(), {testing::kRoster, "--db", db_});
    return testing::run_process(args, tmp_.path(), {{"ROSTER_FAKE_NOW", now}});
  }
  std::string active(const std::string& username) {
    return q("SELECT active FROM users WHERE username = '" + username + "'");
  }
  std::string invitations(const std::string& username) {
    return q("SELECT count(*) FROM invitations WHERE username = '" + username +
             "' AND sent_at IS NULL AND withdrawn_by IS NULL");
  }
  nlohmann::json lifecycle(const std::string& now, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"lifecycle", "run", "--as", "alice"};
    args.insert(args.end(), more.begin(), more.end());
    auto r = at(now, args);
    last_exit_ = r.exit_code;
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 6) << r.out << r.err;
    size_t at_job = r.out.find("(job ");
    if (at_job == std::string::npos) return nullptr;
    std::string job = r.out.substr(at_job + 5, r.out.find(')', at_job) - at_job - 5);
    return nlohmann::json::parse(testing::read_file(tmp_ / ("lifecycle-" + job + ".summary.json")));
  }
  int last_exit_ = -1;
};

TEST_F(DatesTest, BadDatesAreRejectedNamingLineColumnAndValue) {
  write_file(tmp_ / "bad.csv", kHeader + row("d.one", "UTC", "2026-02-30", "") +
                                   row("d.two", "UTC", "2026-12-24", "2026-12-24") +
                                   row("d.three", "UTC", "", "31/12/2026"));
  auto r = roster({"import", "bad.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 1);
  std::string report = testing::read_file(tmp_ / "bad.rejected.csv");
  EXPECT_EQ(testing::rejected_errors(report, 2),
            "DATE_INVALID: Start date \"2026-02-30\" is not a date; write YYYY-MM-DD "
            "(2026-12-24), or leave it empty for none");
  EXPECT_NE(testing::rejected_errors(report, 3).find(
                "DATE_RANGE_INVALID: End date \"2026-12-24\" is not after the Start date"),
            std::string::npos);
  EXPECT_NE(testing::rejected_errors(report, 4).find("DATE_INVALID: End date \"31/12/2026\""),
            std::string::npos);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username IN ('d.one', 'd.two', 'd.three')"), "0");
}

TEST_F(DatesTest, TheDirectorySaysWhoIsActiveTodayAndTheExportFiltersOnIt) {
  write_file(tmp_ / "d.csv", kHeader + row("past", "UTC", "2000-01-01", "2001-01-01") +
                                 row("future", "UTC", "2999-01-01", "") +
                                 row("ongoing", "UTC", "2000-01-01", "2999-01-01") +
                                 row("plain", "UTC", "", ""));
  ASSERT_EQ(roster({"import", "d.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(active("past"), "0");
  EXPECT_EQ(active("future"), "0");
  EXPECT_EQ(active("ongoing"), "1");
  EXPECT_EQ(active("plain"), "1");
  EXPECT_EQ(invitations("future"), "0");  // invited on its first day, not now
  EXPECT_EQ(invitations("ongoing"), "1");
  auto out = roster({"export", "--as", "alice", "--active", "0", "--out", "inactive.csv"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  std::string inactive = testing::read_file(tmp_ / "inactive.csv");
  EXPECT_NE(inactive.find("\nfuture,"), std::string::npos) << inactive;
  EXPECT_NE(inactive.find("\npast,"), std::string::npos) << inactive;
  EXPECT_EQ(inactive.find("\nongoing,"), std::string::npos) << inactive;
  EXPECT_EQ(inactive.substr(0, inactive.find('\n')),
            "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
            "Sources,Action,Sales channels,Start date,End date");
  // An unedited export imports as all unchanged.
  ASSERT_EQ(roster({"export", "--as", "alice", "--out", "all.csv"}).exit_code, 0);
  auto again = roster({"import", "all.csv", "--as", "alice"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(summary("all")["rows"]["created"], 0);
  EXPECT_EQ(summary("all")["rows"]["updated"], 0);
}

TEST_F(DatesTest, AHireIsInvitedOnItsFirstDayAndASecondRunChangesNothing) {
  write_file(tmp_ / "hire.csv", kHeader + row("hire.la", "America/Los_Angeles", "2026-12-24", ""));
  ASSERT_EQ(at("2026-12-20T12:00:00Z", {"import", "hire.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(active("hire.la"), "0");
  EXPECT_EQ(invitations("hire.la"), "0");
  // Midnight in Los Angeles is 08:00 UTC.
  auto before = lifecycle("2026-12-24T07:59:59Z");
  EXPECT_EQ(before["rows"]["activated"], 0);
  EXPECT_EQ(active("hire.la"), "0");
  auto first = lifecycle("2026-12-24T08:00:00Z");
  EXPECT_EQ(first["rows"]["activated"], 1);
  EXPECT_EQ(active("hire.la"), "1");
  EXPECT_EQ(invitations("hire.la"), "1");
  std::string audit = q("SELECT count(*) FROM audit");
  auto second = lifecycle("2026-12-24T09:00:00Z");
  EXPECT_EQ(second["rows"]["read"], 0);
  EXPECT_EQ(second["rows"]["activated"], 0);
  EXPECT_EQ(q("SELECT count(*) FROM audit"), audit);
  EXPECT_EQ(invitations("hire.la"), "1");
}

TEST_F(DatesTest, TimeZonesOnBothSidesOfMidnightUtc) {
  write_file(tmp_ / "tz.csv", kHeader + row("tz.nz", "Pacific/Auckland", "2026-12-24", "") +
                                  row("tz.la", "America/Los_Angeles", "2026-12-24", ""));
  ASSERT_EQ(at("2026-12-20T00:00:00Z", {"import", "tz.csv", "--as", "alice"}).exit_code, 0);
  // 2026-12-23T12:00Z: already the 24th in Auckland (UTC+13), still the 23rd
  // in Los Angeles (UTC-8).
  auto noon = lifecycle("2026-12-23T12:00:00Z");
  EXPECT_EQ(noon["rows"]["activated"], 1);
  EXPECT_EQ(active("tz.nz"), "1");
  EXPECT_EQ(active("tz.la"), "0");
  lifecycle("2026-12-24T08:00:00Z");
  EXPECT_EQ(active("tz.la"), "1");
}

TEST_F(DatesTest, ExpiriesWithdrawInvitationsAndCountForTheGuard) {
  std::string rows = kHeader;
  for (int i = 0; i < 40; ++i) rows += row("season." + std::to_string(i), "UTC", "", "2027-01-01");
  write_file(tmp_ / "season.csv", rows);
  ASSERT_EQ(at("2026-12-01T00:00:00Z", {"import", "season.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(invitations("season.0"), "1");
  std::string active_before = q("SELECT count(*) FROM users WHERE active = 1");
  // 40 of some 280 who may log in: more than 10 %.
  auto refused = lifecycle("2027-01-01T00:00:00Z");
  EXPECT_EQ(last_exit_, 6);
  EXPECT_EQ(refused["outcome"], "refused");
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE active = 1"), active_before);
  auto done = lifecycle("2027-01-01T00:00:00Z", {"--max-disable", "100"});
  EXPECT_EQ(last_exit_, 0);
  EXPECT_EQ(done["rows"]["expired"], 40);
  EXPECT_EQ(active("season.0"), "0");
  EXPECT_EQ(q("SELECT enabled FROM users WHERE username = 'season.0'"), "1");  // as requested
  EXPECT_EQ(invitations("season.0"), "0");
  EXPECT_EQ(q("SELECT count(*) FROM audit WHERE action = 'expire'"), "40");

  // An import that ends access at once counts the same way.
  std::string staff = kHeader, ended = kHeader;
  for (int i = 0; i < 40; ++i) {
    staff += row("staff." + std::to_string(i), "UTC", "", "");
    ended += row("staff." + std::to_string(i), "UTC", "", "2000-01-01", "Update");
  }
  write_file(tmp_ / "staff.csv", staff);
  ASSERT_EQ(roster({"import", "staff.csv", "--as", "alice"}).exit_code, 0);
  write_file(tmp_ / "ended.csv", ended);
  auto guard = roster({"import", "ended.csv", "--as", "alice"});
  EXPECT_EQ(guard.exit_code, 6) << guard.out << guard.err;
  EXPECT_NE(guard.err.find("by an End date already past"), std::string::npos) << guard.err;
}

}  // namespace
}  // namespace roster
