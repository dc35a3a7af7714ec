// End-to-end tests: the built roster binary, run as a real process in a fresh
// folder over files from tests/data and samples/, checked by exit code, stdout,
// report files and by querying the resulting SQLite file.

#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "e2e_util.h"
#include "roster/csv_input.h"
#include "roster/error_code.h"

namespace roster {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::run_process;
using testing::TempDir;
using testing::write_file;

using testing::kRoster;

std::string data(const std::string& rel) { return testing::source_dir() + "/tests/data/" + rel; }

using CliTest = testing::BinaryTest;

TEST_F(CliTest, SampleMistakesAreReportedAndTheValidRowsCommitted) {
  std::string users_before = q("SELECT count(*) FROM users");
  // validate: same report, nothing committed.
  auto v = roster(
      {"validate", testing::sample("users-mistakes.csv"), "--as", "d.chen", "--report-dir", "."});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_EQ(q("SELECT count(*) FROM users"), users_before);
  EXPECT_EQ(read_file(tmp_ / "users-mistakes.rejected.csv"),
            read_file(data("sample-mistakes/expected/users-mistakes.rejected.csv")));

  auto r = roster(
      {"import", testing::sample("users-mistakes.csv"), "--as", "d.chen", "--report-dir", "."});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("line 5: ROLE_UNKNOWN: Role \"Store Asociate\" is not a role name or key; "
                       "did you mean \"Store Associate\"?"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(read_file(tmp_ / "users-mistakes.rejected.csv"),
            read_file(data("sample-mistakes/expected/users-mistakes.rejected.csv")));
  auto summary = nlohmann::json::parse(read_file(tmp_ / "users-mistakes.summary.json"));
  EXPECT_EQ(summary["rows"]["created"], 2);
  EXPECT_EQ(summary["rows"]["updated"], 1);
  EXPECT_EQ(summary["rows"]["rejected"], 23);
  EXPECT_EQ(summary["exit_code"], 1);
  EXPECT_EQ(q("SELECT group_concat(username) FROM (SELECT username FROM users WHERE username "
              "IN ('ana.rivera', 'ben.carter', 'carla.diaz', 'gina.hall') ORDER BY username) AS t"),
            "ana.rivera,ben.carter");
  EXPECT_EQ(q("SELECT count(*) FROM users"), std::to_string(std::stoi(users_before) + 2));
  EXPECT_EQ(q("SELECT created_by FROM users WHERE username = 'ana.rivera'"), "d.chen");
}

TEST_F(CliTest, ARejectedFileFixedInPlaceImportsAgain) {
  ASSERT_EQ(roster({"import", testing::sample("users-mistakes.csv"), "--as", "d.chen",
                    "--report-dir", "."})
                .exit_code,
            1);
  std::string rejected = read_file(tmp_ / "users-mistakes.rejected.csv");
  // The operator fixes one typo and keeps only that row.
  std::string header = rejected.substr(0, rejected.find('\n') + 1);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(rejected, m, std::regex("\\n([^\\n]*,5,\"[A-Z_]+:[^\\n]*)\\n")));
  std::string row = std::regex_replace(m[1].str(), std::regex("Store Asociate"), "Store Associate");
  write_file(tmp_ / "fixed.csv", header + row + "\n");
  auto r = roster({"import", "fixed.csv", "--as", "d.chen"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username = 'carla.diaz'"), "1");
  auto summary = nlohmann::json::parse(read_file(tmp_ / "fixed.summary.json"));
  EXPECT_EQ(summary["warnings_by_code"]["COLUMN_UNKNOWN"], 2);  // Line and Errors
}

TEST_F(CliTest, ARejectedReportKeepsAnOddHeaderVerbatimAndReimportsOnceFixed) {
  // Columns in another order, in odd case, padded with spaces (one quoted with
  // spaces inside): the report hands back exactly these header cells.
  write_file(tmp_ / "odd.csv",
             " userNAME ,Action,E-MAIL,enabled,  \" Access All Sales Channels \",access all "
             "sources,Timezone ,ROLE,Sources\n"
             "zoe.adams,Create,zoe.adams@northwind-retail.com,1,0,0,America/New_York,"
             "Store Asociate,EAST-003\n"
             "yan.bell,Create,yan.bell@northwind-retail.com,1,0,0,America/New_York,"
             "Store Associate,EAST-003\n");
  auto r = roster({"import", "odd.csv", "--as", "d.chen"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string rejected = read_file(tmp_ / "odd.rejected.csv");
  std::string header = rejected.substr(0, rejected.find('\n') + 1);
  std::vector<std::string> cells;
  split_csv_line_verbatim(header.substr(0, header.size() - 1), cells);
  EXPECT_EQ(cells, (std::vector<std::string>{" userNAME ", "Action", "E-MAIL", "enabled",
                                             " Access All Sales Channels ", "access all sources",
                                             "Timezone ", "ROLE", "Sources", "Line", "Errors"}))
      << header;
  EXPECT_EQ(testing::rejected_errors(rejected, 2).rfind("ROLE_UNKNOWN", 0), 0u) << rejected;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username = 'yan.bell'"), "1");

  // The operator fixes the typo in the report itself and imports it again.
  write_file(tmp_ / "odd.rejected.csv",
             std::regex_replace(rejected, std::regex("Store Asociate"), "Store Associate"));
  auto again = roster({"import", "odd.rejected.csv", "--as", "d.chen"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(q("SELECT r.name FROM users u JOIN roles r ON r.id = u.role_id "
              "WHERE u.username = 'zoe.adams'"),
            "Store Associate");
}

// tests/data/codes/<kind>__<CODE>[__<actor>].csv: importing the file as the
// actor (default alice) must report CODE, as a row error, a warning or the
// file-level refusal. Beside it, optionally: <stem>.args, more options for
// that import (--feed NAME --sync); <stem>.setup, commands run before it, one
// per line, with {codes} standing for this folder (setup/ holds their files)
// and {login} for the login running the tests (os:root, pg:roster).
struct CodeCase {
  std::string file, kind, code, actor;
  std::vector<std::string> args;
  std::vector<std::vector<std::string>> setup;
};

// The words of each line of `path` ({codes} replaced); none when it is missing.
std::vector<std::vector<std::string>> sidecar_lines(const fs::path& path) {
  std::vector<std::vector<std::string>> lines;
  if (!fs::exists(path)) return lines;
  std::istringstream text(
      std::regex_replace(read_file(path), std::regex("\\{codes\\}"), data("codes")));
  for (std::string line; std::getline(text, line);) {
    std::istringstream words(line);
    std::vector<std::string> w{std::istream_iterator<std::string>(words), {}};
    if (!w.empty()) lines.push_back(w);
  }
  return lines;
}

// Cases too large to keep in git are written into `dir` at test time.
std::vector<std::string> generated_cases(const std::string& dir) {
  std::string header =
      "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
      "Sources,Action\n";
  std::string path = dir + "/users__LINE_TOO_LONG.csv";
  write_file(path, header + "long," + std::string(17 << 20, 'x') + "\n");
  return {path};
}

std::vector<CodeCase> code_cases(const std::string& generated_dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(data("codes"))) {
    // (users__FILE_UNREADABLE.csv is a folder: a file that cannot be read.)
    if (entry.path().extension() == ".csv") files.push_back(entry.path());
  }
  for (const std::string& g : generated_cases(generated_dir)) files.push_back(g);
  std::vector<CodeCase> cases;
  for (const fs::path& path : files) {
    std::string stem = path.stem().string();
    std::vector<std::string> parts;
    for (size_t pos = 0;;) {
      size_t next = stem.find("__", pos);
      parts.push_back(stem.substr(pos, next - pos));
      if (next == std::string::npos) break;
      pos = next + 2;
    }
    fs::path side = path;
    auto args = sidecar_lines(side.replace_extension(".args"));
    cases.push_back({path.string(), parts.at(0), parts.at(1), parts.size() > 2 ? parts[2] : "alice",
                     args.empty() ? std::vector<std::string>{} : args.front(),
                     sidecar_lines(side.replace_extension(".setup"))});
  }
  std::sort(cases.begin(), cases.end(), [](auto& a, auto& b) { return a.file < b.file; });
  return cases;
}

TEST_F(CliTest, EveryCodeCaseReportsItsCode) {
  auto cases = code_cases(tmp_.path());
  ASSERT_GT(cases.size(), 60u);
  for (const CodeCase& c : cases) {
    restore_sample();
    for (const std::vector<std::string>& step : c.setup) {
      std::vector<std::string> setup_args = step;
      for (std::string& arg : setup_args) {
        if (arg != "{login}") continue;
        std::string said = roster({"logins", "list"}).out;  // "you are os:root; ..."
        arg = said.substr(8, said.find(';') - 8);
      }
      if (std::find(step.begin(), step.end(), "import") != step.end()) {
        setup_args.insert(setup_args.end(), {"--report-dir", "setup-reports"});
      }
      fs::create_directories(tmp_ / "setup-reports");
      auto done = roster(setup_args);
      ASSERT_EQ(done.exit_code, 0) << c.file << " setup failed:\n" << done.out << done.err;
    }
    std::vector<std::string> args;
    if (c.kind != "users") args.push_back(c.kind);
    args.insert(args.end(), {"import", c.file, "--as", c.actor, "--report-dir", "."});
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = roster(args);
    std::string stem = fs::path(c.file).stem().string();
    if (c.code == "FILE_UNREADABLE") {
      // No file to speak of: no job, no report, one line that names the code.
      EXPECT_EQ(r.exit_code, 3) << c.file;
      EXPECT_NE(r.err.find("FILE_UNREADABLE"), std::string::npos) << r.err;
      EXPECT_FALSE(fs::exists(tmp_ / (stem + ".summary.json"))) << c.file;
      continue;
    }
    auto code = code_from_name(c.code);
    ASSERT_TRUE(code) << c.file << ": no such code";
    if (code_class(*code) == CodeClass::kRun) {
      // Refused before the file is looked at: no job, no report.
      EXPECT_EQ(r.exit_code, 4) << c.file;
      EXPECT_NE(r.err.find(c.code), std::string::npos) << r.err;
      EXPECT_FALSE(fs::exists(tmp_ / (stem + ".summary.json"))) << c.file;
      continue;
    }
    auto summary =
        nlohmann::json::parse(read_file(tmp_ / (stem + ".summary.json")), nullptr, false);
    ASSERT_FALSE(summary.is_discarded()) << c.file << "\n" << r.out << r.err;
    bool found = summary["errors_by_code"].contains(c.code) ||
                 summary["warnings_by_code"].contains(c.code) || summary["file_error"] == c.code;
    EXPECT_TRUE(found) << c.file << " did not report " << c.code << "\n" << r.out;
    switch (code_class(*code)) {
      case CodeClass::kRun:
        break;
      case CodeClass::kFile:
        EXPECT_EQ(r.exit_code, 3) << c.file;
        break;
      case CodeClass::kRow:
        EXPECT_EQ(r.exit_code, 1) << c.file;
        EXPECT_NE(read_file(tmp_ / (stem + ".rejected.csv")).find(c.code), std::string::npos)
            << c.file;
        break;
      case CodeClass::kWarning:
        // A warning never rejects; a sync is skipped because a row was.
        EXPECT_EQ(r.exit_code, c.code == "SYNC_SKIPPED" ? 1 : 0) << c.file << "\n" << r.out;
        break;
    }
  }
}

TEST(CodeCases, EveryCodeHasACase) {
  TempDir tmp;
  std::set<std::string> covered;
  for (const CodeCase& c : code_cases(tmp.path())) covered.insert(c.code);
  for (Code code : all_codes()) {
    EXPECT_TRUE(covered.count(std::string(code_name(code))))
        << "no tests/data/codes case for " << code_name(code);
  }
}

TEST_F(CliTest, ExitCodes) {
  write_file(tmp_ / "ok.csv",
             "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,"
             "Role,Sources,Action\nnew.one,new.one@x.com,1,1,1,UTC,Viewer,,Create\n");
  EXPECT_EQ(roster({"import", "ok.csv", "--as", "alice"}).exit_code, 0);
  write_file(tmp_ / "bad.csv",
             "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,"
             "Role,Sources,Action\nnew.two,not-an-email,1,1,1,UTC,Viewer,,Create\n");
  EXPECT_EQ(roster({"import", "bad.csv", "--as", "alice"}).exit_code, 1);
  EXPECT_EQ(roster({"import", "ok.csv", "--as", "alice", "--no-such-option"}).exit_code, 2);
  write_file(tmp_ / "empty.csv", "");
  EXPECT_EQ(roster({"import", "empty.csv", "--as", "alice"}).exit_code, 3);
  EXPECT_EQ(roster({"import", "ok.csv", "--as", "mallory"}).exit_code, 4);
  auto missing = run_process({kRoster, "--db", tmp_ / "none.db", "import", "ok.csv", "--as", "a"},
                             tmp_.path());
  EXPECT_EQ(missing.exit_code, 5);
  EXPECT_FALSE(fs::exists(tmp_ / "none.db"));
}

TEST_F(CliTest, GuardExit6CommitsNothing) {
  auto rows =
      q("SELECT u.username || ',' || u.email || ',0,' || u.all_sales_channels || ',' || "
        "u.all_sources || ',' || u.timezone || ',' || r.name || ',\"' || "
        "coalesce((SELECT group_concat(s.external_id) FROM user_sources us JOIN sources s "
        "ON s.id = us.source_id WHERE us.user_id = u.id), '') || '\",Update' "
        "FROM users u JOIN roles r ON r.id = u.role_id WHERE r.key = 'store_associate'");
  write_file(tmp_ / "hr-feed.csv",
             "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,"
             "Role,Sources,Action\n" +
                 rows + "\n");
  auto r = roster({"import", "hr-feed.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 6) << r.out;
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE enabled = 0"), "0");
  auto summary = nlohmann::json::parse(read_file(tmp_ / "hr-feed.summary.json"));
  EXPECT_EQ(summary["rows"]["disabled"], 200);
  EXPECT_EQ(summary["committed"], false);
}

TEST_F(CliTest, StandardInputAndOutput) {
  std::string file =
      "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
      "Sources,Action\npiped,piped@x.com,1,1,1,UTC,viewer,,Create\n";
  auto r = roster({"import", "-", "--as", "alice"}, file);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(tmp_ / "stdin.summary.json"));
  auto e = roster({"export", "--as", "alice", "--role", "viewer"});
  EXPECT_EQ(e.exit_code, 0);
  EXPECT_NE(e.out.find("\npiped,piped@x.com,1,1,1,UTC,Viewer,,Update,\n"), std::string::npos)
      << e.out;
}

TEST_F(CliTest, ExportShowsOnlyWhatTheActorMayAssignPlusItself) {
  auto e = roster({"export", "--as", "d.chen", "--out", "east.csv"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  std::string csv = read_file(tmp_ / "east.csv");
  EXPECT_NE(csv.find("\nd.chen,"), std::string::npos);
  EXPECT_EQ(csv.find("\nhq.ops,"), std::string::npos);    // Headquarters outranks
  EXPECT_EQ(csv.find("\nm.garcia,"), std::string::npos);  // a peer
  EXPECT_EQ(csv.find("\nalice,"), std::string::npos);
  // Director East re-imports its own export cleanly: all unchanged.
  auto r = roster({"import", "east.csv", "--as", "d.chen"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto summary = nlohmann::json::parse(read_file(tmp_ / "east.summary.json"));
  EXPECT_EQ(summary["rows"]["unchanged"], summary["rows"]["read"]);
}

TEST_F(CliTest, ReferenceExportsRoundTrip) {
  for (std::string kind : {"sources", "sales-channels", "roles"}) {
    auto e = roster({kind, "export", "--out", kind + "-export.csv"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    auto r = roster({kind, "import", kind + "-export.csv", "--as", "alice"});
    EXPECT_EQ(r.exit_code, 0) << kind << r.out;
    auto summary = nlohmann::json::parse(read_file(tmp_ / (kind + "-export.summary.json")));
    EXPECT_GT(summary["rows"]["read"], 0) << kind;
    EXPECT_EQ(summary["rows"]["unchanged"], summary["rows"]["read"]) << kind;
  }
  auto roles = read_file(tmp_ / "roles-export.csv");
  EXPECT_NE(roles.find("\nStore Associate,store_associate,4,"), std::string::npos) << roles;
}

TEST_F(CliTest, JobsListAndShow) {
  auto list = roster({"jobs", "--limit", "3"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("users-onboarding.csv"), std::string::npos) << list.out;
  auto show = roster({"jobs", "show", "5"});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("238 read, 238 created"), std::string::npos) << show.out;
  EXPECT_EQ(roster({"jobs", "show", "999"}).exit_code, 2);
}

}  // namespace
}  // namespace roster
