// The file format where an operator looks (SPEC §15, issue 31 item 7): an
// example template with every column and rows that import, and `roster
// explain` for every code.

#include <gtest/gtest.h>

#include <sstream>

#include "e2e_util.h"
#include "roster/csv_input.h"
#include "roster/error_code.h"
#include "roster/validate.h"

namespace roster {
namespace {

using testing::read_file;
using testing::sample;

class FormatDocsTest : public testing::BinaryTest {
 protected:
  void add_store_app() {
    ASSERT_EQ(roster({"applications", "import", sample("applications.csv"), "--as", "alice",
                      "--report-dir", "."})
                  .exit_code,
              0);
    ASSERT_EQ(roster({"roles", "import", sample("roles-store-app.csv"), "--as", "alice",
                      "--report-dir", "."})
                  .exit_code,
              0);
  }
};

TEST_F(FormatDocsTest, TheExampleTemplateHasEveryColumnAndItsRowsImportIntoTheSamples) {
  add_store_app();
  auto made = roster({"template", "users", "--example", "--out", "example.csv"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string text = read_file(tmp_ / "example.csv");
  std::vector<std::string> header;
  split_csv_line(text.substr(0, text.find('\n')), header);
  std::vector<std::string> every = user_columns().required;
  every.insert(every.end(), user_columns().optional.begin(), user_columns().optional.end());
  EXPECT_EQ(header, every);

  auto checked = roster({"validate", "example.csv", "--as", "alice"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_EQ(summary("example")["rows"]["created"], 2);
  auto imported = roster({"import", "example.csv", "--as", "alice"});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_EQ(summary("example")["rows"]["created"], 2);
  EXPECT_EQ(summary("example")["rows"]["rejected"], 0);
  EXPECT_TRUE(summary("example")["warnings_by_code"].empty()) << summary("example").dump();

  // The plain template stays SPEC §2's nine columns, and --example is for users.
  EXPECT_EQ(roster({"template", "users"}).out,
            "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
            "Sources,Action\n");
  auto roles = roster({"template", "roles", "--example"});
  EXPECT_EQ(roles.exit_code, 2);
  EXPECT_NE(roles.err.find("--example exists for the users template only"), std::string::npos);
}

TEST_F(FormatDocsTest, ExplainSaysWhatACodeMeansAndWhatToDo) {
  auto one = roster({"explain", "role_unknown"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  CodeHelp help = code_help(Code::kRoleUnknown);
  EXPECT_EQ(one.out, "ROLE_UNKNOWN (the row is rejected)\n  " + std::string(help.meaning) +
                         "\n  What to do: " + std::string(help.fix) + "\n");
  EXPECT_NE(roster({"explain", "FEED_EMPTY"}).out.find("(the file is refused, exit 3)"),
            std::string::npos);
  EXPECT_NE(roster({"explain", "NO_SOURCES"}).out.find("(a warning; the row is applied)"),
            std::string::npos);

  auto typo = roster({"explain", "ROLE_UNKOWN"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean ROLE_UNKNOWN?"), std::string::npos) << typo.err;

  auto all = roster({"explain"});
  ASSERT_EQ(all.exit_code, 0);
  std::istringstream lines(all.out);
  size_t n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    ASSERT_LT(n, all_codes().size());
    EXPECT_EQ(line.substr(0, line.find(' ')), code_name(all_codes()[n]));
  }
  EXPECT_EQ(n, all_codes().size());

  // Where an operator looks first.
  std::string usage = roster({"--help"}).out;
  EXPECT_NE(usage.find("'roster explain CODE'"), std::string::npos) << usage;
  EXPECT_NE(usage.find("'roster template users --example'"), std::string::npos) << usage;
}

}  // namespace
}  // namespace roster
