#include "roster/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_util.h"

namespace roster {
namespace {

using testing::read_file;
using testing::TempDir;

TEST(ReportPaths, BesideTheInputOrInTheReportDir) {
  ReportPaths p = report_paths("/data/in/new-hires.csv", "");
  EXPECT_EQ(p.rejected, "/data/in/new-hires.rejected.csv");
  EXPECT_EQ(p.changes, "/data/in/new-hires.changes.csv");
  EXPECT_EQ(p.summary, "/data/in/new-hires.summary.json");
  EXPECT_EQ(report_paths("x.csv", "/reports").summary, "/reports/x.summary.json");
  EXPECT_EQ(report_paths("-", "").rejected, "./stdin.rejected.csv");
}

TEST(RejectedReport, TheInputColumnsVerbatimThenLineAndErrors) {
  TempDir dir;
  std::string path = dir / "in.rejected.csv";
  // An input that is itself a rejected report: its old Line/Errors are replaced,
  // wherever they stand and however they are spelled; the other header cells
  // are written as they came.
  RejectedReport r(path, {" e-MAIL ", "Username", " line", "ERRORS "});
  RawRow row{7, {"b,o@x", "bob", "3", "old error"}, false, ""};
  RowError e{7, "E-mail", "b,o@x", Code::kEmailInvalid, "E-mail \"b,o@x\" is bad"};
  ASSERT_TRUE(r.add(row, {e, e}).is_ok());
  ASSERT_TRUE(r.finish().is_ok());
  EXPECT_EQ(read_file(path),
            "\" e-MAIL \",Username,Line,Errors\n"
            "\"b,o@x\",bob,7,\"EMAIL_INVALID: E-mail \"\"b,o@x\"\" is bad | EMAIL_INVALID: E-mail "
            "\"\"b,o@x\"\" is bad\"\n");
}

TEST(RejectedReport, AMalformedRowKeepsLineAndErrorsUnderTheirNames) {
  TempDir dir;
  std::string path = dir / "in.rejected.csv";
  RejectedReport r(path, {"Username", "E-mail", "Action"});
  RowError e{4, "", "", Code::kRowMalformed, "bad"};
  // Too few cells: the missing ones empty. Too many: the extra ones after Errors.
  ASSERT_TRUE(r.add(RawRow{3, {"amy"}, true, ""}, {e}).is_ok());
  ASSERT_TRUE(r.add(RawRow{4, {"bob", "b@x", "Create", "extra"}, true, ""}, {e}).is_ok());
  ASSERT_TRUE(r.finish().is_ok());
  EXPECT_EQ(read_file(path),
            "Username,E-mail,Action,Line,Errors\n"
            "amy,,,3,ROW_MALFORMED: bad\n"
            "bob,b@x,Create,4,ROW_MALFORMED: bad,extra\n");
}

TEST(RejectedReport, NoRejectionRemovesAStaleReport) {
  TempDir dir;
  std::string path = dir / "in.rejected.csv";
  testing::write_file(path, "stale");
  RejectedReport r(path, {"Username"});
  ASSERT_TRUE(r.finish().is_ok());
  EXPECT_FALSE(testing::file_exists(path));
}

TEST(ChangesReport, OneLinePerChangedField) {
  TempDir dir;
  std::string path = dir / "in.changes.csv";
  ChangesReport c(path, "Username");
  ASSERT_TRUE(c.open().is_ok());
  c.add(2, "bob", "updated", {{"Timezone", "UTC", "Europe/Paris"}, {"Enabled", "1", "0"}});
  c.add(3, "amy", "unchanged", {});
  ASSERT_TRUE(c.finish().is_ok());
  EXPECT_EQ(read_file(path),
            "Line,Username,Outcome,Field,Before,After\n"
            "2,bob,updated,Timezone,UTC,Europe/Paris\n"
            "2,bob,updated,Enabled,1,0\n"
            "3,amy,unchanged,,,\n");
}

TEST(Summary, CarriesCountsCodesAndExitCode) {
  Summary s;
  s.job_id = 4;
  s.file = "in.csv";
  s.rows_read = 10;
  s.created = 7;
  s.rejected = 3;
  s.errors_by_code["ROLE_UNKNOWN"] = 3;
  s.exit_code = 1;
  auto j = nlohmann::json::parse(summary_json(s));
  EXPECT_EQ(j["job_id"], 4);
  EXPECT_EQ(j["rows"]["created"], 7);
  EXPECT_EQ(j["rows"]["rejected"], 3);
  EXPECT_EQ(j["errors_by_code"]["ROLE_UNKNOWN"], 3);
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_TRUE(j["duplicate_of_job"].is_null());
}

TEST(ExitReason, OneLineForEveryNonZeroExitAndNoneForSuccess) {
  Summary s;
  s.file = "in.csv";
  s.created = 2;
  s.rejected = 1;
  s.committed = true;
  auto reason = [&](ExitCode code, const std::string& rejected_path) {
    std::ostringstream out;
    print_exit_reason(out, code, s, rejected_path);
    return out.str();
  };
  EXPECT_EQ(reason(ExitCode::kOk, ""), "");
  EXPECT_EQ(reason(ExitCode::kRowsRejected, "in.rejected.csv"),
            "roster: in.csv: 1 row rejected; 2 applied; rejected rows: in.rejected.csv\n");
  s.committed = false;
  s.message = "dry run: nothing was applied";
  EXPECT_EQ(reason(ExitCode::kRowsRejected, ""),
            "roster: in.csv: 1 row rejected; dry run: nothing was applied\n");
  s.file_error = "FILE_EMPTY";
  s.message = "\"in.csv\" is empty";
  EXPECT_EQ(reason(ExitCode::kFileRefused, ""), "roster: FILE_EMPTY: \"in.csv\" is empty\n");
  s.file_error.reset();
  s.message = "the file would disable 12 of the 13 enabled users";
  EXPECT_EQ(reason(ExitCode::kGuard, ""),
            "roster: in.csv: the file would disable 12 of the 13 enabled users\n");
}

}  // namespace
}  // namespace roster
